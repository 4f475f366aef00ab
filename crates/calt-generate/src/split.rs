//! Generating one split: seeds in index order, batch by batch, skipped seeds replaced by the
//! next indices, optional de-duplication, files written as batches arrive.

use super::Progress;
use super::dedupe::Dedupe;
use super::sample::{Generated, SeedJob};
use super::seed_stream::{Stride, with_seed_stream};
use super::source::SampleSource;
use super::stats::SplitStats;
use super::writer::SplitWriter;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What to generate for one split.
#[derive(Clone, Debug)]
pub struct SplitPlan<'a> {
    pub name: &'a str,
    pub count: u64,
    pub batch_size: u64,
    pub root_seed: i64,
    pub save_text: bool,
    pub save_json: bool,
}

/// What one split produced.
#[derive(Clone, Debug)]
pub struct SplitReport {
    pub written: u64,
    pub seconds: f64,
    pub files: Vec<PathBuf>,
    pub stats_path: PathBuf,
}

/// Batches are cut to at most this many seeds (CALT's `batch_size` stays an upper bound), so
/// that generating one batch and writing the previous overlap for most of a split. The seed
/// stream keeps more than a batch ready (see `seed_stream::AHEAD`).
const PIPELINE_BATCH: u64 = 1024;

/// The first batch has this many seeds and each next one twice as many, up to
/// [`PIPELINE_BATCH`]: the writing thread has nothing to do until the first batch is done.
const FIRST_BATCH: u64 = 256;

pub fn generate_split(
    plan: &SplitPlan<'_>,
    dir: &Path,
    source: &mut dyn SampleSource,
    dedupe: &mut Dedupe,
    progress: &dyn Progress,
) -> anyhow::Result<GeneratedSplit> {
    let start = Instant::now();
    let writer = SplitWriter::create(dir, plan.name, plan.save_text, plan.save_json)?;
    dedupe.start_split(plan.name);
    let mut sink = BatchSink {
        plan,
        writer,
        dedupe,
        stats: SplitStats::default(),
        written: 0,
        progress,
    };
    let (generated, writing) = pipeline(plan, Stride::ALL, plan.count, source, |batch| {
        sink.write(batch)
    });
    // A failure while writing an earlier batch is reported before one from generating a later.
    writing?;
    let skipped = generated?;
    sink.stats.extras = sink.dedupe.counts();
    if skipped > 0 {
        sink.stats.extras.push(("skipped_seeds", skipped));
    }
    let seconds = source
        .generation_seconds(plan.name)
        .unwrap_or_else(|| start.elapsed().as_secs_f64());
    Ok(GeneratedSplit {
        stats_yaml: sink.stats.to_yaml(seconds, sink.written),
        stats_path: dir.join(format!("{}_stats.yaml", plan.name)),
        written: sink.written,
        seconds,
        writer: sink.writer,
    })
}

/// A split whose lines are all written to its temporary files, not yet in place.
pub struct GeneratedSplit {
    writer: SplitWriter,
    stats_yaml: String,
    stats_path: PathBuf,
    written: u64,
    seconds: f64,
}

impl GeneratedSplit {
    /// Syncs the files to disk, moves them into place and writes the statistics. Separate
    /// from generating, so that it can overlap the next split (it mostly waits for the disk).
    pub fn commit(self) -> anyhow::Result<SplitReport> {
        let files = self.writer.finish()?;
        super::writer::write_file_atomically(&self.stats_path, self.stats_yaml.as_bytes())
            .context("writing the statistics")?;
        Ok(SplitReport {
            written: self.written,
            seconds: self.seconds,
            files,
            stats_path: self.stats_path,
        })
    }
}

/// One generated batch: each seed with its sample, or `None` where the generator skipped it.
pub type Batch = Vec<(SeedJob, Option<Generated>)>;

/// Generates the stride's seeds in batches until `goal` samples are produced, and
/// hands each batch to `write` on a second thread while the next one is generated (writing,
/// statistics and de-duplication would otherwise leave the workers idle). Returns the
/// generating side's result (how many seeds were skipped) and the writing side's.
pub fn pipeline(
    plan: &SplitPlan<'_>,
    stride: Stride,
    goal: u64,
    source: &mut dyn SampleSource,
    mut write: impl FnMut(Batch) -> anyhow::Result<()> + Send,
) -> (anyhow::Result<u64>, anyhow::Result<()>) {
    let (batches, inbox) = std::sync::mpsc::sync_channel::<Batch>(1);
    std::thread::scope(|scope| {
        let writing = scope.spawn(move || -> anyhow::Result<()> {
            for batch in inbox {
                write(batch)?;
            }
            Ok(())
        });
        let generated = produce_batches(plan, stride, goal, source, &batches);
        drop(batches);
        let writing = writing
            .join()
            .map_err(|_| anyhow::anyhow!("split {}: the writing thread panicked", plan.name));
        (generated, writing.and_then(|r| r))
    })
}

/// Generates the batches in order and hands them to `out`; returns how many seeds the
/// generator skipped. Stops early (with `Ok`) if the writing side has hung up: it has failed,
/// and its error is the one to report.
fn produce_batches(
    plan: &SplitPlan<'_>,
    stride: Stride,
    goal: u64,
    source: &mut dyn SampleSource,
    out: &std::sync::mpsc::SyncSender<Batch>,
) -> anyhow::Result<u64> {
    let seed_rngs_ahead = source.draws_python_random();
    with_seed_stream(
        plan.root_seed,
        plan.name,
        stride,
        seed_rngs_ahead,
        |stream| {
            let (mut produced, mut skipped) = (0u64, 0u64);
            let mut batch_size = FIRST_BATCH;
            while produced < goal {
                // A batch never asks for more seeds than samples are still missing, so which seeds
                // are used depends only on the generator, never on the worker count or batch sizes.
                let want = plan.batch_size.min(batch_size).min(goal - produced);
                batch_size = (batch_size * 2).min(PIPELINE_BATCH);
                let seeds = stream.take(want);
                anyhow::ensure!(
                    !seeds.jobs.is_empty(),
                    "split {}: the sample indices ran out",
                    plan.name
                );
                let want = seeds.jobs.len() as u64;
                let results = source.generate(plan.name, &seeds)?;
                let made = results.iter().filter(|r| r.is_some()).count() as u64;
                produced += made;
                skipped += want - made;
                super::check_skips(plan.name, skipped, produced)?;
                // The seeded generators are dropped here: the writer needs only the seeds.
                if out
                    .send(seeds.jobs.into_iter().zip(results).collect())
                    .is_err()
                {
                    break;
                }
            }
            Ok(skipped)
        },
    )
}

/// Where a split's samples go: de-duplication, the output files and the statistics.
struct BatchSink<'a> {
    plan: &'a SplitPlan<'a>,
    writer: SplitWriter,
    dedupe: &'a mut Dedupe,
    stats: SplitStats,
    written: u64,
    progress: &'a dyn Progress,
}

impl BatchSink<'_> {
    fn write(&mut self, batch: Batch) -> anyhow::Result<()> {
        // Progress is told once per batch: a progress bar reads the clock on every update.
        let generated = batch.iter().filter(|(_, g)| g.is_some()).count() as u64;
        self.progress.generated(generated);
        for (job, generated) in batch {
            let Some(g) = generated else { continue };
            let text = g.text_line(self.plan.name, job)?;
            if !self.dedupe.admit(g.json()) {
                continue;
            }
            self.writer.write_text(text)?;
            self.writer.write_json(g.json())?;
            self.stats.add_sample(g.seconds, &g.stats);
            self.written += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_source::FakeSource;

    fn run(source: &mut FakeSource) -> (tempfile::TempDir, anyhow::Result<SplitReport>) {
        let dir = tempfile::tempdir().unwrap();
        let plan = SplitPlan {
            name: "train",
            count: 40,
            batch_size: 8,
            root_seed: 42,
            save_text: true,
            save_json: true,
        };
        let report = generate_split(
            &plan,
            dir.path(),
            source,
            &mut Dedupe::default(),
            &crate::NoProgress,
        )
        .and_then(GeneratedSplit::commit);
        (dir, report)
    }

    fn files_in(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn every_batch_is_written_in_order() {
        let (dir, report) = run(&mut FakeSource::default());
        assert_eq!(report.unwrap().written, 40);
        let text = std::fs::read_to_string(dir.path().join("train_raw.txt")).unwrap();
        let expected: String = (0..40).map(|i| format!("{i} # {i}\n")).collect();
        assert_eq!(text, expected);
    }

    #[test]
    fn a_sample_that_cannot_be_written_fails_the_split_and_leaves_no_file() {
        // The bad sample is in the second batch, found on the writing thread while later
        // batches are being generated.
        let (dir, report) = run(&mut FakeSource {
            bad_render: Some(11),
            fail_at: Some(30),
            ..FakeSource::default()
        });
        let err = format!("{:#}", report.unwrap_err());
        assert!(err.contains("index 11") && err.contains("deeper"), "{err}");
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
    }

    #[test]
    fn a_generator_error_fails_the_split_and_leaves_no_file() {
        let (dir, report) = run(&mut FakeSource {
            fail_at: Some(20),
            ..FakeSource::default()
        });
        let err = format!("{:#}", report.unwrap_err());
        assert!(err.contains("generator failed at index 20"), "{err}");
        assert!(
            files_in(dir.path()).is_empty(),
            "{:?}",
            files_in(dir.path())
        );
    }
}
