//! Dataset generation behind `calt generate` and `calt bench-generate`: per-sample seeds,
//! train before test, batches on a worker pool or external commands, CALT's files.

mod dedupe;
pub mod external;
pub mod source;
mod split;
mod stats;
pub mod task_spec;
mod writer;

pub use source::{BuiltinSource, SampleSource};

use dedupe::Dedupe;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use split::{SplitPlan, SplitReport, generate_split};
use std::io::IsTerminal;
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

/// Generates the train split, then the test split, into `save_dir`.
pub fn generate_dataset(
    opts: &RunOptions,
    source: &mut dyn SampleSource,
) -> anyhow::Result<Vec<(&'static str, SplitReport)>> {
    let mut dedupe = Dedupe::new(opts.drop_duplicates, opts.drop_test_in_train);
    let mut reports = Vec::new();
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
        let report = generate_split(&plan, &opts.save_dir, source, &mut dedupe, &bar)?;
        bar.finish_and_clear();
        reports.push((name, report));
    }
    Ok(reports)
}

fn progress_bar(split: &str, total: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>5} {bar:30} {pos}/{len} {per_sec} [{elapsed_precise}<{eta_precise}]",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_prefix(split.to_string());
    bar
}
