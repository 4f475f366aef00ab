//! Where samples come from: a built-in task run on a rayon pool, or an external command
//! (see [`super::external`]). Both answer a batch of seeds in seed order, so the output does
//! not depend on how many workers there are.

use anyhow::Context;
use calt_algebra::pyrandom::{SEED_LANES, SeedBatch};
use calt_algebra::tasks::SampleStats;
use calt_algebra::{Sample, TaskSpec};
use rayon::prelude::*;
use std::cell::RefCell;
use std::time::Instant;

use super::seed_stream::Seeds;

/// One sample to generate: its index within the split and its seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedJob {
    pub index: u64,
    pub seed: u128,
}

/// A generated sample, already rendered as its two output lines (on the worker that made it:
/// rendering costs as much as drawing a gf17 sample), with its statistics and how long the
/// generator took.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The `problem # answer` line, or why the sample cannot be written as text.
    pub text: Result<String, String>,
    /// The JSON Lines record.
    pub json: String,
    pub stats: SampleStats,
    pub seconds: f64,
}

impl Generated {
    pub fn new(sample: &Sample, stats: SampleStats, seconds: f64) -> Self {
        Generated {
            text: sample.text_line(),
            json: sample.json_line(),
            stats,
            seconds,
        }
    }
}

/// Produces samples for batches of seeds.
pub trait SampleSource {
    /// One result per job, in job order; `None` where the generator skips that seed.
    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>>;

    /// Whether the source draws from Python's `random` seeded with each sample's seed (the
    /// built-in tasks): the seed stream then seeds those generators ahead, on its own thread.
    fn draws_python_random(&self) -> bool {
        false
    }

    /// Ends the source after the last batch (external children are asked to exit).
    fn close(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A built-in task on `n_jobs` threads.
pub struct BuiltinSource {
    task: TaskSpec,
    /// The workers; `None` for one job, which runs on the thread that asks for the batches:
    /// handing each batch to a one-thread pool and waiting for it left that worker idle for
    /// about a quarter of a 21k-sample gf17 run.
    pool: Option<rayon::ThreadPool>,
}

impl BuiltinSource {
    pub fn new(task: TaskSpec, n_jobs: usize) -> anyhow::Result<Self> {
        let pool = if n_jobs > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n_jobs)
                .thread_name(|i| format!("calt-generate-{i}"))
                .build()
                .context("cannot start the worker threads")?;
            Some(pool)
        } else {
            None
        };
        Ok(BuiltinSource { task, pool })
    }
}

thread_local! {
    /// Each worker thread's seeding buffers (a few hundred KB), kept from chunk to chunk:
    /// setting them up afresh for every chunk cost more than the seeding itself.
    static SEEDER: RefCell<SeedBatch> = RefCell::new(SeedBatch::default());
}

impl SampleSource for BuiltinSource {
    fn draws_python_random(&self) -> bool {
        true
    }

    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>> {
        let task = self.task.as_task();
        let name = self.task.name();
        let jobs = &seeds.jobs;
        // Generators seeded ahead by the seed stream (one per job), or none: then the workers
        // seed them.
        let prepared = if seeds.rngs.len() == jobs.len() {
            &seeds.rngs[..]
        } else {
            &[]
        };
        let run_chunk = |(k, chunk): (usize, &[SeedJob])| {
            SEEDER.with_borrow_mut(|seeder| {
                // Each sample is charged its share of the seeding time (generators are
                // seeded a chunk at a time, several times faster than one by one), plus
                // the time from the previous sample's end to its own (drawing and
                // rendering it): one clock reading per sample.
                let start = Instant::now();
                let mut seeding = [0.0f64; SEED_LANES];
                let first = k * SEED_LANES;
                let rngs = match prepared.get(first..first + chunk.len()) {
                    Some(ahead) => {
                        for (share, p) in seeding.iter_mut().zip(ahead) {
                            *share = p.seconds;
                        }
                        seeder.adopt(ahead.iter().map(|p| &p.state))
                    }
                    None => {
                        let mut values = [0u128; SEED_LANES];
                        for (value, job) in values.iter_mut().zip(chunk) {
                            *value = job.seed;
                        }
                        let rngs = seeder.seed(&values[..chunk.len()]);
                        seeding.fill(start.elapsed().as_secs_f64() / chunk.len() as f64);
                        rngs
                    }
                };
                let mut previous_end = Instant::now();
                chunk
                    .iter()
                    .zip(rngs.iter_mut())
                    .zip(seeding)
                    .map(|((job, rng), seeding)| {
                        let drawn = task.draw(rng).with_context(|| {
                            format!(
                                "task {name}, split {split}, index {} (seed {})",
                                job.index, job.seed
                            )
                        })?;
                        let Some((sample, stats)) = drawn else {
                            // A skipped seed's time is charged to no sample.
                            previous_end = Instant::now();
                            return Ok(None);
                        };
                        let mut generated = Generated::new(&sample, stats, 0.0);
                        let end = Instant::now();
                        generated.seconds = seeding + (end - previous_end).as_secs_f64();
                        previous_end = end;
                        Ok(Some(generated))
                    })
                    .collect::<Vec<anyhow::Result<Option<Generated>>>>()
            })
        };
        let results: Vec<Vec<_>> = match &self.pool {
            Some(pool) => pool.install(|| {
                jobs.par_chunks(SEED_LANES)
                    .enumerate()
                    .map(run_chunk)
                    .collect()
            }),
            None => jobs.chunks(SEED_LANES).enumerate().map(run_chunk).collect(),
        };
        results.into_iter().flatten().collect()
    }
}
