//! `calt generate`: writes a dataset from data.yaml with a built-in task or an external
//! generator command.

use calt_core::native::resolve;
use calt_generate::external::ExternalSource;
use calt_generate::task_spec::load_data_yaml;
use calt_generate::{BuiltinSource, Progress, RunOptions, SampleSource, generate_dataset};
use indicatif::ProgressBar;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Generate `{split}_raw.txt`, `{split}_data.jsonl` and `{split}_stats.yaml` for the train and
/// test splits described by a data.yaml.
///
/// Samples come from the built-in task named in the config's `task:` block, or from
/// `--command`: a program that reads one seed per line and prints one JSON line
/// `{"problem": …, "answer": …}` per seed. The output is the same for any --n-jobs.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  calt generate --config configs/gf17_addition/data.yaml\n  \
calt generate --config configs/gf17_addition/data.yaml --command \"python3 examples/generators/gf_addition.py\""
)]
pub struct GenerateArgs {
    /// The data.yaml to generate from.
    #[arg(long, short)]
    config: PathBuf,
    /// External generator run with `sh -c` (overrides the config's task block).
    #[arg(long)]
    command: Option<String>,
    /// Workers (threads, or copies of --command); overrides dataset.n_jobs (-1 = all cores).
    #[arg(long, allow_negative_numbers = true)]
    n_jobs: Option<i64>,
    /// Seconds an external generator may take to answer one seed.
    #[arg(long, default_value_t = 60.0)]
    timeout_secs: f64,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

/// One progress bar per split (drawn only on a terminal, and not with --quiet).
struct SplitBar {
    bar: std::sync::Mutex<ProgressBar>,
    shown: bool,
}

impl SplitBar {
    fn bar(&self) -> std::sync::MutexGuard<'_, ProgressBar> {
        self.bar
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Progress for SplitBar {
    fn split_started(&self, split: &str, total: u64) {
        if self.shown {
            let bar = crate::progress::bar(
                total,
                "{prefix:>5} {bar:30} {pos}/{len} {per_sec} [{elapsed_precise}<{eta_precise}]",
            );
            bar.set_prefix(split.to_string());
            *self.bar() = bar;
        }
    }

    fn generated(&self, count: u64) {
        self.bar().inc(count);
    }

    fn split_finished(&self, _split: &str) {
        self.bar().finish_and_clear();
    }
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let source_name = args.config.display().to_string();
    let (mut config, task) = load_data_yaml(&args.config)?;
    if let Some(n) = args.n_jobs {
        config.dataset.n_jobs = n;
    }
    config.dataset.validate(&source_name)?;
    if !(args.timeout_secs > 0.0 && args.timeout_secs.is_finite()) {
        anyhow::bail!("--timeout-secs must be a positive number of seconds");
    }
    let d = &config.dataset;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let n_jobs = d.jobs(cores);
    let verbose = d.verbose && !args.quiet;
    let opts = RunOptions {
        save_dir: resolve(&args.config, &d.save_dir),
        num_train_samples: d.num_train_samples,
        num_test_samples: d.num_test_samples,
        batch_size: d.batch_size,
        root_seed: d.root_seed,
        save_text: d.save_text,
        save_json: d.save_json,
        drop_duplicates: d.drop_duplicates,
        drop_test_in_train: d.drop_test_in_train,
    };
    let (mut source, what): (Box<dyn SampleSource>, String) = match (&args.command, task) {
        (Some(command), _) => {
            let timeout = Duration::from_secs_f64(args.timeout_secs);
            let source = ExternalSource::start(command, n_jobs, timeout)?;
            (
                Box::new(source) as Box<dyn SampleSource>,
                format!("`{command}`"),
            )
        }
        (None, Some(spec)) => {
            let name = spec.name();
            let source = BuiltinSource::new(spec, n_jobs)?;
            (
                Box::new(source) as Box<dyn SampleSource>,
                format!("task {name}"),
            )
        }
        (None, None) => anyhow::bail!(
            "{source_name}: no `task:` block; name a built-in task (e.g. `task: {{name: gf17_addition}}`) \
             or pass --command with an external generator"
        ),
    };
    if verbose {
        eprintln!(
            "generating {} train + {} test samples with {what} on {n_jobs} worker(s) into {}",
            opts.num_train_samples,
            opts.num_test_samples,
            opts.save_dir.display()
        );
    }
    let bar = SplitBar {
        bar: std::sync::Mutex::new(ProgressBar::hidden()),
        shown: verbose,
    };
    let reports = generate_dataset(&opts, source.as_mut(), &bar)?;
    source.close()?;
    if verbose {
        for (split, r) in &reports {
            let rate = if r.seconds > 0.0 {
                r.written as f64 / r.seconds
            } else {
                0.0
            };
            let files: Vec<String> = r
                .files
                .iter()
                .chain(std::iter::once(&r.stats_path))
                .map(|p| p.display().to_string())
                .collect();
            eprintln!(
                "{split}: {} samples in {:.2} s ({rate:.0} samples/s): {}",
                r.written,
                r.seconds,
                files.join(", ")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
