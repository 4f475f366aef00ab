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
