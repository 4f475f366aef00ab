//! `calt eval`: load a model bundle alone, generate answers for a test file and score them by
//! exact match. Also the evaluation `calt train` runs.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use burn::tensor::Device;
use calt_core::bundle;
use calt_core::config::{LexerConfig, LoadPreprocessorSpec};
use calt_core::data::{
    DataFormat, EncodedDataset, Preprocessors, encode_split, format_bad_lines, read_split,
};
use calt_core::generation::GenerationConfig;
use calt_core::lexer::Lexer;
use calt_core::metrics::{EvalRecord, accuracy_by_length, generation_accuracy};
use calt_core::model::Seq2Seq;
use calt_core::tokenizer::CaltTokenizer;
use calt_core::training::device::{DeviceChoice, select_device};
use calt_core::training::{Pair, generate_all, teacher_forced};
use serde_json::json;

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
    #[arg(long, default_value_t = 64)]
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

/// How to evaluate a split.
pub struct EvalOptions {
    pub batch_size: usize,
    pub beams: usize,
    pub length_penalty: f64,
    pub max_new_tokens: Option<usize>,
    pub limit: Option<usize>,
    pub teacher_forced: bool,
}

/// Scores of one evaluation.
pub struct EvalReport {
    pub records: Vec<EvalRecord>,
    pub problems: Vec<String>,
    pub generation_accuracy: f64,
    pub teacher_forced: Option<calt_core::training::TeacherForced>,
    pub generation_seconds: f64,
    pub eval_seconds: f64,
}

impl EvalReport {
    pub fn metrics_json(&self) -> serde_json::Value {
        let by_len: Vec<_> = accuracy_by_length(&self.records)
            .into_iter()
            .map(|(len, c, n)| json!({"answer_tokens": len, "correct": c, "total": n}))
            .collect();
        let mut v = json!({
            "generation_accuracy": self.generation_accuracy,
            "eval_samples": self.records.len(),
            "generation_seconds": self.generation_seconds,
            "generation_samples_per_second": self.records.len() as f64 / self.generation_seconds.max(1e-9),
            "eval_runtime": self.eval_seconds,
            "generation_accuracy_by_answer_length": by_len,
        });
        if let (Some(tf), Some(obj)) = (&self.teacher_forced, v.as_object_mut()) {
            obj.insert("eval_loss".into(), json!(tf.loss));
            obj.insert("eval_token_accuracy".into(), json!(tf.token_accuracy));
            obj.insert(
                "eval_teacher_forced_sequence_accuracy".into(),
                json!(tf.sequence_accuracy),
            );
        }
        v
    }
}

/// Teacher-forced metrics (optional) and generation exact match over a split.
pub fn evaluate_split(
    model: &Seq2Seq,
    tokenizer: &CaltTokenizer,
    data: &EncodedDataset,
    opts: &EvalOptions,
    device: &Device,
) -> anyhow::Result<EvalReport> {
    let started = Instant::now();
    let n = opts.limit.unwrap_or(data.len()).min(data.len());
    let samples = &data.samples[..n];
    let tf = if opts.teacher_forced {
        let pairs: Vec<Pair> = samples
            .iter()
            .map(|s| (s.input_ids.clone(), s.target_ids.clone()))
            .collect();
        Some(teacher_forced(model, &pairs, opts.batch_size, device)?)
    } else {
        None
    };
    let gen_started = Instant::now();
    let inputs: Vec<&[u32]> = samples.iter().map(|s| s.input_ids.as_slice()).collect();
    let config = GenerationConfig {
        max_new_tokens: opts.max_new_tokens.unwrap_or(usize::MAX),
        beams: opts.beams.max(1),
        length_penalty: opts.length_penalty,
    };
    let generated = generate_all(model, &inputs, opts.batch_size, &config, device, |_| {})?;
    let generation_seconds = gen_started.elapsed().as_secs_f64();
    let records: Vec<EvalRecord> = generated
        .iter()
        .zip(samples)
        .map(|(g, s)| EvalRecord {
            generated: tokenizer.decode_calt(g),
            reference: tokenizer.decode_calt(&s.target_ids),
        })
        .collect();
    Ok(EvalReport {
        generation_accuracy: generation_accuracy(&records),
        problems: data.problems[..n].to_vec(),
        records,
        teacher_forced: tf,
        generation_seconds,
        eval_seconds: started.elapsed().as_secs_f64(),
    })
}

/// A bundle file's path: the file itself, or `model.safetensors` in a run folder.
pub fn bundle_path(model: &std::path::Path) -> PathBuf {
    if model.is_dir() {
        model.join("model.safetensors")
    } else {
        model.to_path_buf()
    }
}

/// Everything needed to run a bundle on new text.
pub struct LoadedBundle {
    pub model: Seq2Seq,
    pub lexer: Lexer,
    pub tokenizer: CaltTokenizer,
    pub preprocessors: Preprocessors,
}

pub fn load_bundle(path: &std::path::Path, device: &Device) -> anyhow::Result<LoadedBundle> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let (model, meta) =
        bundle::from_bytes(bytes, device).with_context(|| path.display().to_string())?;
    let lexer_config: LexerConfig = serde_json::from_value(meta.lexer_config.clone())
        .with_context(|| format!("{}: lexer config", path.display()))?;
    let lexer = Lexer::new(&lexer_config).with_context(|| format!("{}: lexer", path.display()))?;
    let specials = serde_json::from_value(meta.special_tokens.clone())
        .with_context(|| format!("{}: special tokens", path.display()))?;
    let tokenizer = CaltTokenizer::from_json(&meta.tokenizer_json, specials)
        .with_context(|| format!("{}: tokenizer", path.display()))?;
    let spec: Option<LoadPreprocessorSpec> = meta
        .train_info
        .get("dataset_load_preprocessor")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .with_context(|| format!("{}: load preprocessor", path.display()))?
        .flatten();
    let preprocessors = Preprocessors::from_spec(spec.as_ref())
        .map_err(|e| anyhow::anyhow!("{}: load preprocessor: {}", path.display(), e.0))?;
    Ok(LoadedBundle {
        model,
        lexer,
        tokenizer,
        preprocessors,
    })
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let selected = select_device(args.device).map_err(anyhow::Error::msg)?;
    if let Some(note) = &selected.note {
        eprintln!("{note}");
    }
    let device = selected.device;
    let path = bundle_path(&args.model);
    let b = load_bundle(&path, &device)?;
    let file = args.data.display().to_string();
    let text = std::fs::read_to_string(&args.data).with_context(|| format!("reading {file}"))?;
    let (samples, mut bad) = read_split(&file, &text, DataFormat::from_path(&file), args.limit);
    let (data, encode_bad) =
        encode_split(&file, &samples, &b.preprocessors, &b.lexer, &b.tokenizer);
    bad.extend(encode_bad);
    if !bad.is_empty() {
        if !args.skip_bad_lines {
            anyhow::bail!(
                "{} bad line(s) (pass --skip-bad-lines to leave them out):\n{}",
                bad.len(),
                format_bad_lines(&bad, 20)
            );
        }
        eprintln!("skipping {} bad line(s)", bad.len());
    }
    let opts = EvalOptions {
        batch_size: args.batch_size.max(1),
        beams: args.beams,
        length_penalty: args.length_penalty,
        max_new_tokens: args.max_new_tokens,
        limit: None,
        teacher_forced: true,
    };
    let report = evaluate_split(&b.model, &b.tokenizer, &data, &opts, &device)?;
    let out = args.output.unwrap_or_else(|| {
        path.parent()
            .unwrap_or(std::path::Path::new("."))
            .join("eval_results.json")
    });
    calt_core::training::run_dir::write_atomically(
        &out,
        calt_core::metrics::eval_results_json(&report.records).as_bytes(),
    )
    .map_err(anyhow::Error::msg)?;
    let hits = (report.generation_accuracy * report.records.len() as f64).round() as usize;
    println!(
        "generation_accuracy {:.4} ({hits}/{}) on {} [{} , {:.2} s generation, {:.0} samples/s]",
        report.generation_accuracy,
        report.records.len(),
        file,
        selected.description,
        report.generation_seconds,
        report.records.len() as f64 / report.generation_seconds.max(1e-9)
    );
    if let Some(tf) = &report.teacher_forced {
        println!(
            "teacher-forced: loss {:.4}, token accuracy {:.4}",
            tf.loss, tf.token_accuracy
        );
    }
    let mismatches: Vec<usize> = (0..report.records.len())
        .filter(|&i| report.records[i].generated.trim() != report.records[i].reference.trim())
        .take(args.show)
        .collect();
    for i in mismatches {
        println!("line {}:", data.lines.get(i).copied().unwrap_or(i + 1));
        println!("  problem:   {}", report.problems[i]);
        println!("  reference: {}", report.records[i].reference);
        println!("  generated: {}", report.records[i].generated);
    }
    println!("eval results: {}", out.display());
    Ok(ExitCode::SUCCESS)
}
