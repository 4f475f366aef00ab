//! Paths shared by the integration tests.

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

use std::path::PathBuf;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file under `tests/data/`.
pub fn data(path: &str) -> PathBuf {
    repo_root().join("tests/data").join(path)
}

/// The lexer.yaml behind a golden record's `vocab` field.
pub fn example_lexer_path(vocab: &str) -> PathBuf {
    let task = vocab
        .strip_prefix("examples/")
        .and_then(|s| s.strip_suffix("/configs/lexer.yaml"))
        .expect("example vocab path");
    if task == "demos" {
        data("demos_lexer.yaml")
    } else {
        repo_root().join("configs").join(task).join("lexer.yaml")
    }
}

/// `count` digit sequences (tokens 3..=10) of `min_len` to `min_len + spread - 1` tokens and
/// their reversals, each wrapped as `[BOS = 1, …, EOS = 2]`: a task small models learn, with
/// lengths that make batches pad differently.
pub fn reversal_pairs(
    count: usize,
    min_len: usize,
    spread: usize,
    seed: u64,
) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rng = calt_core::model::init::SplitMix64::new(seed);
    (0..count)
        .map(|_| {
            let len = min_len + rng.below(spread);
            let xs: Vec<u32> = (0..len).map(|_| 3 + rng.below(8) as u32).collect();
            let wrap = |v: Vec<u32>| [vec![1], v, vec![2]].concat();
            (wrap(xs.clone()), wrap(xs.into_iter().rev().collect()))
        })
        .collect()
}
