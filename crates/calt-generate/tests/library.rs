//! Datasets generated through the library alone: CALT's own files reproduced in memory, and
//! the threaded run writing the same bytes as the one-thread generator.

use std::path::{Path, PathBuf};

use calt_algebra::TaskSpec;
use calt_generate::in_memory::{self, SplitText};
use calt_generate::task_spec::load_data_yaml;
use calt_generate::{BuiltinSource, Dedupe, NoProgress, RunOptions, generate_dataset};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The task block of a shipped data.yaml.
fn shipped_task(task: &str) -> TaskSpec {
    let path = repo().join("configs").join(task).join("data.yaml");
    load_data_yaml(&path).unwrap().1.unwrap()
}

fn in_memory(
    task: &TaskSpec,
    root_seed: i64,
    sizes: (u64, u64),
    dedupe: &mut Dedupe,
) -> (SplitText, SplitText) {
    in_memory::generate_dataset(task, root_seed, sizes, dedupe, &NoProgress).unwrap()
}

#[test]
fn calt_files_are_reproduced_in_memory() {
    let gf17 = shipped_task("gf17_addition");
    let (train, test) = in_memory(&gf17, 42, (1000, 100), &mut Dedupe::new(false, false));
    let golden = repo().join("tests/data/generated_golden/gf17_root42");
    assert_eq!(train.raw, read(&golden.join("train_raw_head.txt")));
    assert_eq!(test.raw, read(&golden.join("test_raw_head.txt")));
    assert_eq!(
        train.jsonl.lines().next(),
        Some(r#"{"problem": "13,13,14,2", "answer": "13,9,6,8"}"#)
    );
    assert_eq!((train.written, test.written), (1000, 100));

    for (task, root_seed) in [("gf17_addition", 100), ("integer_factorization", 42)] {
        let spec = shipped_task(task);
        let (train, test) = in_memory(&spec, root_seed, (100, 10), &mut Dedupe::new(false, false));
        let sample = repo().join("tests/data/sample_data").join(task);
        assert_eq!(train.raw, read(&sample.join("train_raw.txt")), "{task}");
        assert_eq!(test.raw, read(&sample.join("test_raw.txt")), "{task}");
    }
}

#[test]
fn the_threaded_run_writes_what_one_thread_generates() {
    // Small integers repeat, so both kinds of de-duplication leave samples out.
    let task = shipped_task("integer_factorization");
    let dir = tempfile::tempdir().unwrap();
    let options = RunOptions {
        drop_duplicates: true,
        drop_test_in_train: true,
        ..RunOptions::quiet(dir.path().to_path_buf(), 3000, 500, 64)
    };
    let mut source = BuiltinSource::new(task.clone(), 2).unwrap();
    let reports = generate_dataset(&options, &mut source, &NoProgress).unwrap();
    let (train, test) = in_memory(&task, 42, (3000, 500), &mut Dedupe::new(true, true));
    assert!(
        train.written < 3000 && test.written < 500,
        "nothing was dropped"
    );
    for ((split, report), expected) in reports.iter().zip([&train, &test]) {
        assert_eq!(report.written, expected.written, "{split}");
        assert_eq!(
            read(&dir.path().join(format!("{split}_raw.txt"))),
            expected.raw
        );
        assert_eq!(
            read(&dir.path().join(format!("{split}_data.jsonl"))),
            expected.jsonl
        );
    }
    // The statistics agree but for the times.
    let without_times = |yaml: &str| -> Vec<String> {
        let mut in_times = false;
        let mut kept = Vec::new();
        for line in yaml.lines() {
            if !line.starts_with(' ') {
                in_times = line.starts_with("generation_time:");
            }
            let timed = line.starts_with("total_time:") || line.starts_with("samples_per_second:");
            if !in_times && !timed {
                kept.push(line.to_string());
            }
        }
        kept
    };
    for (split, expected) in [("train", &train), ("test", &test)] {
        let stats = read(&dir.path().join(format!("{split}_stats.yaml")));
        assert_eq!(
            without_times(&stats),
            without_times(&expected.stats_yaml),
            "{split}"
        );
    }
    assert!(
        test.stats_yaml.contains("test_in_train_dropped"),
        "{}",
        test.stats_yaml
    );
}
