//! `calt export-demo`: copies a trained bundle and (the start of) a test file into the folder
//! the playground offers as "Try the demo" (web/demo/ by default), with a small manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use calt_core::bundle;
use calt_core::data::{DataFormat, read_split};
use calt_core::native::{bundle_path, write_atomically};
use serde_json::json;

/// Export a trained model and test samples as the playground's demo.
///
/// Writes model.safetensors, the test file (first --limit samples) and manifest.json into
/// --out. Serve the page with `calt serve` and press "Try the demo".
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  calt export-demo --model runs/gf17_addition --data data/gf17_addition/test_raw.txt\n  calt serve"
)]
pub struct DemoArgs {
    /// A run folder (uses its model.safetensors) or a bundle file.
    #[arg(long, short)]
    model: PathBuf,
    /// Test file: `problem # answer` lines or JSONL.
    #[arg(long, short)]
    data: PathBuf,
    /// Where the page looks for the demo.
    #[arg(long, short, default_value = "web/demo")]
    out: PathBuf,
    /// Test samples to include (the page evaluates them all).
    #[arg(long, default_value_t = 200)]
    limit: usize,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let model = bundle_path(&args.model);
    let bytes = std::fs::read(&model).with_context(|| format!("reading {}", model.display()))?;
    // Refuse to export something the page could not load.
    let meta = bundle::read_meta(&bytes).with_context(|| model.display().to_string())?;
    let data_name = args.data.display().to_string();
    let text =
        std::fs::read_to_string(&args.data).with_context(|| format!("reading {data_name}"))?;
    let format = DataFormat::from_path(&data_name);
    let (samples, _) = read_split(&data_name, &text, format, Some(args.limit));
    let last_line = samples
        .last()
        .map(|s| s.line)
        .with_context(|| format!("{data_name}: no usable samples"))?;
    // Keep the file's own lines (bad ones included) so the page reports what the CLI would.
    let kept: String = text
        .lines()
        .take(last_line)
        .map(|l| format!("{l}\n"))
        .collect();
    let test_name = if format == DataFormat::Jsonl {
        "test_data.jsonl"
    } else {
        "test_raw.txt"
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    write_atomically(&args.out.join("model.safetensors"), &bytes)?;
    write_atomically(&args.out.join(test_name), kept.as_bytes())?;
    let c = &meta.model_config;
    let manifest = json!({
        "bundle": "model.safetensors",
        "test": test_name,
        "samples": samples.len(),
        "example": samples[0].problem,
        "description": format!(
            "d_model {}, {}+{} layers, {} test samples from {}",
            c.d_model, c.encoder_layers, c.decoder_layers, samples.len(),
            args.data.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ),
    });
    write_atomically(
        &args.out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)?.as_bytes(),
    )?;
    println!(
        "demo written to {} ({} test samples); serve it with `calt serve --dir {}`",
        args.out.display(),
        samples.len(),
        args.out
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| ".".into())
    );
    Ok(ExitCode::SUCCESS)
}
