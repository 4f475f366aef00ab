//! `calt import` and `calt export`: calt-x (the Python CALT) model folders in and out
//! (calt-core's `caltx`; this file parses arguments and prints).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use calt_core::caltx::{export_folder, import_folder};
use calt_core::native::{bundle_path, write_atomically};

/// Read a calt-x results folder (generic, bart, decoder_only or encoder_classifier model) into a
/// calt bundle that `calt eval` and the browser use like any other.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  calt import results/ -o model.safetensors")]
pub struct ImportArgs {
    /// The calt-x results folder: config.json, model.safetensors or pytorch_model.bin,
    /// tokenizer.json, special_tokens_map.json, lexer.yaml.
    results_dir: PathBuf,
    /// The bundle to write.
    #[arg(long, short)]
    output: PathBuf,
}

pub fn run_import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let device = burn::tensor::Device::flex();
    let bytes = import_folder(&args.results_dir, &device)?;
    write_atomically(&args.output, &bytes)
        .with_context(|| format!("{}: could not write the bundle", args.output.display()))?;
    println!(
        "imported {} → {}",
        args.results_dir.display(),
        args.output.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The formats `calt export` writes.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum ExportFormat {
    /// A folder calt-x 1.5's `load_from_checkpoint` loads.
    Caltx,
}

/// Write a trained model as a calt-x model folder (config.json, model.safetensors, tokenizer
/// files, lexer.yaml, train.yaml), so it can be used and fine-tuned with the Python CALT.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  calt export --format caltx runs/gf17 caltx_model/")]
pub struct ExportArgs {
    #[arg(long, value_enum, default_value = "caltx")]
    format: ExportFormat,
    /// A run folder (its model.safetensors and train.yaml) or a bundle file.
    model: PathBuf,
    /// The folder to write.
    out_dir: PathBuf,
}

pub fn run_export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let ExportFormat::Caltx = args.format;
    let bundle = bundle_path(&args.model);
    let bytes = std::fs::read(&bundle).with_context(|| format!("{}", bundle.display()))?;
    let train_yaml_path = args.model.join("train.yaml");
    let train_yaml = if args.model.is_dir() && train_yaml_path.exists() {
        Some(
            std::fs::read_to_string(&train_yaml_path)
                .with_context(|| format!("{}", train_yaml_path.display()))?,
        )
    } else {
        None
    };
    let written = export_folder(&bytes, train_yaml.as_deref(), &args.out_dir)
        .with_context(|| format!("{}", bundle.display()))?;
    println!(
        "wrote {} files to {}",
        written.len(),
        args.out_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
