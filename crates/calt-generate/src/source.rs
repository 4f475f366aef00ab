//! Where samples come from: a built-in task run on a rayon pool, or an external command
//! (see [`super::external`]). Both answer a batch of seeds in seed order, so the output does
//! not depend on how many workers there are.

use anyhow::Context;
use calt_algebra::TaskSpec;
use calt_algebra::pyrandom::{SEED_LANES, SeedBatch};
use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::lock;
use super::sample::Generated;
use super::seed_stream::Seeds;

/// Produces samples for batches of seeds.
pub trait SampleSource {
    /// One result per job, in job order; `None` where the generator skips that seed.
    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>>;

    /// Whether the source draws from Python's `random` seeded with each sample's seed (the
    /// built-in tasks): the seed stream then seeds those generators ahead, on its own thread.
    fn draws_python_random(&self) -> bool {
        false
    }

    /// The time the split's samples took where they were generated, when that was not this
    /// run (merged shards): the split's `total_time` then reports it instead of this run's.
    fn generation_seconds(&self, _split: &str) -> Option<f64> {
        None
    }

    /// Ends the source after the last batch (external children are asked to exit).
    fn close(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

/// A built-in task on `n_jobs` threads: the thread that asks for the batches and `n_jobs - 1`
/// helpers. Handing every batch to a pool and waiting for it left the workers idle for about
/// a quarter of a 21k-sample gf17 run (one job); the asking thread now works on the batch too.
pub struct BuiltinSource {
    task: TaskSpec,
    helpers: Option<rayon::ThreadPool>,
}

impl BuiltinSource {
    pub fn new(task: TaskSpec, n_jobs: usize) -> anyhow::Result<Self> {
        let helpers = if n_jobs > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n_jobs - 1)
                .thread_name(|i| format!("calt-generate-{}", i + 1))
                .build()
                .context("cannot start the worker threads")?;
            Some(pool)
        } else {
            None
        };
        Ok(BuiltinSource { task, helpers })
    }
}

/// `work(k)` for `k` in `0..count`, on this thread and every thread of `helpers`, each taking
/// the next `k` when it is free (chunks of a polynomial task differ in cost); results in `k`
/// order.
fn on_all_workers<R: Send>(
    helpers: Option<&rayon::ThreadPool>,
    count: usize,
    work: impl Fn(usize) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let take_turns = || {
        let mut mine = Vec::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= count {
                return mine;
            }
            mine.push((k, work(k)));
        }
    };
    let mut done = match helpers {
        None => take_turns(),
        Some(pool) => {
            let from_helpers = Mutex::new(Vec::new());
            // The scope returns once the helpers' tasks have finished too.
            let mut mine = pool.in_place_scope(|scope| {
                for _ in 0..pool.current_num_threads() {
                    scope.spawn(|_| {
                        let theirs = take_turns();
                        lock(&from_helpers).extend(theirs);
                    });
                }
                take_turns()
            });
            mine.append(&mut lock(&from_helpers));
            mine
        }
    };
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

thread_local! {
    /// Each worker thread's generators, kept from chunk to chunk (they adopt the states the
    /// seed stream prepared; setting them up afresh for every chunk cost more than drawing).
    static GENERATORS: RefCell<SeedBatch> = RefCell::new(SeedBatch::default());
}

impl SampleSource for BuiltinSource {
    /// The seed stream seeds every sample's generator ahead (see `seed_stream`), so the
    /// workers only draw.
    fn draws_python_random(&self) -> bool {
        true
    }

    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>> {
        let task = self.task.as_task();
        let name = self.task.name();
        let jobs = &seeds.jobs;
        anyhow::ensure!(
            seeds.rngs.len() == jobs.len(),
            "split {split}: {} seeds came with {} generator states",
            jobs.len(),
            seeds.rngs.len()
        );
        let run_chunk = |k: usize| {
            let first = k * SEED_LANES;
            let last = (first + SEED_LANES).min(jobs.len());
            let (chunk, prepared) = (&jobs[first..last], &seeds.rngs[first..last]);
            GENERATORS.with_borrow_mut(|generators| {
                let rngs = generators.adopt(prepared.iter().map(|p| &p.state));
                // Each sample is charged its share of the seeding time (measured by the seed
                // stream), plus the time from the previous sample's end to its own (drawing
                // and rendering it): one clock reading per sample.
                let mut previous_end = Instant::now();
                chunk
                    .iter()
                    .zip(rngs.iter_mut())
                    .zip(prepared)
                    .map(|((job, rng), prepared)| {
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
                        generated.seconds = prepared.seconds + (end - previous_end).as_secs_f64();
                        previous_end = end;
                        Ok(Some(generated))
                    })
                    .collect::<Vec<anyhow::Result<Option<Generated>>>>()
            })
        };
        let chunks = jobs.len().div_ceil(SEED_LANES);
        let results = on_all_workers(self.helpers.as_ref(), chunks, run_chunk);
        results.into_iter().flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeedJob;

    #[test]
    fn seeds_without_their_generator_states_are_refused() {
        let task = calt_algebra::TaskSpec::default_for("gf17_addition").unwrap();
        let mut source = BuiltinSource::new(task, 1).unwrap();
        let seeds = Seeds {
            jobs: vec![SeedJob { index: 0, seed: 1 }],
            rngs: Vec::new(),
        };
        let err = source.generate("train", &seeds).unwrap_err();
        assert!(
            err.to_string()
                .contains("1 seeds came with 0 generator states")
        );
    }

    #[test]
    fn every_chunk_is_worked_once_and_results_come_in_order() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        for helpers in [None, Some(&pool)] {
            let calls = AtomicUsize::new(0);
            let out = on_all_workers(helpers, 1000, |k| {
                calls.fetch_add(1, Ordering::Relaxed);
                k * 3
            });
            assert_eq!(calls.load(Ordering::Relaxed), 1000);
            assert_eq!(out, (0..1000).map(|k| k * 3).collect::<Vec<_>>());
            assert!(on_all_workers(helpers, 0, |k| k).is_empty());
        }
    }
}
