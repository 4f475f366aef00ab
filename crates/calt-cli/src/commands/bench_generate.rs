//! `calt bench-generate`: dataset generation speed per built-in task at several worker counts,
//! against the Python CALT's own dataset pipeline run in the same invocation.

use anyhow::Context;
use calt_algebra::TaskSpec;
use calt_generate::task_spec::load_data_yaml;
use calt_generate::{BuiltinSource, NoProgress, RunOptions, generate_dataset};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Measure samples/s of `calt generate` (generation plus writing the text and JSON files).
///
/// Each figure is the median of three runs, calt's after a warm-up run. calt and the Python
/// CALT take turns (calt, Python, calt, …), so that both see the machine in the same state.
///
/// Without --config every built-in task runs with CALT's parameters; with --config only that
/// data.yaml's task. Where benches/calt_baseline/run.py has the task, the Python CALT
/// (calt-x 1.5.0's DatasetGenerator; install it with `bash benches/calt_baseline/setup.sh`)
/// makes samples of the same task in the same run and the speed-up is printed.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  bash benches/calt_baseline/setup.sh   # once: the Python CALT baseline\n  \
calt bench-generate --jobs 1,2\n  \
calt bench-generate --config configs/gf17_addition/data.yaml --samples 100000"
)]
pub struct BenchGenerateArgs {
    /// A data.yaml whose task to measure (default: every built-in task).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Samples per run (default: 21000, fewer for the slow algebra tasks).
    #[arg(long)]
    samples: Option<u64>,
    /// Worker counts to measure, comma-separated.
    #[arg(long, default_value = "1,2", value_delimiter = ',')]
    jobs: Vec<usize>,
    /// The Python interpreter that has calt-x installed.
    #[arg(long, default_value = "benches/calt_baseline/.venv/bin/python")]
    python: PathBuf,
    /// The baseline script.
    #[arg(long, default_value = "benches/calt_baseline/run.py")]
    baseline: PathBuf,
    /// Samples the Python baseline makes on the SymPy tasks (default: at most 2000; samples/s
    /// is what is compared).
    #[arg(long)]
    baseline_samples: Option<u64>,
    /// Skip the Python baseline.
    #[arg(long)]
    no_python: bool,
}

/// Tasks benches/calt_baseline/run.py implements.
const BASELINE_TASKS: [&str; 5] = [
    "gf17_addition",
    "polynomial_addition",
    "integer_factorization",
    "integer_polynomial_factorization",
    "rational_polynomial_factorization",
];

/// Default sample counts: CALT's gf17 benchmark size, smaller where each sample is real work.
fn default_samples(task: &TaskSpec) -> u64 {
    match task {
        TaskSpec::PolynomialReduction(_) => 2000,
        TaskSpec::IntegerPolynomialFactorization(_)
        | TaskSpec::RationalPolynomialFactorization(_) => 10000,
        _ => 21000,
    }
}

/// SymPy makes a few hundred polynomial samples per second: the baseline makes fewer of them.
fn baseline_samples(args: &BenchGenerateArgs, task: &TaskSpec, samples: u64) -> u64 {
    match (args.baseline_samples, task) {
        (Some(n), _) => n,
        (
            None,
            TaskSpec::PolynomialAddition(_)
            | TaskSpec::IntegerPolynomialFactorization(_)
            | TaskSpec::RationalPolynomialFactorization(_),
        ) => samples.min(2000),
        (None, _) => samples,
    }
}

pub fn run(args: BenchGenerateArgs) -> anyhow::Result<ExitCode> {
    let tasks: Vec<TaskSpec> = match &args.config {
        Some(path) => {
            let (_, task) = load_data_yaml(path)?;
            let task =
                task.with_context(|| format!("{}: no `task:` block to benchmark", path.display()))?;
            vec![task]
        }
        None => TaskSpec::NAMES
            .iter()
            .map(|n| TaskSpec::default_for(n))
            .collect::<Result<_, _>>()?,
    };
    if args.jobs.contains(&0) {
        anyhow::bail!("--jobs: worker counts must be at least 1");
    }
    let with_baseline = !args.no_python && args.python.exists() && args.baseline.exists();
    println!(
        "{:<34} {:>4} {:>7} {:>10} {:>10} {:>8}",
        "task", "jobs", "samples", "calt/s", "python/s", "speed-up"
    );
    for task in &tasks {
        let samples = args.samples.unwrap_or_else(|| default_samples(task));
        for &jobs in &args.jobs {
            let python = (with_baseline && BASELINE_TASKS.contains(&task.name()))
                .then(|| baseline_samples(&args, task, samples));
            let (rate, python) = measure_row(&args, task, samples, jobs, python)?;
            let (py, ratio) = match python {
                Some(p) => (format!("{p:.0}"), format!("{:.1}x", rate / p)),
                None => ("-".into(), "-".into()),
            };
            println!(
                "{:<34} {jobs:>4} {samples:>7} {rate:>10.0} {py:>10} {ratio:>8}",
                task.name()
            );
        }
    }
    if !with_baseline && !args.no_python {
        println!(
            "(no Python CALT baseline: {} or {} not found; run `bash benches/calt_baseline/setup.sh` \
             and bench from the repository root)",
            args.python.display(),
            args.baseline.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Turns per row: in each, calt runs and then the Python CALT runs once; medians are reported.
const TURNS: usize = 3;

/// Timed calt runs per turn. A run of a fast task takes a few hundredths of a second, so one
/// run is at the mercy of the disk flushing the previous run's files or a core waking up.
const CALT_RUNS_PER_TURN: usize = 3;

/// calt's samples/s and, given its sample count, the Python CALT's: medians of the runs of
/// [`TURNS`] turns. The Python side is dropped if one of its runs fails.
fn measure_row(
    args: &BenchGenerateArgs,
    task: &TaskSpec,
    samples: u64,
    jobs: usize,
    python_samples: Option<u64>,
) -> anyhow::Result<(f64, Option<f64>)> {
    let mut python_samples = python_samples;
    let (mut calt, mut python) = (Vec::new(), Vec::new());
    for _ in 0..TURNS {
        // The timed runs follow an untimed one. A gf17 run lasts a few hundredths of a second:
        // started on cores the Python run left idle (it uses one), it ran about a quarter
        // slower than right after another run, while the Python CALT's timed part always
        // follows seconds of imports on a busy core.
        time_builtin(task, samples, jobs)?;
        for _ in 0..CALT_RUNS_PER_TURN {
            calt.push(time_builtin(task, samples, jobs)?);
        }
        if let Some(n) = python_samples {
            match time_python(args, task.name(), n, jobs)? {
                Some(seconds) => python.push(seconds),
                None => python_samples = None,
            }
        }
    }
    let rate = samples as f64 / median(&mut calt);
    let python_rate = python_samples.map(|n| n as f64 / median(&mut python));
    Ok((rate, python_rate))
}

fn median(seconds: &mut [f64]) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

/// Seconds to generate and write `samples` train samples (text and JSON) into a temp folder.
fn time_builtin(task: &TaskSpec, samples: u64, jobs: usize) -> anyhow::Result<f64> {
    let dir = scratch_dir()?;
    let opts = RunOptions::quiet(dir.path().to_path_buf(), samples, 0, 10000);
    let mut source = BuiltinSource::new(task.clone(), jobs)?;
    let start = Instant::now();
    generate_dataset(&opts, &mut source, &NoProgress)?;
    Ok(start.elapsed().as_secs_f64())
}

fn scratch_dir() -> anyhow::Result<tempfile::TempDir> {
    tempfile::Builder::new()
        .prefix("calt-bench-")
        .tempdir()
        .context("cannot create a scratch folder")
}

/// Seconds of work the Python CALT reports for `samples` train samples (its imports and
/// interpreter start are not counted), or None, with the reason printed, when it failed.
fn time_python(
    args: &BenchGenerateArgs,
    task: &str,
    samples: u64,
    jobs: usize,
) -> anyhow::Result<Option<f64>> {
    let dir = scratch_dir()?;
    let out = Command::new(&args.python)
        .arg(&args.baseline)
        .args([task.to_string(), samples.to_string(), jobs.to_string()])
        .arg(dir.path())
        .output();
    let out = out.with_context(|| format!("cannot start {}", args.python.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seconds = stdout.lines().last().and_then(|l| l.trim().parse().ok());
    if out.status.success() && seconds.is_some() {
        return Ok(seconds);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    tail.reverse();
    println!(
        "(the Python CALT baseline for {task} failed: {})",
        tail.join(" / ")
    );
    Ok(None)
}
