//! `calt bench-generate`: dataset generation speed per built-in task at several worker counts,
//! with a same-run Python baseline for gf17_addition when python3 is available.

use crate::generate::task_spec::task_from_section;
use crate::generate::{BuiltinSource, RunOptions, generate_dataset};
use anyhow::Context;
use calt_algebra::TaskSpec;
use calt_core::config::DataYaml;
use calt_core::native::load_yaml;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Measure samples/s of `calt generate` (generation plus writing the text and JSON files).
///
/// Without --config every built-in task runs with CALT's parameters; with --config only that
/// data.yaml's task. For gf17_addition, benches/python_gf17_baseline.py (the same work in pure
/// Python) is timed in the same run when python3 is found.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  calt bench-generate --jobs 1,2\n  \
calt bench-generate --config configs/gf17_addition/data.yaml --samples 100000")]
pub struct BenchGenerateArgs {
    /// A data.yaml whose task to measure (default: every built-in task).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Samples per run (default: 21000, or 2000 for the slow algebra tasks).
    #[arg(long)]
    samples: Option<u64>,
    /// Worker counts to measure, comma-separated.
    #[arg(long, default_value = "1,2", value_delimiter = ',')]
    jobs: Vec<usize>,
    /// The Python interpreter for the baseline.
    #[arg(long, default_value = "python3")]
    python: String,
    /// The baseline script.
    #[arg(long, default_value = "benches/python_gf17_baseline.py")]
    baseline: PathBuf,
    /// Skip the Python baseline.
    #[arg(long)]
    no_python: bool,
}

/// Default sample counts: CALT's gf17 benchmark size, smaller where each sample is real work.
fn default_samples(task: &TaskSpec) -> u64 {
    match task {
        TaskSpec::PolynomialReduction(_)
        | TaskSpec::IntegerPolynomialFactorization(_)
        | TaskSpec::RationalPolynomialFactorization(_) => 2000,
        _ => 21000,
    }
}

pub fn run(args: BenchGenerateArgs) -> anyhow::Result<ExitCode> {
    let tasks: Vec<TaskSpec> = match &args.config {
        Some(path) => {
            let config: DataYaml = load_yaml(path)?;
            let source = path.display().to_string();
            let task = config
                .task
                .as_ref()
                .with_context(|| format!("{source}: no `task:` block to benchmark"))?;
            vec![task_from_section(task, &source)?]
        }
        None => TaskSpec::NAMES
            .iter()
            .map(|n| TaskSpec::default_for(n))
            .collect::<Result<_, _>>()?,
    };
    if args.jobs.contains(&0) {
        anyhow::bail!("--jobs: worker counts must be at least 1");
    }
    println!(
        "{:<36} {:>4} {:>8} {:>9} {:>12}",
        "task", "jobs", "samples", "seconds", "samples/s"
    );
    let mut gf17_rates = Vec::new();
    for task in &tasks {
        let samples = args.samples.unwrap_or_else(|| default_samples(task));
        for &jobs in &args.jobs {
            let seconds = time_builtin(task, samples, jobs)?;
            let rate = samples as f64 / seconds;
            println!(
                "{:<36} {jobs:>4} {samples:>8} {seconds:>9.3} {rate:>12.0}",
                task.name()
            );
            if task.name() == "gf17_addition" {
                gf17_rates.push((jobs, samples, rate));
            }
        }
    }
    if !args.no_python && !gf17_rates.is_empty() {
        python_baseline(&args, &gf17_rates)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Seconds to generate and write `samples` train samples (text and JSON) into a temp folder.
fn time_builtin(task: &TaskSpec, samples: u64, jobs: usize) -> anyhow::Result<f64> {
    let dir = tempfile_dir()?;
    let opts = RunOptions {
        save_dir: dir.clone(),
        num_train_samples: samples,
        num_test_samples: 0,
        batch_size: 10000,
        root_seed: 42,
        save_text: true,
        save_json: true,
        drop_duplicates: false,
        drop_test_in_train: false,
        progress: false,
    };
    let mut source = BuiltinSource::new(task.clone(), jobs)?;
    let start = Instant::now();
    let result = generate_dataset(&opts, &mut source);
    let seconds = start.elapsed().as_secs_f64();
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    Ok(seconds)
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("calt-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Runs the Python script at each worker count and prints the speed-up of calt over it.
fn python_baseline(args: &BenchGenerateArgs, gf17: &[(usize, u64, f64)]) -> anyhow::Result<()> {
    if !args.baseline.exists() {
        println!(
            "(no Python baseline: {} not found; run from the repository root)",
            args.baseline.display()
        );
        return Ok(());
    }
    for &(jobs, samples, calt_rate) in gf17 {
        let dir = tempfile_dir()?;
        let result = run_python(&args.python, &args.baseline, samples, jobs, &dir);
        let _ = std::fs::remove_dir_all(&dir);
        let Some((work, wall)) = result else {
            println!("(no Python baseline: `{}` did not run)", args.python);
            return Ok(());
        };
        let rate = samples as f64 / work;
        println!(
            "{:<36} {jobs:>4} {samples:>8} {work:>9.3} {rate:>12.0}  ({wall:.3} s with interpreter start)",
            "python gf17 baseline"
        );
        println!(
            "gf17_addition at {jobs} job(s): calt is {:.0}x the Python baseline \
             ({:.0}x counting its interpreter start)",
            calt_rate / rate,
            calt_rate / (samples as f64 / wall)
        );
    }
    Ok(())
}

/// (seconds of work reported by the script, wall seconds including start-up).
fn run_python(
    python: &str,
    script: &Path,
    samples: u64,
    jobs: usize,
    dir: &Path,
) -> Option<(f64, f64)> {
    let start = Instant::now();
    let out = Command::new(python)
        .arg(script)
        .args([samples.to_string(), jobs.to_string()])
        .arg(dir)
        .output()
        .ok()?;
    let wall = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let work: f64 = text.lines().last()?.trim().parse().ok()?;
    Some((work, wall))
}
