//! Helpers shared by the CLI integration tests: the repository root and running `calt`.
// Each test file uses some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
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

/// All of a successful run's output (stdout, then stderr); a failed run fails the test with it.
pub fn ok(out: &Output) -> String {
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "calt failed:\n{all}");
    all
}

/// `calt train` on the CPU with `dir`'s train.yaml.
pub fn train_cpu(dir: &Path) -> Output {
    let config = dir.join("train.yaml");
    calt(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--device",
        "cpu",
    ])
}
