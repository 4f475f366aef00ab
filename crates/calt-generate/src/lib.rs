//! Dataset generation: CALT's per-sample seeds, the built-in tasks or an external generator,
//! de-duplication, and CALT's files (`{split}_raw.txt`, `{split}_data.jsonl`,
//! `{split}_stats.yaml`).
//!
//! The main path of a split: sample `index` gets the seed SHA-256(`"{root_seed}_{split}_{index}"`)
//! ([`calt_algebra::SplitSeeds`]); the task draws a sample from Python's `random` seeded with it
//! or skips the seed; indices are taken in order until the split has its count; each sample is
//! rendered once into its text and JSON lines ([`Generated`]); [`Dedupe`] may leave some out;
//! the lines are written in index order. Train is generated before test, so test-in-train
//! de-duplication sees the whole train split.
//!
//! [`in_memory`] does that on one thread without files (it builds for wasm32: a browser page
//! generates with it). Natively, [`run::generate_dataset`] does the same with the seeds derived
//! ahead on a helper thread, batches on a worker pool ([`BuiltinSource`]) or external commands
//! ([`external::ExternalSource`]), and files written atomically; the bytes are the same.
//! [`shard`] splits that run over machines (shard `K/N` takes every N-th index) and merges the
//! shards back into the same bytes.

mod dedupe;
pub mod in_memory;
mod sample;
mod stats;
pub mod task_record;
pub mod task_spec;

#[cfg(not(target_arch = "wasm32"))]
mod early_sync;
#[cfg(not(target_arch = "wasm32"))]
pub mod external;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod fake_source;
#[cfg(not(target_arch = "wasm32"))]
pub mod run;
#[cfg(not(target_arch = "wasm32"))]
mod seed_stream;
#[cfg(not(target_arch = "wasm32"))]
pub mod shard;
#[cfg(not(target_arch = "wasm32"))]
mod source;
#[cfg(not(target_arch = "wasm32"))]
mod split;
#[cfg(not(target_arch = "wasm32"))]
mod writer;

pub use dedupe::Dedupe;
#[cfg(not(target_arch = "wasm32"))]
pub use run::{RunOptions, generate_dataset};
pub use sample::{Generated, SeedJob};
#[cfg(not(target_arch = "wasm32"))]
pub use shard::{Shard, generate_shards, merge_shards};
#[cfg(not(target_arch = "wasm32"))]
pub use source::{BuiltinSource, SampleSource};
#[cfg(not(target_arch = "wasm32"))]
pub use split::SplitReport;

/// How far a run has got, for a front end to show (a progress bar, a page's counter).
/// Every method does nothing by default.
pub trait Progress: Sync {
    fn split_started(&self, _split: &str, _total: u64) {}
    /// `count` more samples of the current split are generated.
    fn generated(&self, _count: u64) {}
    fn split_finished(&self, _split: &str) {}
}

/// Shows nothing.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A generator that skips this many seeds per requested sample has a problem; generation
/// stops rather than spin forever.
const MAX_SKIPS_PER_SAMPLE: u64 = 1000;

/// An error once a split has skipped too many seeds for the samples it produced.
fn check_skips(split: &str, skipped: u64, produced: u64) -> anyhow::Result<()> {
    anyhow::ensure!(
        skipped <= MAX_SKIPS_PER_SAMPLE * (produced + 1),
        "split {split}: the generator skipped {skipped} seeds and produced only {produced} \
         samples; check the task parameters"
    );
    Ok(())
}

/// The lock's data, also after a thread panicked holding it: what the lock guards here stays
/// usable either way, and the panic itself is reported where that thread is joined.
#[cfg(not(target_arch = "wasm32"))]
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
