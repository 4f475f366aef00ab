//! A built-in task's dataset on one thread, kept in memory: the same samples in the same order
//! as [`crate::run::generate_dataset`] writes, for programs without threads or files (a
//! browser page) and for tests.

use anyhow::Context;
use calt_algebra::{SplitSeeds, TaskSpec};
use web_time::Instant;

use crate::stats::SplitStats;
use crate::{Dedupe, Generated, Progress, SeedJob};

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
        let job = SeedJob {
            index,
            seed: seeds.seed(index),
        };
        index += 1;
        let sample_started = Instant::now();
        let sample = generator.generate_with_stats(job.seed).with_context(|| {
            format!(
                "task {}, split {split}, index {} (seed {})",
                task.name(),
                job.index,
                job.seed
            )
        })?;
        let Some((sample, sample_stats)) = sample else {
            crate::check_skips(split, index - drawn, drawn)?;
            continue;
        };
        drawn += 1;
        progress.generated(1);
        let seconds = sample_started.elapsed().as_secs_f64();
        let generated = Generated::new(&sample, sample_stats, seconds);
        let text = generated.text_line(split, job)?;
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
