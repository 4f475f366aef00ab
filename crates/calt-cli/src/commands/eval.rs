//! `calt eval`: load a model bundle alone, generate answers for a test file and score them by
//! exact match (calt-core's evaluation; this file parses arguments and prints).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use calt_core::evaluation::{DEFAULT_BATCH_SIZE, EvaluationError, EvaluationOptions, evaluate};
use calt_core::generation::GenerationConfig;
use calt_core::model::Architecture;
use calt_core::native::{bundle_path, load_bundle};
use calt_core::training::device::{DeviceChoice, select_device};

/// Score a trained model on a test file by generation exact match.
///
/// Prints the accuracy, writes CALT's eval JSON (list of {"generated", "reference"}) and lists
/// the first mismatches.
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  calt eval --model runs/gf17_addition --data data/gf17_addition/test_raw.txt"
)]
pub struct EvalArgs {
    /// A run folder (uses its model.safetensors) or a bundle file.
    #[arg(long, short)]
    model: PathBuf,
    /// Test file: `problem # answer` lines or JSONL.
    #[arg(long, short)]
    data: PathBuf,
    /// Beam width (1 = greedy).
    #[arg(long, default_value_t = 1)]
    beams: usize,
    /// Beam length penalty (scores divided by length^penalty).
    #[arg(long, default_value_t = 1.0)]
    length_penalty: f64,
    /// Samples generated together.
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// Bound on generated tokens (default: the model's position table).
    #[arg(long)]
    max_new_tokens: Option<usize>,
    /// Evaluate only the first N samples.
    #[arg(long)]
    limit: Option<usize>,
    /// Where to write the eval JSON (default: eval_results.json beside the model bundle).
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Mismatches to list.
    #[arg(long, default_value_t = 5)]
    show: usize,
    /// Compute device: auto, wgpu or cpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Leave out bad data lines instead of failing.
    #[arg(long)]
    skip_bad_lines: bool,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let selected = select_device(args.device)?;
    if let Some(note) = &selected.note {
        eprintln!("{note}");
    }
    let device = selected.device;
    let loaded = load_bundle(&args.model, &device)?;
    let file = args.data.display().to_string();
    let text = std::fs::read_to_string(&args.data).with_context(|| format!("reading {file}"))?;
    let test = match loaded.prepare_test_set(&file, &text, args.limit, args.skip_bad_lines) {
        Err(EvaluationError::BadLines { count, listing }) => anyhow::bail!(
            "{count} bad line(s) (pass --skip-bad-lines to leave them out):\n{listing}"
        ),
        prepared => prepared?,
    };
    if test.skipped > 0 {
        eprintln!("skipping {} bad line(s)", test.skipped);
    }
    let options = EvaluationOptions {
        batch_size: args.batch_size.max(1),
        generation: GenerationConfig {
            max_new_tokens: args.max_new_tokens.unwrap_or(usize::MAX),
            beams: args.beams.max(1),
            length_penalty: args.length_penalty,
        },
        limit: None,
        teacher_forced: true,
    };
    let report = evaluate(
        &loaded.model,
        &loaded.tokenizer,
        &test.data,
        &options,
        &device,
    )?;
    let scores = &report.scores;
    let path = bundle_path(&args.model);
    let out = args.output.unwrap_or_else(|| {
        path.parent()
            .unwrap_or(std::path::Path::new("."))
            .join("eval_results.json")
    });
    calt_core::native::write_atomically(
        &out,
        calt_core::metrics::eval_results_json(&scores.eval_records()).as_bytes(),
    )?;
    let total = scores.samples.len();
    println!(
        "generation_accuracy {:.4} ({}/{total}) on {file} [{} , {:.2} s generation, {:.0} samples/s]",
        scores.accuracy,
        scores.correct,
        selected.description,
        report.generation_seconds,
        total as f64 / report.generation_seconds.max(1e-9)
    );
    if loaded.model.config().architecture == Architecture::EncoderClassifier {
        // One-token answers: the exact match is the classification accuracy (calt-x's name).
        println!("classification_accuracy {:.4}", scores.accuracy);
    }
    if let Some(tf) = &report.teacher_forced {
        println!(
            "teacher-forced: loss {:.4}, token accuracy {:.4}",
            tf.loss, tf.token_accuracy
        );
    }
    for wrong in scores.samples.iter().filter(|s| !s.correct).take(args.show) {
        println!("line {}:", wrong.line);
        println!("  problem:   {}", wrong.problem);
        println!("  reference: {}", wrong.reference);
        println!("  generated: {}", wrong.generated);
    }
    println!("eval results: {}", out.display());
    Ok(ExitCode::SUCCESS)
}
