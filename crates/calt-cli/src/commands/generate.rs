//! `calt generate`: writes a dataset from data.yaml with a built-in task or an external
//! generator command.

use calt_algebra::TaskSpec;
use calt_core::native::resolve;
use calt_generate::external::ExternalSource;
use calt_generate::shard::generator_id;
use calt_generate::task_record::{self, TaskRecord};
use calt_generate::task_spec::load_data_yaml;
use calt_generate::{
    BuiltinSource, Progress, RunOptions, SampleSource, Shard, SplitReport, generate_dataset,
    generate_shards,
};
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
calt generate --config configs/gf17_addition/data.yaml --command \"python3 examples/generators/gf_addition.py\"\n  \
calt generate --config configs/gf17_addition/data.yaml --shard 0/8   # … 7/8, then calt data merge"
)]
pub struct GenerateArgs {
    #[command(flatten)]
    run: GeneratorArgs,
    /// Generate only shard K of N (0 <= K < N): the indices K, K+N, K+2N, … of each split,
    /// into {split}_shard-K-of-N.jsonl in save_dir. Run the N shards anywhere (a SLURM array,
    /// an indexed job), put their files in one folder and join them with `calt data merge`.
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
}

/// The data.yaml and the generator's flags, shared by `calt generate` and `calt data merge`.
#[derive(clap::Args)]
pub(crate) struct GeneratorArgs {
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

/// A data.yaml read for a run: its options and the generator it names (or --command).
pub(crate) struct Setup {
    pub opts: RunOptions,
    pub verbose: bool,
    task: Option<TaskSpec>,
    command: Option<String>,
    n_jobs: usize,
    timeout: Duration,
    config_name: String,
}

impl Setup {
    pub fn load(args: GeneratorArgs) -> anyhow::Result<Self> {
        let GeneratorArgs {
            config,
            command,
            n_jobs,
            timeout_secs,
            quiet,
        } = args;
        let config = config.as_path();
        let config_name = config.display().to_string();
        let (mut data, task) = load_data_yaml(config)?;
        if let Some(n) = n_jobs {
            data.dataset.n_jobs = n;
        }
        data.dataset.validate(&config_name)?;
        if !(timeout_secs > 0.0 && timeout_secs.is_finite()) {
            anyhow::bail!("--timeout-secs must be a positive number of seconds");
        }
        let d = &data.dataset;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Ok(Setup {
            opts: RunOptions {
                save_dir: resolve(config, &d.save_dir),
                num_train_samples: d.num_train_samples,
                num_test_samples: d.num_test_samples,
                batch_size: d.batch_size,
                root_seed: d.root_seed,
                save_text: d.save_text,
                save_json: d.save_json,
                drop_duplicates: d.drop_duplicates,
                drop_test_in_train: d.drop_test_in_train,
            },
            verbose: d.verbose && !quiet,
            task: if command.is_some() { None } else { task },
            command,
            n_jobs: d.jobs(cores),
            timeout: Duration::from_secs_f64(timeout_secs),
            config_name,
        })
    }

    /// What the samples are made by, as shards record it.
    pub fn generator_id(&self) -> String {
        generator_id(self.task.as_ref(), self.command.as_deref())
    }

    /// The sample source and a few words naming it.
    pub fn open_source(&self) -> anyhow::Result<(Box<dyn SampleSource>, String)> {
        Ok(match (&self.command, &self.task) {
            (Some(command), _) => {
                let source = ExternalSource::start(command, self.n_jobs, self.timeout)?;
                (Box::new(source), format!("`{command}`"))
            }
            (None, Some(spec)) => {
                let source = BuiltinSource::new(spec.clone(), self.n_jobs)?;
                (Box::new(source), format!("task {}", spec.name()))
            }
            (None, None) => anyhow::bail!(
                "{}: no `task:` block; name a built-in task (e.g. `task: {{name: gf17_addition}}`) \
                 or pass --command with an external generator",
                self.config_name
            ),
        })
    }

    /// Records the built-in task beside the finished splits (`task.yaml`, which `calt train`
    /// puts into the bundle), or removes an older record when the samples came from a command.
    pub fn save_task_record(&self) -> anyhow::Result<()> {
        let record = self
            .task
            .as_ref()
            .map(|spec| TaskRecord::new(spec, self.opts.root_seed, self.opts.drop_duplicates));
        task_record::folder::save(&self.opts.save_dir, record.as_ref())
    }

    pub fn has_generator(&self) -> bool {
        self.command.is_some() || self.task.is_some()
    }

    pub fn n_jobs(&self) -> usize {
        self.n_jobs
    }

    /// One progress bar per split, drawn when the run is verbose.
    pub fn progress(&self) -> impl Progress {
        SplitBar {
            bar: std::sync::Mutex::new(ProgressBar::hidden()),
            shown: self.verbose,
        }
    }
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let setup = Setup::load(args.run)?;
    let opts = &setup.opts;
    let (mut source, what) = setup.open_source()?;
    if setup.verbose {
        let part = args
            .shard
            .map(|s| format!(" (shard {}/{})", s.index, s.count))
            .unwrap_or_default();
        eprintln!(
            "generating {} train + {} test samples{part} with {what} on {} worker(s) into {}",
            opts.num_train_samples,
            opts.num_test_samples,
            setup.n_jobs(),
            opts.save_dir.display()
        );
    }
    let bar = setup.progress();
    if let Some(shard) = args.shard {
        let reports = generate_shards(opts, shard, &setup.generator_id(), source.as_mut(), &bar)?;
        source.close()?;
        if setup.verbose {
            for (split, r) in &reports {
                eprintln!(
                    "{split}: shard {}/{}: {} samples, {} skipped seeds in {:.2} s: {}",
                    shard.index,
                    shard.count,
                    r.produced,
                    r.skipped,
                    r.seconds,
                    r.path.display()
                );
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    let reports = generate_dataset(opts, source.as_mut(), &bar)?;
    source.close()?;
    setup.save_task_record()?;
    if setup.verbose {
        print_reports(&reports);
    }
    Ok(ExitCode::SUCCESS)
}

/// One line per split: samples, rate and files.
pub(crate) fn print_reports(reports: &[(&str, SplitReport)]) {
    for (split, r) in reports {
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
