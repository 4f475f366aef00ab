//! `calt`: generate datasets, lex and check them, train and evaluate Transformers on
//! symbolic-computation tasks. Every subcommand lives in its own module under `commands/`.

mod commands;
mod matmul_rate;
mod peak_memory;
mod progress;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// See the mimalloc line in Cargo.toml: burn's per-step buffers stay in the process.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "calt",
    version,
    about = "Computer ALgebra with Transformer: datasets, lexer, training and evaluation",
    long_about = "calt generates symbolic-computation datasets, tokenises them with a configurable \
lexer, trains an encoder-decoder Transformer and scores it by exact match of generated answers.\n\n\
Configs are CALT's data.yaml, lexer.yaml and train.yaml; see the folders under configs/.",
    after_help = "Example:\n  calt lex --config configs/gf17_addition/lexer.yaml \"6,13,15\"\n  calt data check --config configs/gf17_addition/train.yaml"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Lex(commands::lex::LexArgs),
    Vocab(commands::vocab::VocabArgs),
    #[command(subcommand)]
    Data(commands::data::DataCommand),
    Generate(commands::generate::GenerateArgs),
    Train(commands::train::TrainArgs),
    Eval(commands::eval::EvalArgs),
    Import(commands::caltx::ImportArgs),
    Export(commands::caltx::ExportArgs),
    Bench(commands::bench::BenchArgs),
    BenchGenerate(commands::bench_generate::BenchGenerateArgs),
    Plot(commands::plot::PlotArgs),
    Serve(commands::serve::ServeArgs),
    ExportDemo(commands::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lex(args) => commands::lex::run(args),
        Command::Vocab(args) => commands::vocab::run(args),
        Command::Data(cmd) => commands::data::run(cmd),
        Command::Generate(args) => commands::generate::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Import(args) => commands::caltx::run_import(args),
        Command::Export(args) => commands::caltx::run_export(args),
        Command::Bench(args) => commands::bench::run(args),
        Command::BenchGenerate(args) => commands::bench_generate::run(args),
        Command::Plot(args) => commands::plot::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::ExportDemo(args) => commands::demo::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", error_chain(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, each cause left out when the message above already quotes it
/// (errors that name their file embed their source's text).
fn error_chain(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
