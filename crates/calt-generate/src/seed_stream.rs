//! A split's seeds in index order, derived on a helper thread ahead of the batches that use
//! them, together with (for the built-in tasks) each seed's Python `random` state. Derived on
//! the thread that hands batches to the workers (one SHA-256 per sample), the seeds kept the
//! workers waiting for a tenth of a gf17 run; seeding the generators (a chain of 1247
//! multiplications per seed) was another tenth of each worker's time.

use super::lock;
use super::sample::SeedJob;
use calt_algebra::SplitSeeds;
use calt_algebra::pyrandom::{SEED_LANES, SeedAhead, SeededState};
use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};
use std::time::Instant;

/// Seeds derived per message.
const CHUNK: u64 = 256;

/// Chunks derived ahead of use: more than a whole batch (`split::PIPELINE_BATCH`), so that the
/// workers never wait for the rest of a batch while the helper idles (with 4 chunks, short of
/// a 2048-seed batch, helper and worker took turns: 400k gf17 samples on one worker ran about
/// a quarter slower). What a split does not use is at most this much wasted work.
const AHEAD: usize = 6;

/// A generator state seeded ahead, and the seeding's share of time (charged to the sample).
pub struct PreparedRng {
    pub state: SeededState,
    pub seconds: f64,
}

/// Consecutive seeds and, when the stream prepares them, their generator states (same order).
#[derive(Default)]
pub struct Seeds {
    pub jobs: Vec<SeedJob>,
    pub rngs: Vec<PreparedRng>,
}

/// Which indices of a split a stream hands out: `first`, `first + step`, … (a shard's part of
/// the split); [`Stride::ALL`] is every index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stride {
    pub first: u64,
    pub step: u64,
}

impl Stride {
    pub const ALL: Stride = Stride { first: 0, step: 1 };

    /// The index at this position of the stream, `None` past `u64::MAX`.
    fn index(self, position: u64) -> Option<u64> {
        position
            .checked_mul(self.step)
            .and_then(|offset| offset.checked_add(self.first))
    }
}

/// Hands out the seeds of a [`Stride`]'s indices in order.
pub struct SeedStream {
    seeds: SplitSeeds,
    stride: Stride,
    /// Seeds generators here if the helper is gone (`None`: the stream prepares none).
    rngs_ahead: Option<SeedAhead>,
    chunks: Receiver<Seeds>,
    /// Derived, not yet handed out.
    ready: VecDeque<SeedJob>,
    ready_rngs: VecDeque<PreparedRng>,
    /// The stream position after the last one received or derived here.
    next_position: u64,
}

impl SeedStream {
    /// The next `n` seeds.
    pub fn take(&mut self, n: u64) -> Seeds {
        while (self.ready.len() as u64) < n {
            let chunk = match self.chunks.recv() {
                Ok(chunk) => chunk,
                // The helper is gone (it only stops when told to): derive the rest here.
                Err(_) => derive(
                    &self.seeds,
                    self.stride,
                    self.next_position,
                    CHUNK,
                    self.rngs_ahead.as_mut(),
                ),
            };
            if chunk.jobs.is_empty() {
                // Every index is handed out; a split never gets near this.
                break;
            }
            self.next_position += chunk.jobs.len() as u64;
            self.ready.extend(chunk.jobs);
            self.ready_rngs.extend(chunk.rngs);
        }
        let n = (n as usize).min(self.ready.len());
        Seeds {
            jobs: self.ready.drain(..n).collect(),
            rngs: self
                .ready_rngs
                .drain(..n.min(self.ready_rngs.len()))
                .collect(),
        }
    }
}

/// The seeds of `count` stream positions from `start` on (fewer where the indices run out)
/// and, if asked, their generator states.
fn derive(
    seeds: &SplitSeeds,
    stride: Stride,
    start: u64,
    count: u64,
    rngs_ahead: Option<&mut SeedAhead>,
) -> Seeds {
    let end = start.saturating_add(count);
    let jobs: Vec<SeedJob> = (start..end)
        .map_while(|position| stride.index(position))
        .map(|index| SeedJob {
            index,
            seed: seeds.seed(index),
        })
        .collect();
    let rngs = match rngs_ahead {
        Some(ahead) => prepare_rngs(&jobs, ahead),
        None => Vec::new(),
    };
    Seeds { jobs, rngs }
}

/// The generator states of `jobs`, seeded [`SEED_LANES`] at a time, each charged its share of
/// the seeding time.
pub fn prepare_rngs(jobs: &[SeedJob], ahead: &mut SeedAhead) -> Vec<PreparedRng> {
    let mut rngs = Vec::with_capacity(jobs.len());
    for lanes in jobs.chunks(SEED_LANES) {
        let started = Instant::now();
        let states = ahead.seed(lanes.iter().map(|job| job.seed));
        let seconds = started.elapsed().as_secs_f64() / lanes.len() as f64;
        rngs.extend(
            states
                .into_iter()
                .map(|state| PreparedRng { state, seconds }),
        );
    }
    rngs
}

/// Seeding tables kept from split to split: a split that starts without any allocates and
/// zeroes the ~40 it keeps in flight (6 MB) while its first batches wait for their seeds.
static SPARE_TABLES: Mutex<Option<SeedAhead>> = Mutex::new(None);

/// The tables the last split left, or none (two splits at once: the second starts afresh).
fn spare_tables() -> SeedAhead {
    lock(&SPARE_TABLES).take().unwrap_or_default()
}

/// Runs `work` with the seeds of `"{root_seed}_{split}_{index}"` for the stride's indices (and
/// their generator states when `prepare_rngs`); the helper thread stops when `work` returns.
pub fn with_seed_stream<R>(
    root_seed: i64,
    split: &str,
    stride: Stride,
    prepare_rngs: bool,
    work: impl FnOnce(&mut SeedStream) -> R,
) -> R {
    let seeds = SplitSeeds::new(root_seed, split);
    let (sender, chunks) = sync_channel(AHEAD);
    std::thread::scope(|scope| {
        let helper_seeds = seeds.clone();
        scope.spawn(move || {
            let mut start = 0u64;
            let mut rngs_ahead = prepare_rngs.then(spare_tables);
            // Ends when the stream is dropped (the send fails) or the indices run out.
            loop {
                let chunk = derive(&helper_seeds, stride, start, CHUNK, rngs_ahead.as_mut());
                start = start.saturating_add(CHUNK);
                if chunk.jobs.is_empty() || sender.send(chunk).is_err() {
                    break;
                }
            }
            if let Some(tables) = rngs_ahead {
                *lock(&SPARE_TABLES) = Some(tables);
            }
        });
        let mut stream = SeedStream {
            seeds,
            stride,
            rngs_ahead: prepare_rngs.then(SeedAhead::default),
            chunks,
            ready: VecDeque::new(),
            ready_rngs: VecDeque::new(),
            next_position: 0,
        };
        // `stream` (the receiving end) is dropped before the scope waits for the helper.
        work(&mut stream)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use calt_algebra::pyrandom::SeedBatch;
    use calt_algebra::{PyRandom, sample_seed};

    #[test]
    fn seeds_come_in_index_order_across_chunks() {
        // The second prepared stream starts from the tables the first one left.
        for prepare in [false, true, true] {
            let taken = with_seed_stream(42, "train", Stride::ALL, prepare, |stream| {
                let mut all = Seeds::default();
                for n in [3, 600, 0, 1] {
                    let seeds = stream.take(n);
                    all.jobs.extend(seeds.jobs);
                    all.rngs.extend(seeds.rngs);
                }
                all
            });
            assert_eq!(taken.jobs.len(), 604);
            for (i, job) in taken.jobs.iter().enumerate() {
                assert_eq!(job.index, i as u64);
                assert_eq!(job.seed, sample_seed(42, "train", i as u64));
            }
            if !prepare {
                assert!(taken.rngs.is_empty());
                continue;
            }
            assert_eq!(taken.rngs.len(), 604);
            let mut batch = SeedBatch::default();
            for (job, prepared) in taken.jobs.iter().zip(&taken.rngs).step_by(37) {
                let rng = &mut batch.adopt(std::iter::once(&prepared.state))[0];
                let mut reference = PyRandom::new(job.seed);
                for _ in 0..50 {
                    assert_eq!(rng.next_u32(), reference.next_u32(), "index {}", job.index);
                }
            }
        }
    }

    #[test]
    fn a_stride_hands_out_every_nth_index() {
        let stride = Stride { first: 2, step: 7 };
        let taken = with_seed_stream(42, "test", stride, true, |stream| stream.take(300));
        let indices: Vec<u64> = taken.jobs.iter().map(|j| j.index).collect();
        assert_eq!(indices, (0..300).map(|k| 2 + 7 * k).collect::<Vec<_>>());
        assert_eq!(taken.rngs.len(), 300);
        assert_eq!(taken.jobs[5].seed, sample_seed(42, "test", 37));
    }
}
