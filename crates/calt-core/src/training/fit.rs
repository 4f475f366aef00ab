//! The training run around a [`Trainer`]: steps until the schedule ends, with CALT's log /
//! evaluate / save events, the windowed loss, checkpoints and the final bundle.
//!
//! Where the run's outputs go is the caller's: a [`RunStore`] receives metrics records,
//! checkpoints, eval files and the final bundle ([`super::run_dir::RunFolder`] writes CALT's
//! run folder; a test can keep them in memory). A [`FitObserver`] sees progress, so a
//! front end can draw a progress bar without the loop knowing how.
//!
//! Native only for now, as [`evaluation::evaluate`] is: the browser awaits its device reads.

use burn::tensor::{Device, Tensor};
use serde_json::json;
use std::time::Instant;

use super::run_dir::TrainerState;
use super::tensor_file::NamedTensor;
use super::{TrainError, Trainer, scalar};
use crate::bundle::{self, BundleError, BundleMeta};
use crate::config::{Strategy, TrainSection};
use crate::data::EncodedDataset;
use crate::evaluation::{self, EvaluationOptions, EvaluationReport};
use crate::generation::GenerationConfig;
use crate::metrics::EvalRecord;
use crate::model::ModelError;
use crate::tokenizer::CaltTokenizer;

#[derive(Debug, thiserror::Error)]
pub enum FitError {
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error(transparent)]
    RunFolder(#[from] super::run_dir::RunDirError),
    /// Another store could not keep an output.
    #[error("{0}")]
    Store(String),
}

/// Where a run's outputs go.
pub trait RunStore {
    /// One `metrics.jsonl` record (a log window, an evaluation, the training summary).
    fn record(&mut self, record: &serde_json::Value) -> Result<(), FitError>;
    /// A checkpoint to resume from: the bundle, the optimizer moments and where training stood.
    fn save_checkpoint(
        &mut self,
        bundle: &[u8],
        moments: &[NamedTensor],
        state: &TrainerState,
    ) -> Result<(), FitError>;
    /// CALT's eval file of the evaluation at `step`; returns a name the metrics record cites.
    fn save_eval_results(
        &mut self,
        step: u64,
        records: &[EvalRecord],
        is_final: bool,
    ) -> Result<String, FitError>;
    /// The final bundle; returns a name to show the user.
    fn save_model(&mut self, bundle: &[u8]) -> Result<String, FitError>;
}

/// Progress of a run, for a front end to show. Every method does nothing by default.
pub trait FitObserver {
    /// Before the first step: `(done, total)` optimizer steps.
    fn started(&mut self, _done: u64, _total: u64) {}
    /// After every optimizer step.
    fn stepped(&mut self, _step: u64) {}
    /// Every record also given to the store, as it is written.
    fn recorded(&mut self, _record: &serde_json::Value) {}
}

/// An observer that shows nothing.
pub struct Silent;
impl FitObserver for Silent {}

/// The test split a run evaluates on.
pub struct TestSplit<'a> {
    pub dataset: &'a EncodedDataset,
    pub tokenizer: &'a CaltTokenizer,
}

/// How a run evaluates and when it logs, evaluates and saves (CALT's `train:` keys).
pub struct FitPlan<'a> {
    pub train: &'a TrainSection,
    /// Generate at most this many test answers at intermediate evaluations (the final one
    /// always uses the whole test set).
    pub eval_samples: Option<usize>,
    /// The bundle metadata; `global_step` and `epoch` are added to its `train_info`.
    pub meta: &'a BundleMeta,
}

/// What a finished run measured.
pub struct FitOutcome {
    /// Exact match of the final evaluation on the whole test set.
    pub accuracy: f64,
    /// Where the store put it.
    pub model_location: String,
}

fn is_due(strategy: Strategy, every: u64, step: u64, steps_per_epoch: u64) -> bool {
    match strategy {
        Strategy::No => false,
        Strategy::Steps => every > 0 && step.is_multiple_of(every),
        Strategy::Epoch => step.is_multiple_of(steps_per_epoch),
    }
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

fn add(sum: &mut Option<Tensor<1>>, value: Tensor<1>) {
    *sum = Some(match sum.take() {
        Some(acc) => acc + value,
        None => value,
    });
}

/// Loss and throughput since the last log record. Losses are summed on the device and read
/// once per window, so logging costs one sync, not one per step.
struct Window {
    loss: Option<Tensor<1>>,
    steps: u64,
    samples: usize,
    tokens: usize,
    started: Instant,
}

impl Window {
    fn new() -> Self {
        Self {
            loss: None,
            steps: 0,
            samples: 0,
            tokens: 0,
            started: Instant::now(),
        }
    }
}

/// One run: `trainer` steps until its schedule ends (from wherever it stands, so a resumed
/// trainer continues), then the final evaluation on the whole test split and the final bundle.
pub fn fit(
    trainer: &mut Trainer,
    plan: &FitPlan,
    test: &TestSplit,
    device: &Device,
    store: &mut dyn RunStore,
    observer: &mut dyn FitObserver,
) -> Result<FitOutcome, FitError> {
    let t = plan.train;
    let per_epoch = trainer.steps_per_epoch();
    let total = trainer.total_steps();
    let steps_at_start = trainer.step();
    observer.started(steps_at_start, total);
    let record =
        |store: &mut dyn RunStore, observer: &mut dyn FitObserver, value: serde_json::Value| {
            store.record(&value)?;
            observer.recorded(&value);
            Ok::<_, FitError>(())
        };

    let started = Instant::now();
    let mut window = Window::new();
    let mut all_loss = None;
    let mut samples_run = 0usize;
    while !trainer.is_done() {
        let r = trainer.train_step()?;
        add(&mut window.loss, r.loss.clone());
        add(&mut all_loss, r.loss);
        window.steps += 1;
        window.samples += r.samples;
        samples_run += r.samples;
        window.tokens += r.padded_tokens;
        let final_step = r.step == total;
        if is_due(t.logging_strategy, t.logging_steps, r.step, per_epoch) || final_step {
            let secs = window.started.elapsed().as_secs_f64().max(1e-9);
            let mean = window.loss.take().map_or(f64::NAN, |l| scalar(&l)) / window.steps as f64;
            let log = json!({
                "step": r.step,
                "epoch": round4(r.epoch),
                "loss": round4(mean),
                "grad_norm": r.grad_norm.as_ref().map(scalar),
                "learning_rate": r.lr,
                "train_samples_per_second": window.samples as f64 / secs,
                "train_tokens_per_second": window.tokens as f64 / secs,
            });
            record(store, observer, log)?;
            window = Window::new();
        }
        if !final_step && is_due(t.eval_strategy, t.eval_steps, r.step, per_epoch) {
            let report = evaluate(trainer, plan, test, device, plan.eval_samples)?;
            let location = store.save_eval_results(r.step, &report.scores.eval_records(), false)?;
            record(
                store,
                observer,
                evaluation_record(&report, r.step, r.epoch, &location),
            )?;
        }
        if is_due(t.save_strategy, t.save_steps, r.step, per_epoch)
            || (final_step && t.save_strategy != Strategy::No)
        {
            let bundle = bundle_at(trainer, plan.meta, r.step, r.epoch)?;
            let state = TrainerState {
                global_step: r.step,
                epoch: r.epoch,
                total_steps: total,
                seed: trainer.settings().seed,
            };
            store.save_checkpoint(&bundle, &trainer.optimizer().export(), &state)?;
        }
        observer.stepped(r.step);
    }

    let runtime = started.elapsed().as_secs_f64().max(1e-9);
    let steps_run = trainer.step() - steps_at_start;
    let samples = samples_run as f64;
    let summary = json!({
        "step": trainer.step(),
        "epoch": round4(trainer.epoch()),
        "train_runtime": runtime,
        "train_samples_per_second": samples / runtime,
        "train_steps_per_second": steps_run as f64 / runtime,
        "train_loss": all_loss.map(|l| scalar(&l) / steps_run.max(1) as f64),
    });
    record(store, observer, summary)?;

    let (step, epoch) = (trainer.step(), trainer.epoch());
    let report = evaluate(trainer, plan, test, device, None)?;
    let location = store.save_eval_results(step, &report.scores.eval_records(), true)?;
    record(
        store,
        observer,
        evaluation_record(&report, step, epoch, &location),
    )?;
    let bundle = bundle_at(trainer, plan.meta, step, epoch)?;
    let model_location = store.save_model(&bundle)?;
    Ok(FitOutcome {
        accuracy: report.scores.accuracy,
        model_location,
    })
}

fn evaluate(
    trainer: &Trainer,
    plan: &FitPlan,
    test: &TestSplit,
    device: &Device,
    limit: Option<usize>,
) -> Result<EvaluationReport, ModelError> {
    let options = EvaluationOptions {
        batch_size: plan.train.test_batch_size,
        generation: GenerationConfig {
            max_new_tokens: usize::MAX,
            beams: 1,
            length_penalty: 1.0,
        },
        limit,
        teacher_forced: true,
    };
    evaluation::evaluate(
        &trainer.eval_model(),
        test.tokenizer,
        test.dataset,
        &options,
        device,
    )
}

fn evaluation_record(
    report: &EvaluationReport,
    step: u64,
    epoch: f64,
    location: &str,
) -> serde_json::Value {
    let mut record = report.metrics_json();
    if let Some(fields) = record.as_object_mut() {
        fields.insert("step".into(), json!(step));
        fields.insert("epoch".into(), json!(round4(epoch)));
        fields.insert("eval_results".into(), json!(location));
    }
    record
}

fn bundle_at(
    trainer: &Trainer,
    meta: &BundleMeta,
    step: u64,
    epoch: f64,
) -> Result<Vec<u8>, BundleError> {
    let mut meta = meta.clone();
    if let Some(info) = meta.train_info.as_object_mut() {
        info.insert("global_step".into(), json!(step));
        info.insert("epoch".into(), json!(epoch));
    }
    bundle::to_bytes(&trainer.eval_model(), &meta)
}
