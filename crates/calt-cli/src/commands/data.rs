//! `calt data check`: load both splits exactly as training will and report on them.
//! `calt data merge`: join the shards of `calt generate --shard K/N` into one dataset.

use super::generate::{GeneratorArgs, Setup, print_reports};
use calt_core::data::BAD_LINES_SHOWN;
use calt_core::data::{EncodedDataset, format_bad_lines};
use calt_core::native::{LoadedSplit, load_training_data};
use calt_generate::merge_shards;
use calt_generate::shard::OpenGenerator;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Subcommand)]
pub enum DataCommand {
    Check(CheckArgs),
    Merge(MergeArgs),
}

/// Join the shard files of `calt generate --shard K/N` (all N of them) into the files one
/// unsharded run writes, byte for byte: `{split}_raw.txt`, `{split}_data.jsonl`,
/// `{split}_stats.yaml` in the config's save_dir.
///
/// De-duplication (drop_duplicates, drop_test_in_train) happens here, where every sample of
/// both splits is seen in index order. A shard generates a margin past its share of a split;
/// where the generator skipped so many seeds that a shard still fell short, the merge makes
/// the missing samples itself with the config's task (or --command). The shard files are left
/// in place. The statistics' total_time is the shards' generation time added up.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
for k in 0 1 2 3; do calt generate --config data.yaml --shard $k/4; done\n  \
calt data merge --config data.yaml")]
pub struct MergeArgs {
    /// The config's task (or --command) makes any sample a shard did not reach.
    #[command(flatten)]
    run: GeneratorArgs,
    /// The folder holding the shard files (default: the config's save_dir).
    #[arg(long)]
    shards: Option<PathBuf>,
}

/// Load the train and test splits of a train.yaml as training would, and report.
///
/// Prints sample counts, vocabulary size, token lengths of problems and answers, every bad
/// line as `file:line: reason: text`, and `display_samples` samples raw → preprocessed →
/// tokens. Exits non-zero when a line is bad (unless --skip-bad-lines).
#[derive(clap::Args)]
#[command(after_help = "Example:\n  calt data check --config configs/gf17_addition/train.yaml")]
pub struct CheckArgs {
    /// The train.yaml whose `data:` block to check.
    #[arg(long, short)]
    config: PathBuf,
    /// Treat bad lines as skipped (as training with the same flag would) instead of failing.
    #[arg(long)]
    skip_bad_lines: bool,
    /// Samples to show (default: the config's display_samples, else 3).
    #[arg(long)]
    show: Option<usize>,
}

pub fn run(command: DataCommand) -> anyhow::Result<ExitCode> {
    match command {
        DataCommand::Check(args) => check(args),
        DataCommand::Merge(args) => merge(args),
    }
}

fn merge(args: MergeArgs) -> anyhow::Result<ExitCode> {
    let setup = Setup::load(args.run)?;
    let shard_dir = args.shards.unwrap_or_else(|| setup.opts.save_dir.clone());
    let open_generator: Option<OpenGenerator<'_>> = setup
        .has_generator()
        .then(|| Box::new(|| setup.open_source().map(|(source, _)| source)) as OpenGenerator<'_>);
    let started = Instant::now();
    let report = merge_shards(
        &setup.opts,
        &shard_dir,
        &setup.generator_id(),
        open_generator,
        &setup.progress(),
    )?;
    setup.save_task_record()?;
    if setup.verbose {
        eprintln!(
            "merged {} shards from {} in {:.2} s",
            report.shards,
            shard_dir.display(),
            started.elapsed().as_secs_f64()
        );
        if report.generated_here > 0 {
            eprintln!(
                "{} samples lay past a shard's end and were generated here",
                report.generated_here
            );
        }
        print_reports(&report.splits);
    }
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let data = load_training_data(&args.config)?;
    println!("config:            {}", data.config_path.display());
    println!(
        "lexer:             {} ({} ids, {} vocabulary tokens)",
        data.lexer_config_path.display(),
        data.tokenizer.vocab_size(),
        data.lexer.vocabulary().len()
    );
    println!("load preprocessor: {}", data.preprocessors.describe());
    for (name, split) in [("train", &data.train), ("test", &data.test)] {
        report_split(name, split);
    }
    let show = args.show.or(data.config.data.display_samples).unwrap_or(3);
    if show > 0 {
        println!("\n{}", data.sample_preview(show)?);
    }
    let bad: Vec<_> = data
        .train
        .bad_lines
        .iter()
        .chain(&data.test.bad_lines)
        .cloned()
        .collect();
    let refusal = data.require_trainable().err();
    if let Some(refusal) = &refusal {
        eprintln!("\nerror: {refusal}");
    }
    if bad.is_empty() {
        println!("\nno bad lines");
        return Ok(if refusal.is_none() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    eprintln!(
        "\n{} bad line(s):\n{}",
        bad.len(),
        format_bad_lines(&bad, BAD_LINES_SHOWN)
    );
    if (args.skip_bad_lines || data.config.data.skip_bad_lines) && refusal.is_none() {
        eprintln!(
            "(skipping them: training would leave {} lines out)",
            bad.len()
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn report_split(name: &str, split: &LoadedSplit) {
    let d = &split.dataset;
    println!(
        "\n{name}: {} — {} samples, {} bad lines",
        split.path.display(),
        d.len(),
        split.bad_lines.len()
    );
    if d.is_empty() {
        return;
    }
    let (pmax, pmean) = lengths(d, |s| s.input_ids.len());
    let (amax, amean) = lengths(d, |s| s.target_ids.len());
    println!("  problem ids (with <s> </s>): max {pmax}, mean {pmean:.1}");
    println!("  answer ids  (with <s> </s>): max {amax}, mean {amean:.1}");
}

fn lengths(
    d: &EncodedDataset,
    len: impl Fn(&calt_core::data::EncodedSample) -> usize,
) -> (usize, f64) {
    let max = d.samples.iter().map(&len).max().unwrap_or(0);
    let sum: usize = d.samples.iter().map(&len).sum();
    (max, sum as f64 / d.len().max(1) as f64)
}
