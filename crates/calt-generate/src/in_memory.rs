//! A built-in task's dataset on one thread, kept in memory: the same samples in the same order
//! as [`crate::run::generate_dataset`] writes, for programs without threads or files (a
//! browser page) and for tests.

use anyhow::Context;
use calt_algebra::{SplitSeeds, TaskSpec};
use web_time::Instant;

use crate::stats::SplitStats;
use crate::{Dedupe, Generated, Progress};

/// A generator that skips this many seeds per requested sample has a problem; stop rather
/// than spin forever (the native run stops at the same bound).
pub const MAX_SKIPS_PER_SAMPLE: u64 = 1000;

/// One split's file contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SplitText {
    /// `{split}_raw.txt`: `problem # answer` lines.
    pub raw: String,
    /// `{split}_data.jsonl`: one JSON record per line.
    pub jsonl: String,
    /// `{split}_stats.yaml` (its times are this run's).
    pub stats_yaml: String,
    pub written: u64,
}

/// The samples of `split`: indices taken in order until `count` are drawn (skipped seeds
/// replaced by later indices), then filtered by `dedupe`.
pub fn generate_split(
    task: &TaskSpec,
    root_seed: i64,
    split: &str,
    count: u64,
    dedupe: &mut Dedupe,
    progress: &dyn Progress,
) -> anyhow::Result<SplitText> {
    let seeds = SplitSeeds::new(root_seed, split);
    let generator = task.as_task();
    dedupe.start_split(split);
    progress.split_started(split, count);
    let mut out = SplitText::default();
    let mut stats = SplitStats::default();
    let (mut drawn, mut index) = (0u64, 0u64);
    let started = Instant::now();
    while drawn < count {
        let seed = seeds.seed(index);
        let sample_started = Instant::now();
        let sample = generator.generate_with_stats(seed).with_context(|| {
            format!(
                "task {}, split {split}, index {index} (seed {seed})",
                task.name()
            )
        })?;
        index += 1;
        let Some((sample, sample_stats)) = sample else {
            anyhow::ensure!(
                index - drawn <= MAX_SKIPS_PER_SAMPLE * (drawn + 1),
                "split {split}: the generator skipped {} seeds and produced only {drawn} \
                 samples; check the task parameters",
                index - drawn
            );
            continue;
        };
        drawn += 1;
        progress.generated(1);
        let seconds = sample_started.elapsed().as_secs_f64();
        let generated = Generated::new(&sample, sample_stats, seconds);
        let text = generated.text().map_err(|reason| {
            anyhow::anyhow!(
                "split {split}, index {} (seed {seed}): cannot render the sample: {reason}",
                index - 1
            )
        })?;
        if !dedupe.admit(generated.json()) {
            continue;
        }
        for (file, line) in [(&mut out.raw, text), (&mut out.jsonl, generated.json())] {
            file.push_str(line);
            file.push('\n');
        }
        stats.add_sample(generated.seconds, &generated.stats);
        out.written += 1;
    }
    stats.extras = dedupe.counts();
    if index > drawn {
        stats.extras.push(("skipped_seeds", index - drawn));
    }
    out.stats_yaml = stats.to_yaml(started.elapsed().as_secs_f64(), out.written);
    progress.split_finished(split);
    Ok(out)
}

/// The train split, then the test split (so test-in-train de-duplication sees all of train).
pub fn generate_dataset(
    task: &TaskSpec,
    root_seed: i64,
    (train, test): (u64, u64),
    dedupe: &mut Dedupe,
    progress: &dyn Progress,
) -> anyhow::Result<(SplitText, SplitText)> {
    Ok((
        generate_split(task, root_seed, "train", train, dedupe, progress)?,
        generate_split(task, root_seed, "test", test, dedupe, progress)?,
    ))
}
