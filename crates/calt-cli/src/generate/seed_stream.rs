//! A split's seeds in index order, derived on a helper thread ahead of the batches that use
//! them. Derived on the thread that hands batches to the workers (one SHA-256 per sample),
//! they kept the workers waiting for a tenth of a gf17 run.

use super::source::SeedJob;
use calt_algebra::SplitSeeds;
use std::sync::mpsc::{Receiver, sync_channel};

/// Seeds derived per message.
const CHUNK: u64 = 256;

/// Chunks derived ahead of use; what a split does not use is at most this much wasted work.
const AHEAD: usize = 4;

/// Hands out consecutive seeds, starting at index 0.
pub struct SeedStream {
    seeds: SplitSeeds,
    chunks: Receiver<Vec<SeedJob>>,
    /// Derived, not yet handed out.
    ready: std::collections::VecDeque<SeedJob>,
    /// The index after the last one received or derived here.
    next_index: u64,
}

impl SeedStream {
    /// The next `n` seeds.
    pub fn take(&mut self, n: u64) -> Vec<SeedJob> {
        while (self.ready.len() as u64) < n {
            match self.chunks.recv() {
                Ok(chunk) => {
                    self.next_index += chunk.len() as u64;
                    self.ready.extend(chunk);
                }
                // The helper is gone (it only stops when told to): derive the rest here.
                Err(_) => {
                    let index = self.next_index;
                    self.next_index += 1;
                    self.ready.push_back(job(&self.seeds, index));
                }
            }
        }
        self.ready.drain(..n as usize).collect()
    }
}

fn job(seeds: &SplitSeeds, index: u64) -> SeedJob {
    SeedJob {
        index,
        seed: seeds.seed(index),
    }
}

/// Runs `work` with the seeds of `"{root_seed}_{split}_{index}"`; the helper thread stops when
/// `work` returns.
pub fn with_seed_stream<R>(
    root_seed: i64,
    split: &str,
    work: impl FnOnce(&mut SeedStream) -> R,
) -> R {
    let seeds = SplitSeeds::new(root_seed, split);
    let (sender, chunks) = sync_channel(AHEAD);
    std::thread::scope(|scope| {
        let helper_seeds = seeds.clone();
        scope.spawn(move || {
            let mut start = 0u64;
            // Ends when the stream is dropped (the send fails) or the indices run out.
            while let Some(end) = start.checked_add(CHUNK) {
                let chunk: Vec<SeedJob> = (start..end).map(|i| job(&helper_seeds, i)).collect();
                if sender.send(chunk).is_err() {
                    break;
                }
                start = end;
            }
        });
        let mut stream = SeedStream {
            seeds,
            chunks,
            ready: Default::default(),
            next_index: 0,
        };
        // `stream` (the receiving end) is dropped before the scope waits for the helper.
        work(&mut stream)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use calt_algebra::sample_seed;

    #[test]
    fn seeds_come_in_index_order_across_chunks() {
        let taken = with_seed_stream(42, "train", |stream| {
            let mut all = stream.take(3);
            all.extend(stream.take(600));
            all.extend(stream.take(0));
            all.extend(stream.take(1));
            all
        });
        assert_eq!(taken.len(), 604);
        for (i, job) in taken.iter().enumerate() {
            assert_eq!(job.index, i as u64);
            assert_eq!(job.seed, sample_seed(42, "train", i as u64));
        }
    }
}
