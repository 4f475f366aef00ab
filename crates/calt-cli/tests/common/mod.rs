//! Helpers shared by the CLI integration tests: the repository root and running `calt`.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root (configs/, tests/data/).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the `calt` binary built for these tests.
pub fn calt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_calt"))
        .args(args)
        .output()
        .expect("run calt")
}

/// Process output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
