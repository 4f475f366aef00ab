//! `calt train`: train a model from CALT's train.yaml, with evaluation, checkpoints, exact
//! resume and a self-describing model bundle at the end (calt-core's training run; this file
//! parses arguments, opens the run folder and shows progress).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use calt_core::bundle::BundleMeta;
use calt_core::config::TrainYaml;
use calt_core::model::Architecture;
use calt_core::native::{load_training_data_from, load_yaml};
use calt_core::training::Trainer;
use calt_core::training::device::{
    DeviceChoice, DeviceList, SelectedDevice, select_device, select_devices,
};
use calt_core::training::fit::{FitObserver, FitPlan, TestSplit, fit};
use calt_core::training::run_dir::{self, RunFolder, RunInfo};
use calt_generate::task_record;
use indicatif::ProgressBar;
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
calt train --config configs/gf17_addition/train.yaml --devices wgpu:0,wgpu:1\n  \
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
    /// Compute device: auto (a GPU through WGPU if present, else CPU; the default), wgpu, or
    /// cpu.
    #[arg(long)]
    device: Option<DeviceChoice>,
    /// Train on several devices at once, one model replica each, e.g. `cpu,cpu` or
    /// `wgpu:0,wgpu:1` (`batch_size` is divided among them, as CALT divides it among GPUs).
    /// Overrides the train.devices key; a resumed run keeps its list.
    #[arg(long, conflicts_with = "device")]
    devices: Option<DeviceList>,
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

/// A progress bar, with each record printed above it (or, without a terminal, as a line).
struct Progress(ProgressBar);

impl FitObserver for Progress {
    fn started(&mut self, done: u64, total: u64) {
        self.0 = crate::progress::bar(
            total,
            "{bar:30} {pos}/{len} [{elapsed_precise}<{eta_precise}] {msg}",
        );
        self.0.set_position(done);
    }

    fn stepped(&mut self, step: u64) {
        self.0.set_position(step);
    }

    fn recorded(&mut self, record: &serde_json::Value) {
        match (record.get("loss"), record.get("learning_rate")) {
            (Some(loss), Some(lr)) if !self.0.is_hidden() => {
                let lr = lr.as_f64().unwrap_or(f64::NAN);
                self.0.set_message(format!("loss {loss} lr {lr:.2e}"))
            }
            _ => self.0.suspend(|| eprintln!("{record}")),
        }
    }
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    let (info, resume_dir) = match &args.resume {
        Some(dir) => (RunInfo::read(dir)?, Some(dir)),
        None => {
            let path = args.config.clone().context("--config is required")?;
            let config_path =
                std::fs::canonicalize(&path).with_context(|| path.display().to_string())?;
            let info = RunInfo {
                config_path,
                dryrun: args.dryrun,
                devices: args.devices.clone(),
            };
            (info, None)
        }
    };
    let mut config: TrainYaml = load_yaml(&info.config_path)?;
    if info.dryrun {
        config.apply_dryrun();
    }
    let dir = match (resume_dir, &args.output) {
        (Some(d), _) | (None, Some(d)) => d.clone(),
        (None, None) => calt_core::native::resolve(&info.config_path, config.train.run_dir()),
    };
    let data =
        load_training_data_from(config, &info.config_path)?.require_clean(args.skip_bad_lines)?;
    data.require_trainable()?;
    if data.skipped_lines() > 0 {
        eprintln!("skipping {} bad data line(s)", data.skipped_lines());
    }
    if let Some(count) = data.config.data.display_samples.filter(|&n| n > 0) {
        eprintln!("{}", data.sample_preview(count)?);
    }
    let (model_config, settings) = data.recipe()?;
    let is_classifier = model_config.architecture == Architecture::EncoderClassifier;
    let run_devices = info.devices.as_ref().or(data.config.train.devices.as_ref());
    if let (Some(given), Some(_)) = (&args.devices, resume_dir) {
        let count = run_devices.map_or(1, |list| list.0.len());
        if given.0.len() != count {
            let listed = run_devices.map_or(String::new(), |list| format!(" ({list})"));
            anyhow::bail!(
                "the run in {} trains on {count} device(s){listed}; resume it on as many (each \
                 update's batches depend on it)",
                dir.display()
            );
        }
    }
    let selected: Vec<SelectedDevice> = match (args.devices.as_ref().or(run_devices), args.device) {
        (Some(list), Some(_)) => anyhow::bail!(
            "--device does not apply: this run trains on the device list {list} (train.devices \
             or the run's own list); pass --devices to choose other devices"
        ),
        (Some(list), None) => select_devices(list)?,
        (None, choice) => vec![select_device(choice.unwrap_or(DeviceChoice::Auto))?],
    };
    for device in &selected {
        if let Some(note) = &device.note {
            eprintln!("{note}");
        }
    }
    let descriptions: Vec<&str> = selected.iter().map(|d| d.description.as_str()).collect();
    eprintln!("device: {}", descriptions.join(", "));
    let devices: Vec<_> = selected.iter().map(|d| d.device.clone()).collect();
    let device = &devices[0];

    let mut store =
        RunFolder::open(&dir, data.config.train.save_total_limit).map_err(anyhow::Error::msg)?;
    let train = data.train.dataset.pairs(usize::MAX);
    let resumed = match resume_dir {
        None => {
            run_dir::write_run_files(&dir, &info, &data)?;
            None
        }
        Some(_) => run_dir::resume_trainer(
            &dir,
            &model_config,
            settings.clone(),
            train.clone(),
            &devices,
            |warning| eprintln!("warning: {warning}"),
        )?,
    };
    let mut trainer = match resumed {
        Some((trainer, checkpoint)) => {
            eprintln!(
                "resuming from {} (step {})",
                checkpoint.display(),
                trainer.step()
            );
            trainer
        }
        None => {
            if resume_dir.is_some() {
                eprintln!(
                    "no complete checkpoint in {}; starting from step 0",
                    dir.display()
                );
            }
            Trainer::new(&model_config, settings, train, device)?.with_replicas(&devices)?
        }
    };
    eprintln!(
        "training: {} samples, {} steps ({} per epoch), batch {}{}, run folder {}",
        data.train.dataset.len(),
        trainer.total_steps(),
        trainer.steps_per_epoch(),
        data.config.train.batch_size,
        match devices.len() {
            1 => String::new(),
            n => format!(
                " ({} per device × {n} devices)",
                trainer.settings().batch_size
            ),
        },
        dir.display()
    );
    let mut train_info =
        json!({ "dataset_load_preprocessor": data.config.data.dataset_load_preprocessor });
    if let Some(task) = recorded_task(&data.train.path)? {
        train_info["task"] = task;
    }
    let meta = BundleMeta::new(
        model_config,
        &data.lexer_config,
        &data.tokenizer,
        train_info,
    )?;
    let plan = FitPlan {
        train: &data.config.train,
        eval_samples: args.eval_samples,
        meta: &meta,
    };
    let test = TestSplit {
        dataset: &data.test.dataset,
        tokenizer: &data.tokenizer,
    };
    let mut progress = Progress(ProgressBar::hidden());
    let outcome = fit(
        &mut trainer,
        &plan,
        &test,
        device,
        &mut store,
        &mut progress,
    )?;
    progress.0.finish_and_clear();
    println!("generation_accuracy {:.4}", outcome.accuracy);
    if is_classifier {
        // One-token answers: the exact match is the classification accuracy (calt-x's name).
        println!("classification_accuracy {:.4}", outcome.accuracy);
    }
    println!("model bundle: {}", outcome.model_location);
    println!(
        "peak memory (resident): {}",
        crate::peak_memory::describe_peak_memory()
    );
    Ok(ExitCode::SUCCESS)
}

/// The task record `calt generate` left beside the train split (`task.yaml`), as the bundle
/// keeps it; none for data from elsewhere. A record that does not read is an error: it would
/// otherwise vanish from the bundle unnoticed.
fn recorded_task(train_file: &std::path::Path) -> anyhow::Result<Option<serde_json::Value>> {
    let dir = train_file.parent().unwrap_or(std::path::Path::new(""));
    let Some((record, spec)) = task_record::folder::load(dir).with_context(|| {
        format!(
            "the task record beside the train split is unreadable; regenerate the data or \
             delete {} to train without it",
            dir.join(task_record::TASK_RECORD_FILE).display()
        )
    })?
    else {
        return Ok(None);
    };
    eprintln!(
        "task: {} (from {}; kept in the bundle for fresh problems)",
        spec.name(),
        dir.join(task_record::TASK_RECORD_FILE).display()
    );
    Ok(Some(serde_json::to_value(record)?))
}
