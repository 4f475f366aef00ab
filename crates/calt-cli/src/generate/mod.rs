//! Dataset generation behind `calt generate` and `calt bench-generate`: per-sample seeds,
//! train before test, batches on a worker pool or external commands, CALT's files.

mod dedupe;
mod early_sync;
pub mod external;
#[cfg(test)]
mod fake_source;
mod seed_stream;
pub mod source;
mod split;
mod stats;
pub mod task_spec;
mod writer;

pub use source::{BuiltinSource, SampleSource};

/// The lock's data, also after a thread panicked holding it: what the lock guards here stays
/// usable either way, and the panic itself is reported where that thread is joined.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

use dedupe::Dedupe;
use indicatif::ProgressBar;
use split::{SplitPlan, SplitReport, generate_split};
use std::path::PathBuf;

/// Everything a run needs besides the sample source.
#[derive(Clone, Debug)]
pub struct RunOptions {
    pub save_dir: PathBuf,
    pub num_train_samples: u64,
    pub num_test_samples: u64,
    pub batch_size: u64,
    pub root_seed: i64,
    pub save_text: bool,
    pub save_json: bool,
    pub drop_duplicates: bool,
    pub drop_test_in_train: bool,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

impl RunOptions {
    /// A run without a progress bar that writes both files and drops nothing, at CALT's
    /// example root seed (42): what benchmarks and tests generate.
    pub fn quiet(save_dir: PathBuf, train: u64, test: u64, batch_size: u64) -> Self {
        RunOptions {
            save_dir,
            num_train_samples: train,
            num_test_samples: test,
            batch_size,
            root_seed: 42,
            save_text: true,
            save_json: true,
            drop_duplicates: false,
            drop_test_in_train: false,
            progress: false,
        }
    }
}

/// Generates the train split, then the test split, into `save_dir`.
pub fn generate_dataset(
    opts: &RunOptions,
    source: &mut dyn SampleSource,
) -> anyhow::Result<Vec<(&'static str, SplitReport)>> {
    let mut dedupe = Dedupe::new(opts.drop_duplicates, opts.drop_test_in_train);
    let mut reports = Vec::new();
    std::thread::scope(|scope| {
        // The previous split's files are synced and moved into place while the next split is
        // generated; they are in place before the next split's files are.
        let mut committing = None;
        for (name, count) in [
            ("train", opts.num_train_samples),
            ("test", opts.num_test_samples),
        ] {
            // Configs require positive sizes; a size of 0 only comes from the benchmark.
            if count == 0 {
                continue;
            }
            let plan = SplitPlan {
                name,
                count,
                batch_size: opts.batch_size,
                root_seed: opts.root_seed,
                save_text: opts.save_text,
                save_json: opts.save_json,
            };
            let bar = progress_bar(name, count, opts.progress);
            let generated = generate_split(&plan, &opts.save_dir, source, &mut dedupe, &bar);
            bar.finish_and_clear();
            if let Some(previous) = committing.take() {
                reports.push(join_commit(previous)?);
            }
            let generated = generated?;
            committing = Some((name, scope.spawn(move || generated.commit())));
        }
        if let Some(last) = committing {
            reports.push(join_commit(last)?);
        }
        Ok(reports)
    })
}

type Committing<'scope> = (
    &'static str,
    std::thread::ScopedJoinHandle<'scope, anyhow::Result<SplitReport>>,
);

fn join_commit((name, handle): Committing<'_>) -> anyhow::Result<(&'static str, SplitReport)> {
    let report = handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    Ok((name, report))
}

fn progress_bar(split: &str, total: u64, wanted: bool) -> ProgressBar {
    if !wanted {
        return ProgressBar::hidden();
    }
    let bar = crate::progress::bar(
        total,
        "{prefix:>5} {bar:30} {pos}/{len} {per_sec} [{elapsed_precise}<{eta_precise}]",
    );
    bar.set_prefix(split.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::fake_source::FakeSource;
    use super::*;

    fn options(dir: &std::path::Path) -> RunOptions {
        RunOptions::quiet(dir.to_path_buf(), 3000, 50, 1000)
    }

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_splits_are_committed_with_their_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let reports = generate_dataset(&options(dir.path()), &mut FakeSource::default()).unwrap();
        let written: Vec<(&str, u64)> = reports.iter().map(|(n, r)| (*n, r.written)).collect();
        assert_eq!(written, [("train", 3000), ("test", 50)]);
        assert_eq!(
            names(dir.path()),
            [
                "test_data.jsonl",
                "test_raw.txt",
                "test_stats.yaml",
                "train_data.jsonl",
                "train_raw.txt",
                "train_stats.yaml"
            ]
        );
        let train = std::fs::read_to_string(dir.path().join("train_raw.txt")).unwrap();
        assert_eq!(train.lines().count(), 3000);
        assert_eq!(train.lines().nth(2999), Some("2999 # 2999"));
    }

    #[test]
    fn a_failing_test_split_leaves_the_finished_train_split_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let source = &mut FakeSource {
            fail_split: Some("test"),
            ..FakeSource::default()
        };
        let err = generate_dataset(&options(dir.path()), source).unwrap_err();
        assert!(format!("{err:#}").contains("no test samples"), "{err:#}");
        assert_eq!(
            names(dir.path()),
            ["train_data.jsonl", "train_raw.txt", "train_stats.yaml"]
        );
    }
}
