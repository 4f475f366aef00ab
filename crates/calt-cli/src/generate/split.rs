//! Generating one split: seeds in index order, batch by batch, skipped seeds replaced by the
//! next indices, optional de-duplication, files written as batches arrive.

use super::dedupe::Dedupe;
use super::source::{SampleSource, SeedJob};
use super::stats::SplitStats;
use super::writer::SplitWriter;
use anyhow::Context;
use calt_algebra::sample_seed;
use indicatif::ProgressBar;
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

/// A generator that skips this many seeds per requested sample has a problem; stop rather
/// than spin forever.
const MAX_SKIPS_PER_SAMPLE: u64 = 1000;

pub fn generate_split(
    plan: &SplitPlan<'_>,
    dir: &Path,
    source: &mut dyn SampleSource,
    dedupe: &mut Dedupe,
    bar: &ProgressBar,
) -> anyhow::Result<SplitReport> {
    let start = Instant::now();
    let mut writer = SplitWriter::create(dir, plan.name, plan.save_text, plan.save_json)?;
    let mut stats = SplitStats::default();
    dedupe.start_split(plan.name);
    let (mut produced, mut written, mut skipped, mut next_index) = (0u64, 0u64, 0u64, 0u64);
    while produced < plan.count {
        // A batch never asks for more seeds than samples are still missing, so which seeds are
        // used depends only on the generator, never on the worker count.
        let want = plan.batch_size.min(plan.count - produced);
        let jobs: Vec<SeedJob> = (next_index..next_index + want)
            .map(|index| SeedJob {
                index,
                seed: sample_seed(plan.root_seed, plan.name, index),
            })
            .collect();
        next_index += want;
        let results = source.generate(plan.name, &jobs)?;
        for (job, result) in jobs.iter().zip(results) {
            let Some(g) = result else {
                skipped += 1;
                continue;
            };
            produced += 1;
            bar.inc(1);
            let text = g.text.map_err(|reason| {
                anyhow::anyhow!(
                    "split {}, index {} (seed {}): cannot render the sample: {reason}",
                    plan.name,
                    job.index,
                    job.seed
                )
            })?;
            if !dedupe.admit(&g.json) {
                continue;
            }
            writer.write_text(&text)?;
            writer.write_json(&g.json)?;
            stats.add_sample(g.seconds, &g.stats);
            written += 1;
        }
        if skipped > MAX_SKIPS_PER_SAMPLE * (produced + 1) {
            anyhow::bail!(
                "split {}: the generator skipped {skipped} seeds and produced only {produced} \
                 samples; check the task parameters",
                plan.name
            );
        }
    }
    let files = writer.finish()?;
    stats.extras = dedupe.counts();
    if skipped > 0 {
        stats.extras.push(("skipped_seeds", skipped));
    }
    let seconds = start.elapsed().as_secs_f64();
    let stats_path = dir.join(format!("{}_stats.yaml", plan.name));
    super::writer::write_file_atomically(&stats_path, stats.to_yaml(seconds, written).as_bytes())
        .context("writing the statistics")?;
    Ok(SplitReport {
        written,
        seconds,
        files,
        stats_path,
    })
}
