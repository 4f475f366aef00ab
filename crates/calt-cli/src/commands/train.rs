//! `calt train`: train a model from CALT's train.yaml, with evaluation, checkpoints, exact
//! resume and a self-describing model bundle at the end.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use burn::tensor::{Device, Tensor};
use calt_core::bundle::{self, BundleMeta};
use calt_core::config::{Strategy, TrainYaml};
use calt_core::evaluation::{self, EvaluationOptions};
use calt_core::generation::GenerationConfig;
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::native::{TrainingData, load_training_data_from, load_yaml};
use calt_core::training::device::{DeviceChoice, select_device};
use calt_core::training::from_yaml::{model_config, train_settings};
use calt_core::training::run_dir::{self, MetricsLog, TrainerState};
use calt_core::training::{Pair, Trainer, scalar};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

/// Train an encoder–decoder Transformer from a train.yaml.
///
/// Writes into the run folder (`train.save_dir`): copies of the configs, tokenizer.json,
/// metrics.jsonl, eval_results/step_N.json after every evaluation, eval_results.json after the
/// last, checkpoint-N/ folders and the final bundle model.safetensors (weights + model config
/// + lexer config + tokenizer), which `calt eval` loads alone.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  calt train --config configs/gf17_addition/train.yaml\n  \
calt train --config configs/gf17_addition/train.yaml --dryrun --device cpu\n  \
calt train --resume runs/gf17_addition"
)]
pub struct TrainArgs {
    /// The train.yaml to run (not needed with --resume).
    #[arg(long, short, required_unless_present = "resume")]
    config: Option<PathBuf>,
    /// Continue the run in this folder from its newest complete checkpoint.
    #[arg(long, conflicts_with = "config")]
    resume: Option<PathBuf>,
    /// Quick check: 1 epoch, ≤ 1000 train / 100 test samples, batch ≤ 8, eval/save every 10 steps.
    #[arg(long)]
    dryrun: bool,
    /// Compute device: auto (a GPU through WGPU if present, else CPU), wgpu, or cpu.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
    /// Leave out bad data lines (with a count) instead of failing.
    #[arg(long)]
    skip_bad_lines: bool,
    /// Generate answers for at most this many test samples at intermediate evaluations
    /// (the final evaluation always uses the whole test set).
    #[arg(long)]
    eval_samples: Option<usize>,
    /// Override train.save_dir.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// What a run folder remembers about how it was started (for --resume).
#[derive(serde::Serialize, serde::Deserialize)]
struct RunInfo {
    config_path: PathBuf,
    dryrun: bool,
}

const RUN_INFO: &str = "run_info.json";

/// CALT's `apply_dryrun_settings` (without forcing wandb on).
pub fn apply_dryrun(config: &mut TrainYaml) {
    let t = &mut config.train;
    t.num_train_epochs = 1.0;
    t.batch_size = t.batch_size.min(8);
    t.test_batch_size = t.test_batch_size.min(8);
    t.eval_steps = 10;
    t.save_steps = 10;
    let limit = |v: i64, cap: i64| if v < 0 || v > cap { cap } else { v };
    config.data.num_train_samples = limit(config.data.num_train_samples, 1000);
    config.data.num_test_samples = limit(config.data.num_test_samples, 100);
}

fn pairs(d: &calt_core::data::EncodedDataset) -> Vec<Pair> {
    d.samples
        .iter()
        .map(|s| (s.input_ids.clone(), s.target_ids.clone()))
        .collect()
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    // Which config, which run folder.
    let (config_path, dryrun, resume_dir) = match &args.resume {
        Some(dir) => {
            let info_path = dir.join(RUN_INFO);
            let text = std::fs::read_to_string(&info_path)
                .with_context(|| format!("{} is not a calt run folder", dir.display()))?;
            let info: RunInfo = serde_json::from_str(&text)
                .with_context(|| format!("{}: invalid", info_path.display()))?;
            (info.config_path, info.dryrun, Some(dir.clone()))
        }
        None => {
            let path = args.config.clone().context("--config is required")?;
            (
                std::fs::canonicalize(&path).with_context(|| format!("{}", path.display()))?,
                args.dryrun,
                None,
            )
        }
    };
    let mut config: TrainYaml = load_yaml(&config_path)?;
    if dryrun {
        apply_dryrun(&mut config);
    }
    let run_dir = match (&resume_dir, &args.output) {
        (Some(d), _) => d.clone(),
        (None, Some(o)) => o.clone(),
        (None, None) => calt_core::native::resolve(&config_path, config.train.run_dir()),
    };
    let data = load_training_data_from(config.clone(), &config_path)?
        .require_clean(args.skip_bad_lines)?;
    data.require_trainable()?;
    if data.skipped_lines() > 0 {
        eprintln!("skipping {} bad data line(s)", data.skipped_lines());
    }
    let mcfg = model_config(
        &config.model,
        data.tokenizer.vocab_size(),
        data.tokenizer.special_ids(),
        config.train.seed,
    )
    .with_context(|| config_path.display().to_string())?;
    let settings =
        train_settings(&config.train).with_context(|| config_path.display().to_string())?;
    let selected = select_device(args.device).map_err(anyhow::Error::msg)?;
    if let Some(note) = &selected.note {
        eprintln!("{note}");
    }
    eprintln!("device: {}", selected.description);
    let device = selected.device.clone();

    std::fs::create_dir_all(&run_dir).with_context(|| format!("creating {}", run_dir.display()))?;
    if resume_dir.is_none() {
        write_run_files(&run_dir, &config_path, dryrun, &data)?;
    }

    let train_pairs = pairs(&data.train.dataset);
    let ad = device.clone().autodiff();
    let mut trainer = match &resume_dir {
        None => Trainer::new(&mcfg, settings.clone(), train_pairs, &device)?,
        Some(dir) => {
            let ckpt = run_dir::newest_checkpoint(dir, |w| eprintln!("warning: {w}"));
            match ckpt {
                None => {
                    eprintln!(
                        "no complete checkpoint in {}; starting from step 0",
                        dir.display()
                    );
                    Trainer::new(&mcfg, settings.clone(), train_pairs, &device)?
                }
                Some(c) => {
                    let (model, meta) = bundle::from_bytes(c.bundle, &ad)?;
                    if meta.model_config != mcfg {
                        bail!(
                            "{}: the checkpoint's model config differs from {}",
                            c.dir.display(),
                            config_path.display()
                        );
                    }
                    let mut t = Trainer::with_model(model, settings.clone(), train_pairs, &ad)?;
                    t.restore(c.state.global_step, c.moments)?;
                    eprintln!(
                        "resuming from {} (step {})",
                        c.dir.display(),
                        c.state.global_step
                    );
                    t
                }
            }
        }
    };

    let mut log = MetricsLog::open(&run_dir).map_err(anyhow::Error::msg)?;
    let meta_base = bundle_meta(&data, &config, &mcfg)?;
    let ctx = RunContext {
        run_dir: run_dir.clone(),
        data: &data,
        device: device.clone(),
        meta: meta_base,
        eval_samples: args.eval_samples,
        test_batch_size: config.train.test_batch_size,
        save_total_limit: config.train.save_total_limit,
    };
    train_loop(&mut trainer, &config, &ctx, &mut log)?;
    Ok(ExitCode::SUCCESS)
}

struct RunContext<'a> {
    run_dir: PathBuf,
    data: &'a TrainingData,
    device: Device,
    meta: BundleMeta,
    eval_samples: Option<usize>,
    test_batch_size: usize,
    save_total_limit: usize,
}

fn write_run_files(
    run_dir: &Path,
    config_path: &Path,
    dryrun: bool,
    data: &TrainingData,
) -> anyhow::Result<()> {
    let w = |name: &str, bytes: &[u8]| {
        calt_core::native::write_atomically(&run_dir.join(name), bytes).map_err(anyhow::Error::from)
    };
    w("train.yaml", &std::fs::read(config_path)?)?;
    w("lexer.yaml", &std::fs::read(&data.lexer_config_path)?)?;
    w("tokenizer.json", data.tokenizer.to_json()?.as_bytes())?;
    w(
        "special_tokens_map.json",
        data.tokenizer.special_tokens_map_json().as_bytes(),
    )?;
    let info = RunInfo {
        config_path: config_path.to_path_buf(),
        dryrun,
    };
    w(RUN_INFO, serde_json::to_string_pretty(&info)?.as_bytes())?;
    Ok(())
}

fn bundle_meta(
    data: &TrainingData,
    config: &TrainYaml,
    mcfg: &ModelConfig,
) -> anyhow::Result<BundleMeta> {
    Ok(BundleMeta {
        model_config: mcfg.clone(),
        lexer_config: serde_json::to_value(&data.lexer_config)?,
        tokenizer_json: data.tokenizer.to_json()?,
        special_tokens: serde_json::to_value(data.tokenizer.special_tokens())?,
        train_info: json!({
            "dataset_load_preprocessor": config.data.dataset_load_preprocessor,
        }),
    })
}

fn save_bundle(
    model: &Seq2Seq,
    ctx: &RunContext,
    step: u64,
    epoch: f64,
) -> anyhow::Result<Vec<u8>> {
    let mut meta = ctx.meta.clone();
    if let Some(obj) = meta.train_info.as_object_mut() {
        obj.insert("global_step".into(), json!(step));
        obj.insert("epoch".into(), json!(epoch));
    }
    Ok(bundle::to_bytes(model, &meta)?)
}

fn is_due(strategy: Strategy, every: u64, step: u64, steps_per_epoch: u64) -> bool {
    match strategy {
        Strategy::No => false,
        Strategy::Steps => every > 0 && step.is_multiple_of(every),
        Strategy::Epoch => step.is_multiple_of(steps_per_epoch),
    }
}

fn progress_bar(total: u64, done: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_position(done);
    bar
}

fn train_loop(
    trainer: &mut Trainer,
    config: &TrainYaml,
    ctx: &RunContext,
    log: &mut MetricsLog,
) -> anyhow::Result<()> {
    let t = &config.train;
    let spe = trainer.steps_per_epoch();
    let total = trainer.total_steps();
    let bar = progress_bar(total, trainer.step());
    let quiet_bar = bar.is_hidden();
    eprintln!(
        "training: {} samples, {} steps ({spe} per epoch), batch {}, run folder {}",
        ctx.data.train.dataset.len(),
        total,
        t.batch_size,
        ctx.run_dir.display()
    );
    let started = Instant::now();
    let mut window_loss: Option<Tensor<1>> = None;
    let (mut window_steps, mut window_samples, mut window_tokens) = (0u64, 0usize, 0usize);
    let mut window_start = Instant::now();
    let mut all_loss: Option<Tensor<1>> = None;
    let steps_at_start = trainer.step();
    while !trainer.is_done() {
        let r = trainer.train_step()?;
        let loss = r.loss.clone();
        window_loss = Some(match window_loss.take() {
            Some(acc) => acc + loss.clone(),
            None => loss.clone(),
        });
        all_loss = Some(match all_loss.take() {
            Some(acc) => acc + loss,
            None => loss,
        });
        window_steps += 1;
        window_samples += r.samples;
        window_tokens += r.padded_tokens;
        bar.inc(1);
        if is_due(t.logging_strategy, t.logging_steps, r.step, spe) || r.step == total {
            let mean =
                window_loss.take().map(|l| scalar(&l)).unwrap_or(f64::NAN) / window_steps as f64;
            let secs = window_start.elapsed().as_secs_f64().max(1e-9);
            let record = json!({
                "step": r.step,
                "epoch": round4(r.epoch),
                "loss": round4(mean),
                "grad_norm": r.grad_norm.as_ref().map(scalar),
                "learning_rate": r.lr,
                "train_samples_per_second": window_samples as f64 / secs,
                "train_tokens_per_second": window_tokens as f64 / secs,
            });
            log.write(&record).map_err(anyhow::Error::msg)?;
            if quiet_bar {
                eprintln!("{record}");
            } else {
                bar.set_message(format!("loss {mean:.4} lr {:.2e}", r.lr));
            }
            window_steps = 0;
            window_samples = 0;
            window_tokens = 0;
            window_start = Instant::now();
        }
        let final_step = r.step == total;
        if !final_step && is_due(t.eval_strategy, t.eval_steps, r.step, spe) {
            bar.suspend(|| evaluate(trainer, ctx, log, r.step, r.epoch, false))?;
        }
        if is_due(t.save_strategy, t.save_steps, r.step, spe)
            || (final_step && t.save_strategy != Strategy::No)
        {
            save_checkpoint(trainer, ctx, r.step, r.epoch)?;
        }
    }
    bar.finish_and_clear();
    let runtime = started.elapsed().as_secs_f64();
    let steps_run = trainer.step() - steps_at_start;
    let samples = steps_run as f64 * t.batch_size as f64;
    let summary = json!({
        "step": trainer.step(),
        "epoch": round4(trainer.epoch()),
        "train_runtime": runtime,
        "train_samples_per_second": samples / runtime.max(1e-9),
        "train_steps_per_second": steps_run as f64 / runtime.max(1e-9),
        "train_loss": all_loss.map(|l| scalar(&l) / steps_run.max(1) as f64),
    });
    log.write(&summary).map_err(anyhow::Error::msg)?;
    eprintln!("{summary}");
    // Final evaluation on the whole test set, then the final bundle.
    let acc = evaluate(trainer, ctx, log, trainer.step(), trainer.epoch(), true)?;
    let model = trainer.eval_model();
    let bytes = save_bundle(&model, ctx, trainer.step(), trainer.epoch())?;
    let path = ctx.run_dir.join("model.safetensors");
    calt_core::native::write_atomically(&path, &bytes)?;
    println!("generation_accuracy {acc:.4}");
    println!("model bundle: {}", path.display());
    println!(
        "peak memory (resident): {}",
        crate::peak_memory::describe_peak_memory()
    );
    Ok(())
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

fn save_checkpoint(
    trainer: &Trainer,
    ctx: &RunContext,
    step: u64,
    epoch: f64,
) -> anyhow::Result<()> {
    let bytes = save_bundle(&trainer.eval_model(), ctx, step, epoch)?;
    let state = TrainerState {
        global_step: step,
        epoch,
        total_steps: trainer.total_steps(),
        seed: trainer.settings().seed,
    };
    run_dir::save_checkpoint(
        &ctx.run_dir,
        &bytes,
        &trainer.optimizer().export(),
        &state,
        ctx.save_total_limit,
    )
    .map_err(anyhow::Error::msg)?;
    Ok(())
}

fn evaluate(
    trainer: &Trainer,
    ctx: &RunContext,
    log: &mut MetricsLog,
    step: u64,
    epoch: f64,
    is_final: bool,
) -> anyhow::Result<f64> {
    let model = trainer.eval_model();
    let test = &ctx.data.test.dataset;
    let limit = if is_final { None } else { ctx.eval_samples };
    let options = EvaluationOptions {
        batch_size: ctx.test_batch_size,
        generation: GenerationConfig {
            max_new_tokens: usize::MAX,
            beams: 1,
            length_penalty: 1.0,
        },
        limit,
        teacher_forced: true,
    };
    let report = evaluation::evaluate(&model, &ctx.data.tokenizer, test, &options, &ctx.device)?;
    let records = report.scores.eval_records();
    let path = run_dir::write_eval_results(&ctx.run_dir, step, &records, is_final)
        .map_err(anyhow::Error::msg)?;
    let mut record = report.metrics_json();
    if let Some(obj) = record.as_object_mut() {
        obj.insert("step".into(), json!(step));
        obj.insert("epoch".into(), json!(round4(epoch)));
        obj.insert("eval_results".into(), json!(path.display().to_string()));
    }
    log.write(&record).map_err(anyhow::Error::msg)?;
    eprintln!("{record}");
    Ok(report.scores.accuracy)
}
