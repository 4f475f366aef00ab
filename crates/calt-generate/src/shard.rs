//! Sharded generation: shard `K/N` generates the indices `K, K+N, K+2N, …` of each split into
//! `{split}_shard-K-of-N.jsonl`, so N machines (a SLURM array, a Kubernetes indexed job) can
//! each run one; [`merge_shards`] joins the N files into exactly the files an unsharded run
//! writes.
//!
//! A split takes indices in order until it has its count of samples; where the generator skips
//! seeds, that end lies past `count` by the seeds skipped before it, which no single shard
//! knows. So each shard goes a margin past its share (`shard_goal`), and the merge walks the
//! indices in order, takes each from its shard, and generates any index a shard did not reach
//! itself (rare, and reported). De-duplication (`drop_duplicates`, `drop_test_in_train`) runs
//! in the merge, which sees every sample of both splits in index order: shards keep
//! everything. The merge is an ordinary run whose [`SampleSource`] reads the shard files, so
//! ordering, skips, de-duplication, statistics and atomic writes are the unsharded code.
//!
//! A shard file: one header line (the run it belongs to), one row per index tried (the
//! sample's two lines, its statistics and time, or `"skipped": true`), one end line (where the
//! shard stopped). Floats are written as Rust's shortest round-trip text, so the merged
//! statistics are bit for bit those of an unsharded run.

use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use calt_algebra::pyrandom::SeedAhead;
use calt_algebra::tasks::SampleStats;
use calt_core::limits::MAX_LINE_BYTES;
use serde::{Deserialize, Serialize};

use crate::Progress;
use crate::run::{RunOptions, generate_dataset};
use crate::sample::{Generated, SeedJob};
use crate::seed_stream::{Seeds, Stride, prepare_rngs};
use crate::source::SampleSource;
use crate::split::{SplitPlan, SplitReport, pipeline};
use crate::writer::PendingFile;

/// At most this many shards: the merge keeps one file per shard open, and 1024 open files is
/// a common limit per process.
pub const MAX_SHARDS: u64 = 1000;

/// The version of the shard file layout, checked by the merge.
const FORMAT: u32 = 1;

/// Distinct statistic names a merge accepts (a task reports a dozen): each is kept for the
/// life of the process, as the statistics' names are.
const MAX_STAT_NAMES: usize = 1024;

/// One shard of a run: `index` in `0..count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with `0 <= K < N`: the numbering of SLURM array and Kubernetes job indices.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || format!("`{text}` is not a shard K/N (0 <= K < N, e.g. 0/8 … 7/8)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (u64, u64) = (
            k.trim().parse().map_err(|_| bad())?,
            n.trim().parse().map_err(|_| bad())?,
        );
        if index >= count {
            return Err(bad());
        }
        if count > MAX_SHARDS {
            return Err(format!("{text}: at most {MAX_SHARDS} shards"));
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    fn stride(self) -> Stride {
        Stride {
            first: self.index,
            step: self.count,
        }
    }

    /// How many of the indices `0..n` are this shard's.
    fn share(self, n: u64) -> u64 {
        if n > self.index {
            (n - self.index - 1) / self.count + 1
        } else {
            0
        }
    }

    /// `{split}_shard-K-of-N.jsonl`.
    pub fn file_name(self, split: &str) -> String {
        format!("{split}_shard-{}-of-{}.jsonl", self.index, self.count)
    }
}

/// The samples a shard produces: its share and a margin. The split's end lies where the
/// shards together have produced `count` samples; with seeds skipped alike in every shard,
/// each shard has produced about its share there, give or take a few square roots of it
/// (the margin covers four). A goal that grew with the shard's own skips would never be
/// reached by a generator that skips four seeds in five.
fn shard_goal(share: u64) -> u64 {
    share + 16 + 4 * share.isqrt()
}

/// How a shard's samples were made; shards of one run must agree, and the merge checks it.
pub fn generator_id(task: Option<&calt_algebra::TaskSpec>, command: Option<&str>) -> String {
    match (command, task) {
        (Some(command), _) => format!("command {command}"),
        (None, Some(task)) => format!("task {task:?}"),
        (None, None) => "none".into(),
    }
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    calt_shard: u32,
    split: String,
    shard: u64,
    shards: u64,
    root_seed: i64,
    num_samples: u64,
    generator: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EndLine {
    end: End,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct End {
    /// The shard's next index after the last one it tried: it covers the indices below.
    next_index: u64,
    produced: u64,
    skipped: u64,
    seconds: String,
}

/// A row as written: borrowed from the generated sample.
#[derive(Serialize)]
struct RowOut<'a> {
    i: u64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    skipped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    json: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seconds: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    stats: Vec<(&'a str, &'a str, String)>,
}

/// A row as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RowIn {
    i: u64,
    #[serde(default)]
    skipped: bool,
    text: Option<String>,
    text_error: Option<String>,
    json: Option<String>,
    seconds: Option<String>,
    #[serde(default)]
    stats: Vec<(String, String, String)>,
}

/// A float as the shortest text that parses back to the same bits.
fn float_text(x: f64) -> String {
    format!("{x:?}")
}

fn row_line(job: SeedJob, generated: Option<&Generated>) -> anyhow::Result<String> {
    let row = match generated {
        None => RowOut {
            i: job.index,
            skipped: true,
            text: None,
            text_error: None,
            json: None,
            seconds: None,
            stats: Vec::new(),
        },
        Some(g) => RowOut {
            i: job.index,
            skipped: false,
            text: g.text().ok(),
            text_error: g.text().err(),
            json: Some(g.json()),
            seconds: Some(float_text(g.seconds)),
            stats: g
                .stats
                .entries
                .iter()
                .map(|e| (e.category, e.metric, float_text(e.value)))
                .collect(),
        },
    };
    Ok(serde_json::to_string(&row)?)
}

/// What one shard of one split wrote.
#[derive(Clone, Debug)]
pub struct ShardReport {
    pub path: PathBuf,
    pub produced: u64,
    pub skipped: u64,
    pub seconds: f64,
}

/// Generates shard `shard` of both splits into `{split}_shard-K-of-N.jsonl` in `save_dir`
/// (each file written under a temporary name and moved into place when complete).
pub fn generate_shards(
    opts: &RunOptions,
    shard: Shard,
    generator: &str,
    source: &mut dyn SampleSource,
    progress: &dyn Progress,
) -> anyhow::Result<Vec<(&'static str, ShardReport)>> {
    std::fs::create_dir_all(&opts.save_dir)
        .with_context(|| format!("cannot create {}", opts.save_dir.display()))?;
    let mut reports = Vec::new();
    for (split, count) in opts.splits() {
        let plan = opts.plan(split, count);
        let header = Header {
            calt_shard: FORMAT,
            split: split.into(),
            shard: shard.index,
            shards: shard.count,
            root_seed: opts.root_seed,
            num_samples: count,
            generator: generator.into(),
        };
        progress.split_started(split, shard_goal(shard.share(count)));
        let report = generate_shard_split(&plan, shard, &header, &opts.save_dir, source, progress);
        progress.split_finished(split);
        reports.push((split, report?));
    }
    Ok(reports)
}

fn generate_shard_split(
    plan: &SplitPlan<'_>,
    shard: Shard,
    header: &Header,
    dir: &Path,
    source: &mut dyn SampleSource,
    progress: &dyn Progress,
) -> anyhow::Result<ShardReport> {
    let start = Instant::now();
    let share = shard.share(plan.count);
    let mut file = PendingFile::create(dir, &shard.file_name(plan.name))?;
    let written = (|| {
        file.write_line(&serde_json::to_string(header)?)?;
        let (mut next_index, mut produced) = (shard.index, 0);
        let (generated, writing) =
            pipeline(plan, shard.stride(), shard_goal(share), source, |batch| {
                let made = batch.iter().filter(|(_, g)| g.is_some()).count() as u64;
                progress.generated(made);
                produced += made;
                for (job, generated) in &batch {
                    file.write_line(&row_line(*job, generated.as_ref())?)?;
                    next_index = job.index + shard.count;
                }
                Ok(())
            });
        writing?;
        let skipped = generated?;
        let seconds = start.elapsed().as_secs_f64();
        let end = EndLine {
            end: End {
                next_index,
                produced,
                skipped,
                seconds: float_text(seconds),
            },
        };
        file.write_line(&serde_json::to_string(&end)?)?;
        file.sync()?;
        anyhow::Ok((produced, skipped, seconds))
    })();
    match written {
        Ok((produced, skipped, seconds)) => Ok(ShardReport {
            path: file.into_place()?,
            produced,
            skipped,
            seconds,
        }),
        Err(e) => {
            file.discard();
            Err(e)
        }
    }
}

/// Opens the generator for the indices no shard reached, when the merge needs one.
pub type OpenGenerator<'a> = Box<dyn FnMut() -> anyhow::Result<Box<dyn SampleSource>> + 'a>;

/// What a merge did.
#[derive(Debug)]
pub struct MergeReport {
    pub shards: u64,
    pub splits: Vec<(&'static str, SplitReport)>,
    /// Samples the merge generated itself (indices past a shard's end).
    pub generated_here: u64,
}

/// Joins the shard files in `shard_dir` into the files an unsharded run of `opts` writes
/// into `opts.save_dir`. Every shard `0..N` must be there, made for the same run (seed, sizes,
/// generator); `open_generator` supplies samples for indices no shard reached.
pub fn merge_shards(
    opts: &RunOptions,
    shard_dir: &Path,
    generator: &str,
    open_generator: Option<OpenGenerator<'_>>,
    progress: &dyn Progress,
) -> anyhow::Result<MergeReport> {
    let mut shards = None;
    for (split, _) in opts.splits() {
        let n = shard_count(shard_dir, split)?;
        if let Some(first) = shards.filter(|first| *first != n) {
            bail!(
                "{}: train has {first} shards, test {n}: shards of two runs",
                shard_dir.display()
            );
        }
        shards = Some(n);
    }
    let Some(shards) = shards else {
        bail!("both splits are empty: nothing to merge");
    };
    let mut source = ShardSource {
        dir: shard_dir.to_path_buf(),
        shards,
        generator: generator.to_string(),
        root_seed: opts.root_seed,
        splits: opts.splits().collect(),
        split: None,
        open_generator,
        generator_source: None,
        generated_here: 0,
        stat_names: Vec::new(),
    };
    // Every shard file is checked (header and end line) before anything is written.
    for (split, _) in opts.splits() {
        source.open_readers(split)?;
    }
    let splits = generate_dataset(opts, &mut source, progress)?;
    source.close()?;
    Ok(MergeReport {
        shards,
        splits,
        generated_here: source.generated_here,
    })
}

/// N, from the shard files of `split` in `dir`: all of one N, each of `0..N` once.
fn shard_count(dir: &Path, split: &str) -> anyhow::Result<u64> {
    let prefix = format!("{split}_shard-");
    let mut found: Vec<Shard> = Vec::new();
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let Some(rest) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".jsonl"))
        else {
            continue;
        };
        let shard = rest
            .split_once("-of-")
            .and_then(|(k, n)| format!("{k}/{n}").parse::<Shard>().ok())
            .with_context(|| format!("{}: not a shard file name", dir.join(&name).display()))?;
        found.push(shard);
    }
    let Some(first) = found.first() else {
        bail!(
            "{}: no {split} shard files ({prefix}K-of-N.jsonl); generate them with \
             `calt generate --shard K/N`",
            dir.display()
        );
    };
    let n = first.count;
    if let Some(other) = found.iter().find(|s| s.count != n) {
        bail!(
            "{}: shards of two runs: {} and {}",
            dir.display(),
            first.file_name(split),
            other.file_name(split)
        );
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !found.iter().any(|s| s.index == *k))
        .map(|k| k.to_string())
        .collect();
    ensure!(
        missing.is_empty(),
        "{}: {split} shard(s) {} of {n} missing",
        dir.display(),
        missing.join(", ")
    );
    Ok(n)
}

/// One shard file being read in index order.
struct ShardReader {
    path: PathBuf,
    lines: BufReader<std::fs::File>,
    line_number: u64,
    /// The shard covers the indices below this (its end line's `next_index`).
    next_index: u64,
    /// The time the shard took for this split.
    seconds: f64,
    buffer: String,
}

/// What a shard says about one index.
enum Lookup {
    Sample(Generated),
    Skipped,
    /// The shard stopped before this index.
    Beyond,
}

impl ShardReader {
    fn open(path: PathBuf, expected: &Header) -> anyhow::Result<Self> {
        let end = read_end(&path)?;
        let seconds = end.seconds.parse().map_err(|_| {
            anyhow::anyhow!(
                "{}: the end line's seconds `{}` is not a number",
                path.display(),
                shorten(&end.seconds)
            )
        })?;
        let file = std::fs::File::open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        let mut reader = ShardReader {
            path,
            lines: BufReader::with_capacity(1 << 16, file),
            line_number: 0,
            next_index: end.next_index,
            seconds,
            buffer: String::new(),
        };
        reader.read_line()?;
        let line = &reader.buffer;
        let header: Header = serde_json::from_str(line).with_context(|| {
            format!(
                "{}:1: not a shard header: {}",
                reader.path.display(),
                shorten(line)
            )
        })?;
        check_header(&header, expected).with_context(|| format!("{}", reader.path.display()))?;
        Ok(reader)
    }

    /// Reads the next line into `buffer`; an error at the end of the file.
    fn read_line(&mut self) -> anyhow::Result<()> {
        self.buffer.clear();
        self.line_number += 1;
        let read = (&mut self.lines)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_line(&mut self.buffer)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        ensure!(
            read > 0,
            "{}:{}: the file ends early",
            self.path.display(),
            self.line_number
        );
        ensure!(
            self.buffer.ends_with('\n'),
            "{}:{}: line longer than {MAX_LINE_BYTES} bytes or cut off",
            self.path.display(),
            self.line_number
        );
        self.buffer.pop();
        Ok(())
    }

    fn lookup(&mut self, index: u64, names: &mut Vec<&'static str>) -> anyhow::Result<Lookup> {
        if index >= self.next_index {
            return Ok(Lookup::Beyond);
        }
        self.read_line()?;
        let line = &self.buffer;
        let at = || format!("{}:{}", self.path.display(), self.line_number);
        let row: RowIn = serde_json::from_str(line)
            .with_context(|| format!("{}: not a shard row: {}", at(), shorten(line)))?;
        ensure!(
            row.i == index,
            "{}: index {} where the merge needs index {index}",
            at(),
            row.i
        );
        if row.skipped {
            return Ok(Lookup::Skipped);
        }
        let json = row
            .json
            .with_context(|| format!("{}: the row has no json", at()))?;
        let text = match (row.text, row.text_error) {
            (Some(text), None) => Ok(text),
            (None, Some(reason)) => Err(reason),
            _ => bail!("{}: a row has either text or text_error", at()),
        };
        let seconds = parse_float(row.seconds.as_deref().unwrap_or(""), "seconds", &at)?;
        let mut stats = SampleStats::with_capacity(row.stats.len());
        for (category, metric, value) in &row.stats {
            let value = parse_float(value, "a statistic", &at)?;
            let category = intern(category, names).with_context(at)?;
            let metric = intern(metric, names).with_context(at)?;
            stats.push(category, metric, value);
        }
        Ok(Lookup::Sample(Generated::from_lines(
            text.as_deref().map_err(Clone::clone),
            &json,
            stats,
            seconds,
        )))
    }
}

fn parse_float(text: &str, what: &str, at: &dyn Fn() -> String) -> anyhow::Result<f64> {
    text.parse()
        .map_err(|_| anyhow::anyhow!("{}: {what} `{}` is not a number", at(), shorten(text)))
}

/// The `'static` name for `name`: statistics carry their names as static strings.
fn intern(name: &str, names: &mut Vec<&'static str>) -> anyhow::Result<&'static str> {
    if let Some(known) = names.iter().find(|n| **n == name) {
        return Ok(known);
    }
    ensure!(
        names.len() < MAX_STAT_NAMES,
        "more than {MAX_STAT_NAMES} distinct statistic names"
    );
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    Ok(leaked)
}

/// The start of a long line, for an error message.
fn shorten(line: &str) -> String {
    const SHOWN: usize = 120;
    match line.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_string(),
    }
}

/// The end line, read from the file's tail: a shard without one was interrupted.
fn read_end(path: &Path) -> anyhow::Result<End> {
    const TAIL: u64 = 4096;
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata()?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(TAIL)))?;
    let mut tail = Vec::new();
    file.take(TAIL).read_to_end(&mut tail)?;
    let tail = String::from_utf8_lossy(&tail);
    let last = tail
        .strip_suffix('\n')
        .and_then(|t| t.rsplit('\n').next())
        .unwrap_or("");
    let end: EndLine = serde_json::from_str(last).map_err(|_| {
        anyhow::anyhow!(
            "{}: the shard is incomplete (no end line): was its run interrupted? Generate \
             it again",
            path.display()
        )
    })?;
    Ok(end.end)
}

fn check_header(found: &Header, expected: &Header) -> anyhow::Result<()> {
    let differs = |what: &str, found: &dyn std::fmt::Display, expected: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "made for another run: {what} is {found} in the shard, {expected} in the config"
        )
    };
    if found.calt_shard != expected.calt_shard {
        bail!(
            "shard format {} (this calt reads format {})",
            found.calt_shard,
            expected.calt_shard
        );
    }
    if (&found.split, found.shard, found.shards)
        != (&expected.split, expected.shard, expected.shards)
    {
        bail!(
            "the header names {} shard {}/{}, the file name {} shard {}/{}",
            found.split,
            found.shard,
            found.shards,
            expected.split,
            expected.shard,
            expected.shards
        );
    }
    if found.root_seed != expected.root_seed {
        return Err(differs("root_seed", &found.root_seed, &expected.root_seed));
    }
    if found.num_samples != expected.num_samples {
        return Err(differs(
            &format!("num_{}_samples", found.split),
            &found.num_samples,
            &expected.num_samples,
        ));
    }
    if found.generator != expected.generator {
        return Err(differs(
            "the generator",
            &found.generator,
            &expected.generator,
        ));
    }
    Ok(())
}

/// The samples of a merge: each index from its shard's file, in order.
struct ShardSource<'a> {
    dir: PathBuf,
    shards: u64,
    generator: String,
    root_seed: i64,
    /// Each split's sample count.
    splits: Vec<(&'static str, u64)>,
    /// The split being read and its shards' readers.
    split: Option<(String, Vec<ShardReader>)>,
    open_generator: Option<OpenGenerator<'a>>,
    generator_source: Option<Box<dyn SampleSource>>,
    generated_here: u64,
    stat_names: Vec<&'static str>,
}

impl ShardSource<'_> {
    /// Opens the split's shard files at their first row, each header checked against the run.
    fn open_readers(&mut self, split: &str) -> anyhow::Result<()> {
        let count = self
            .splits
            .iter()
            .find(|(name, _)| *name == split)
            .map_or(0, |(_, count)| *count);
        let readers = (0..self.shards)
            .map(|index| {
                let shard = Shard {
                    index,
                    count: self.shards,
                };
                let expected = Header {
                    calt_shard: FORMAT,
                    split: split.into(),
                    shard: index,
                    shards: self.shards,
                    root_seed: self.root_seed,
                    num_samples: count,
                    generator: self.generator.clone(),
                };
                ShardReader::open(self.dir.join(shard.file_name(split)), &expected)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.split = Some((split.to_string(), readers));
        Ok(())
    }

    /// Generates the jobs no shard reached with the run's own generator.
    fn generate_here(
        &mut self,
        split: &str,
        jobs: Vec<SeedJob>,
        first_missing: (&Path, u64),
    ) -> anyhow::Result<Vec<Option<Generated>>> {
        if self.generator_source.is_none() {
            let Some(open) = self.open_generator.as_mut() else {
                bail!(
                    "{} ends before index {}, which the {split} split needs, and no generator \
                     was given to make it: give the config's task (or --command), or generate \
                     that shard again",
                    first_missing.0.display(),
                    first_missing.1
                );
            };
            self.generator_source = Some(open()?);
        }
        let source = self.generator_source.as_mut().expect("opened above");
        let rngs = if source.draws_python_random() {
            prepare_rngs(&jobs, &mut SeedAhead::default())
        } else {
            Vec::new()
        };
        self.generated_here += jobs.len() as u64;
        source.generate(split, &Seeds { jobs, rngs })
    }
}

impl SampleSource for ShardSource<'_> {
    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>> {
        if self.split.as_ref().is_none_or(|(name, _)| name != split) {
            self.open_readers(split)?;
        }
        let readers = &mut self.split.as_mut().expect("opened above").1;
        let mut results = Vec::with_capacity(seeds.jobs.len());
        let mut beyond: Vec<(usize, SeedJob)> = Vec::new();
        let mut first_missing = None;
        for job in &seeds.jobs {
            let reader = &mut readers[(job.index % self.shards) as usize];
            match reader.lookup(job.index, &mut self.stat_names)? {
                Lookup::Sample(g) => results.push(Some(g)),
                Lookup::Skipped => results.push(None),
                Lookup::Beyond => {
                    first_missing.get_or_insert_with(|| (reader.path.clone(), job.index));
                    beyond.push((results.len(), *job));
                    results.push(None);
                }
            }
        }
        if let Some((path, index)) = first_missing {
            let (slots, jobs): (Vec<usize>, Vec<SeedJob>) = beyond.into_iter().unzip();
            let made = self.generate_here(split, jobs, (&path, index))?;
            for (slot, sample) in slots.into_iter().zip(made) {
                results[slot] = sample;
            }
        }
        Ok(results)
    }

    fn generation_seconds(&self, split: &str) -> Option<f64> {
        let (name, readers) = self.split.as_ref()?;
        (name == split).then(|| readers.iter().map(|r| r.seconds).sum())
    }

    fn close(&mut self) -> anyhow::Result<()> {
        match self.generator_source.as_mut() {
            Some(source) => source.close(),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use crate::fake_source::FakeSource;

    fn options(dir: &Path, dedupe: bool) -> RunOptions {
        RunOptions {
            drop_duplicates: dedupe,
            drop_test_in_train: dedupe,
            ..RunOptions::quiet(dir.to_path_buf(), 500, 120, 64)
        }
    }

    fn read(dir: &Path, name: &str) -> String {
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    /// Everything but the timing lines of a stats file.
    fn untimed(stats: &str) -> String {
        stats
            .lines()
            .filter(|l| !l.contains("time") && !l.contains("per_second"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn shard_names_parse() {
        assert_eq!("3/8".parse(), Ok(Shard { index: 3, count: 8 }));
        for bad in ["8/8", "1", "a/2", "0/0", "0/1001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let s = Shard { index: 2, count: 3 };
        assert_eq!(
            (s.share(0), s.share(2), s.share(3), s.share(7)),
            (0, 0, 1, 2)
        );
    }

    #[test]
    fn merged_shards_equal_one_run_with_skips_and_dedupe() {
        for dedupe in [false, true] {
            let whole = tempfile::tempdir().unwrap();
            let fake = || FakeSource {
                skip: Some((11, 3)),
                repeat_every: Some(5),
                ..FakeSource::default()
            };
            generate_dataset(&options(whole.path(), dedupe), &mut fake(), &NoProgress).unwrap();
            for n in [1, 3, 7] {
                let dir = tempfile::tempdir().unwrap();
                let opts = options(dir.path(), dedupe);
                for k in 0..n {
                    let shard = Shard { index: k, count: n };
                    generate_shards(&opts, shard, "fake", &mut fake(), &NoProgress).unwrap();
                }
                let report = merge_shards(&opts, dir.path(), "fake", None, &NoProgress).unwrap();
                assert_eq!(report.generated_here, 0);
                for split in ["train", "test"] {
                    for file in [format!("{split}_raw.txt"), format!("{split}_data.jsonl")] {
                        assert_eq!(read(dir.path(), &file), read(whole.path(), &file), "{n}");
                    }
                    let stats = format!("{split}_stats.yaml");
                    assert_eq!(
                        untimed(&read(dir.path(), &stats)),
                        untimed(&read(whole.path(), &stats))
                    );
                }
            }
        }
    }

    #[test]
    fn the_merge_generates_what_a_shard_did_not_reach() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path(), false);
        let fake = || FakeSource {
            skip: Some((4, 1)),
            ..FakeSource::default()
        };
        for k in 0..2 {
            let shard = Shard { index: k, count: 2 };
            generate_shards(&opts, shard, "fake", &mut fake(), &NoProgress).unwrap();
        }
        // Only odd indices are skipped: shard 0 skips nothing and falls far short of the end.
        let err = merge_shards(&opts, dir.path(), "fake", None, &NoProgress).unwrap_err();
        assert!(
            format!("{err:#}").contains("no generator was given"),
            "{err:#}"
        );
        let open: OpenGenerator<'_> = Box::new(|| Ok(Box::new(fake()) as Box<dyn SampleSource>));
        let report = merge_shards(&opts, dir.path(), "fake", Some(open), &NoProgress).unwrap();
        assert!(report.generated_here > 0);
        let whole = tempfile::tempdir().unwrap();
        generate_dataset(&options(whole.path(), false), &mut fake(), &NoProgress).unwrap();
        assert_eq!(
            read(dir.path(), "train_raw.txt"),
            read(whole.path(), "train_raw.txt")
        );
    }

    #[test]
    fn missing_interrupted_and_foreign_shards_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let opts = options(dir.path(), false);
        let make = |index| {
            let shard = Shard { index, count: 3 };
            generate_shards(
                &opts,
                shard,
                "fake",
                &mut FakeSource::default(),
                &NoProgress,
            )
            .unwrap();
            shard
        };
        make(0);
        make(2);
        let merge = |generator: &str| {
            let e = merge_shards(&opts, dir.path(), generator, None, &NoProgress).unwrap_err();
            format!("{e:#}")
        };
        assert!(
            merge("fake").contains("shard(s) 1 of 3 missing"),
            "{}",
            merge("fake")
        );
        let shard = make(1);
        assert!(merge("other").contains("the generator is fake in the shard, other"));

        let path = dir.path().join(shard.file_name("train"));
        let text = read(dir.path(), &shard.file_name("train"));
        std::fs::write(&path, &text[..text.len() / 2]).unwrap();
        assert!(
            merge("fake").contains("the shard is incomplete"),
            "{}",
            merge("fake")
        );

        let mut lines: Vec<&str> = text.lines().collect();
        lines[3] = r#"{"i": 7, "json": 3}"#;
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let e = merge("fake");
        assert!(
            e.contains("train_shard-1-of-3.jsonl:4: not a shard row"),
            "{e}"
        );
        assert!(!dir.path().join("train_raw.txt").exists());
    }
}
