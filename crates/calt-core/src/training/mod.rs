//! Training and evaluation, independent of files: a [`Trainer`] does optimizer steps;
//! [`fit::fit`] runs one around it (log / evaluate / save events) into a [`fit::RunStore`].
//!
//! Resume is exact: the batch order of an epoch depends only on `(seed, epoch)`, dropout is
//! re-seeded from `(seed, step)` before every step, and the optimizer state is exported in
//! full, so `N` straight steps and `N/2 + resume + N/2` give identical weights on a CPU.

pub mod batch;
#[cfg(not(target_arch = "wasm32"))]
pub mod device;
#[cfg(not(target_arch = "wasm32"))]
pub mod fit;
pub mod from_yaml;
pub mod loss;
pub mod optim;
pub mod parallel;
#[cfg(not(target_arch = "wasm32"))]
pub mod replicas;
#[cfg(not(target_arch = "wasm32"))]
pub mod run_dir;
pub mod schedule;
pub mod tensor_file;

use burn::tensor::{Device, Tensor};

#[cfg(not(target_arch = "wasm32"))]
use crate::execution::ExecutionPolicy;
use crate::generation::{GenerationConfig, generate};
use crate::model::{ModelConfig, ModelError, Seq2Seq};
use batch::{HostBatch, epoch_batches, sequential_batches};
pub use optim::{AdamW, AdamWSettings};
pub use schedule::{Schedule, ScheduleKind};

/// An encoded pair: input ids and target ids, both `[BOS, …, EOS]`.
pub type Pair = (Vec<u32>, Vec<u32>);

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("the training set is empty")]
    EmptyTrainingSet,
    #[error("invalid training setting: {0}")]
    Invalid(String),
    #[error("checkpoint state does not fit this run: {0}")]
    Checkpoint(String),
}

/// Optimisation settings (CALT's `train:` keys, already validated).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainSettings {
    pub epochs: f64,
    /// Samples per forward/backward pass (on each device, when training on several: see
    /// [`Trainer::with_replicas`]).
    pub batch_size: usize,
    /// Batches per optimizer update (HF's `gradient_accumulation_steps`, at least 1): their
    /// gradients are summed and the loss normalised over all of them, so an update equals
    /// one of a batch `accumulation` times larger.
    pub accumulation: usize,
    pub learning_rate: f64,
    pub schedule: ScheduleKind,
    pub warmup_ratio: f64,
    pub adamw: AdamWSettings,
    /// Seeds batch order and dropout.
    pub seed: u64,
    /// HF's `group_by_length`: batches of samples of similar length (less padding); `false`
    /// gives plain shuffled batches. Either way every answer token weighs the same in an
    /// epoch (see [`Trainer`]).
    pub bucket_by_length: bool,
}

/// What one optimizer update reports. Tensors stay on the device until someone reads them.
pub struct StepReport {
    /// Updates done so far (1-based number of this update).
    pub step: u64,
    /// Fractional epoch after this update (`step / steps_per_epoch`).
    pub epoch: f64,
    pub lr: f64,
    pub loss: Tensor<1>,
    pub grad_norm: Option<Tensor<1>>,
    pub samples: usize,
    pub padded_tokens: usize,
}

/// Reads a one-element device tensor (a host sync).
pub fn scalar(t: &Tensor<1>) -> f64 {
    t.clone()
        .into_data()
        .convert::<f64>()
        .try_into_vec::<f64>()
        .ok()
        .and_then(|v| v.first().copied())
        .unwrap_or(f64::NAN)
}

fn mix(seed: u64, step: u64) -> u64 {
    crate::model::init::SplitMix64::stream(seed, step.wrapping_add(0xD0D0)).next_u64()
}

/// Runs optimizer updates over an epoch plan of batches.
///
/// The loss of a step is its summed answer-token cross-entropy divided by the batch's rows ×
/// the training set's mean answer tokens per sample, not by the batch's own token count. With
/// shuffled batches the two agree on average (HF divides by the batch's count); with
/// length-bucketed batches a batch of long answers has twice the tokens of a batch of short
/// ones, and dividing by its own count gave each long-answer token half the weight: the model
/// learnt long answers late and some never.
pub struct Trainer {
    model: Option<Seq2Seq>,
    optim: AdamW,
    settings: TrainSettings,
    /// Every device an update runs on, the model's (with autodiff) first (see
    /// [`Trainer::with_replicas`]).
    devices: Vec<Device>,
    data: Vec<Pair>,
    lengths: Vec<usize>,
    /// Answer tokens the loss counts, per sample, averaged over the training set.
    mean_label_tokens: f64,
    pad: u32,
    schedule: Schedule,
    steps_per_epoch: u64,
    step: u64,
    plan: Option<(u64, Vec<Vec<usize>>)>,
    /// Split CPU steps over two threads where that applies (see `parallel.rs`).
    two_halves: bool,
}

impl Trainer {
    /// A fresh run: the model is initialised from `model_config.seed` on `device` (autodiff is
    /// enabled here).
    pub fn new(
        model_config: &ModelConfig,
        settings: TrainSettings,
        data: Vec<Pair>,
        device: &Device,
    ) -> Result<Self, TrainError> {
        let device = device.clone().autodiff();
        let model = Seq2Seq::new(model_config, &device)?;
        Self::with_model(model, settings, data, &device)
    }

    /// Trains an existing model (its device must have autodiff enabled).
    pub fn with_model(
        model: Seq2Seq,
        settings: TrainSettings,
        data: Vec<Pair>,
        device: &Device,
    ) -> Result<Self, TrainError> {
        if data.is_empty() {
            return Err(TrainError::EmptyTrainingSet);
        }
        if settings.batch_size == 0 || settings.accumulation == 0 {
            return Err(TrainError::Invalid(
                "batch_size and gradient_accumulation_steps must be positive".into(),
            ));
        }
        if settings.epochs.is_nan() || settings.epochs <= 0.0 {
            return Err(TrainError::Invalid(
                "num_train_epochs must be positive".into(),
            ));
        }
        let config = model.config();
        if let Some((i, problem)) = data.iter().enumerate().find_map(|(i, p)| {
            config
                .check_pair(p.0.len(), p.1.len())
                .err()
                .map(|e| (i, e))
        }) {
            return Err(TrainError::Invalid(format!(
                "training sample {} has {problem}",
                i + 1
            )));
        }
        let data: Vec<Pair> = data
            .into_iter()
            .map(|(input, target)| {
                let target = config.loss_target(&target).to_vec();
                (input, target)
            })
            .collect();
        let (steps_per_epoch, schedule) = plan_updates(&settings, data.len(), 1);
        let lengths = data.iter().map(|p| p.0.len() + p.1.len()).collect();
        let label_tokens: usize = data.iter().map(|p| p.1.len().saturating_sub(1)).sum();
        let mean_label_tokens = label_tokens.max(1) as f64 / data.len() as f64;
        let pad = model.config().pad_id;
        Ok(Self {
            model: Some(model),
            optim: AdamW::new(settings.adamw),
            settings,
            devices: vec![device.clone()],
            data,
            lengths,
            mean_label_tokens,
            pad,
            schedule,
            steps_per_epoch,
            step: 0,
            plan: None,
            two_halves: true,
        })
    }

    /// Trains data-parallel on `devices` (the first must be the model's), as CALT does on
    /// several GPUs: `batch_size` stays the update's batch and is divided among the devices
    /// (rounded down, as CALT's loader divides it), each taking its share of the batches (see
    /// `replicas.rs`). Call once, before the first step (a resumed run: before `restore`).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn with_replicas(mut self, devices: &[Device]) -> Result<Self, TrainError> {
        let devices: Vec<Device> = devices.iter().map(|d| d.clone().autodiff()).collect();
        if devices.first() != Some(self.model_device()) {
            return Err(TrainError::Invalid(
                "the first device of a device list must hold the model".into(),
            ));
        }
        if self.step != 0 || self.devices.len() != 1 {
            return Err(TrainError::Invalid(
                "devices are chosen once, before the first step".into(),
            ));
        }
        let per_device = self.settings.batch_size / devices.len();
        if per_device == 0 {
            return Err(TrainError::Invalid(format!(
                "batch_size {} is smaller than the number of devices ({}): each device needs \
                 samples of its own",
                self.settings.batch_size,
                devices.len()
            )));
        }
        self.settings.batch_size = per_device;
        (self.steps_per_epoch, self.schedule) =
            plan_updates(&self.settings, self.data.len(), devices.len());
        self.devices = devices;
        Ok(self)
    }

    /// Whether steps on the CPU backend compute the two halves of a batch on two threads (on by
    /// default; `parallel::batch_gradients` decides where it applies). `calt bench` turns it
    /// off for its baseline.
    pub fn set_two_halves(&mut self, on: bool) {
        self.two_halves = on;
    }

    pub fn model(&self) -> &Seq2Seq {
        self.model.as_ref().expect("model is present between steps")
    }

    /// The model without autodiff, for evaluation and saving.
    pub fn eval_model(&self) -> Seq2Seq {
        use burn::module::Module;
        self.model().valid()
    }

    pub fn settings(&self) -> &TrainSettings {
        &self.settings
    }

    pub fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub fn steps_per_epoch(&self) -> u64 {
        self.steps_per_epoch
    }

    pub fn total_steps(&self) -> u64 {
        self.schedule.total_steps
    }

    /// Updates done so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    pub fn epoch(&self) -> f64 {
        self.step as f64 / self.steps_per_epoch as f64
    }

    pub fn is_done(&self) -> bool {
        self.step >= self.total_steps()
    }

    pub fn optimizer(&self) -> &AdamW {
        &self.optim
    }

    /// Restores the position and optimizer of a checkpoint (weights are loaded into the model
    /// before [`Trainer::with_model`]).
    pub fn restore(
        &mut self,
        step: u64,
        moments: Vec<(String, Vec<usize>, Vec<f32>)>,
    ) -> Result<(), TrainError> {
        if step > self.total_steps() {
            return Err(TrainError::Checkpoint(format!(
                "checkpoint step {step} is past this run's {} steps",
                self.total_steps()
            )));
        }
        let device = self.model_device().clone();
        self.optim.import(step, moments, &device)?;
        self.step = step;
        self.plan = None;
        Ok(())
    }

    /// The batches (sample indices) of the next optimizer update.
    fn next_batches(&mut self) -> Vec<Vec<usize>> {
        let epoch = self.step / self.steps_per_epoch;
        let within = (self.step % self.steps_per_epoch) as usize;
        if self.plan.as_ref().map(|p| p.0) != Some(epoch) {
            let batches = if self.settings.bucket_by_length {
                epoch_batches(
                    &self.lengths,
                    self.settings.batch_size,
                    self.settings.seed,
                    epoch,
                )
            } else {
                batch::shuffled_batches(
                    self.lengths.len(),
                    self.settings.batch_size,
                    self.settings.seed,
                    epoch,
                )
            };
            self.plan = Some((epoch, batches));
        }
        let per_update = self.settings.accumulation * self.devices.len();
        self.plan
            .as_ref()
            .map(|p| {
                let start = (within * per_update).min(p.1.len());
                p.1[start..(start + per_update).min(p.1.len())].to_vec()
            })
            .unwrap_or_default()
    }

    /// What a step's summed token loss is divided by (see [`Trainer`]).
    fn loss_normaliser(&self, rows: usize) -> f64 {
        rows as f64 * self.mean_label_tokens
    }

    /// One optimizer update on the next batch (or, with accumulation, batches).
    pub fn train_step(&mut self) -> Result<StepReport, TrainError> {
        let batches: Vec<Vec<(&[u32], &[u32])>> = self
            .next_batches()
            .iter()
            .map(|indices| {
                indices
                    .iter()
                    .map(|&i| (self.data[i].0.as_slice(), self.data[i].1.as_slice()))
                    .collect()
            })
            .collect();
        let rows: usize = batches.iter().map(Vec::len).sum();
        let tokens: usize = batches.iter().map(|b| parallel::label_tokens(b)).sum();
        let normaliser = self.loss_normaliser(rows);
        let model = self.model.take().expect("model is present between steps");
        // Dropout masks depend on (seed, step, batch) only, so a resumed run draws the same
        // ones (and the first batch of a step the masks it drew before accumulation existed).
        let step_seed = mix(self.settings.seed, self.step);
        let seeded: Vec<_> = batches
            .iter()
            .enumerate()
            .map(|(k, pairs)| {
                let seed = if k == 0 {
                    step_seed
                } else {
                    mix(step_seed, k as u64)
                };
                (pairs.clone(), seed)
            })
            .collect();
        let computed = if seeded.is_empty() {
            Err(TrainError::Invalid("an update without batches".into()))
        } else {
            self.update_gradients(&model, &seeded, normaliser)
                .map_err(TrainError::from)
        };
        let parallel::PartResult { grads, loss } = match computed {
            Ok(part) => part,
            Err(e) => {
                self.model = Some(model);
                return Err(e);
            }
        };
        let update = self.step + 1;
        let lr = self.schedule.lr_for_update(update);
        let (model, grad_norm) = self.optim.step(lr, model, grads);
        self.model = Some(model);
        self.step = update;
        Ok(StepReport {
            step: update,
            epoch: self.epoch(),
            lr,
            // Reported as the update's mean, the figure HF logs.
            loss: loss.inner().mul_scalar(normaliser / tokens.max(1) as f64),
            grad_norm,
            samples: rows,
            padded_tokens: batches.iter().map(|b| HostBatch::padded_tokens_of(b)).sum(),
        })
    }
}

impl Trainer {
    /// The summed gradients and loss of an update's (non-empty) batches: on every device at
    /// once, or one batch after another on the one device.
    fn update_gradients(
        &self,
        model: &Seq2Seq,
        batches: &[parallel::SeededBatch<'_>],
        normaliser: f64,
    ) -> Result<parallel::PartResult, ModelError> {
        #[cfg(not(target_arch = "wasm32"))]
        if self.devices.len() > 1 {
            return replicas::replica_gradients(
                model,
                &self.devices,
                batches,
                self.pad,
                normaliser,
            );
        }
        let parts = batches.iter().map(|(pairs, seed)| {
            parallel::batch_gradients(
                model,
                pairs,
                self.pad,
                normaliser,
                *seed,
                self.model_device(),
                self.two_halves,
            )
        });
        Ok(parallel::sum_parts(model, parts)?.expect("an update has at least one batch"))
    }

    /// The device that holds the model and the optimizer state.
    fn model_device(&self) -> &Device {
        &self.devices[0]
    }
}

/// Updates per epoch and the learning-rate schedule over the whole run, when each update
/// takes `accumulation` batches on each of `devices` devices. An epoch's last update takes
/// the batches left over.
fn plan_updates(settings: &TrainSettings, samples: usize, devices: usize) -> (u64, Schedule) {
    let batches_per_epoch = samples.div_ceil(settings.batch_size);
    let steps_per_epoch = batches_per_epoch.div_ceil(settings.accumulation * devices) as u64;
    let total = (settings.epochs * steps_per_epoch as f64).ceil() as u64;
    let schedule = Schedule::new(
        settings.schedule,
        settings.learning_rate,
        total,
        settings.warmup_ratio,
    );
    (steps_per_epoch, schedule)
}

/// Teacher-forced evaluation of a whole set.
#[derive(Clone, Debug, PartialEq)]
pub struct TeacherForced {
    /// Sample-weighted mean of per-batch token-mean losses (HF's `eval_loss`).
    pub loss: f64,
    /// Correct / counted label tokens over the whole set.
    pub token_accuracy: f64,
    /// Fraction of sequences whose labels are all predicted (teacher-forced, not generation).
    pub sequence_accuracy: f64,
}

pub fn teacher_forced(
    model: &Seq2Seq,
    data: &[Pair],
    batch_size: usize,
    device: &Device,
) -> Result<TeacherForced, ModelError> {
    let (mut loss_sum, mut n) = (0.0, 0usize);
    let (mut correct, mut counted, mut exact) = (0, 0, 0);
    for idx in sequential_batches(data.len(), batch_size) {
        let pairs: Vec<(&[u32], &[u32])> = idx
            .iter()
            .map(|&i| (data[i].0.as_slice(), model.config().loss_target(&data[i].1)))
            .collect();
        let host = HostBatch::collate(&pairs, model.config().pad_id);
        let b = host.to_device(device);
        let logits = model.forward(b.input_ids, b.decoder_ids)?;
        let l = loss::masked_cross_entropy(logits.clone(), b.labels.clone(), b.label_tokens as f64);
        loss_sum += scalar(&l) * b.batch as f64;
        n += b.batch;
        let (c, k, e) = loss::teacher_forced_counts(logits, b.labels);
        correct += c;
        counted += k;
        exact += e;
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(TeacherForced {
        loss: if n == 0 { 0.0 } else { loss_sum / n as f64 },
        token_accuracy: ratio(correct, counted),
        sequence_accuracy: ratio(exact, n),
    })
}

/// Generates answers for every input, batching inputs of similar length together, and returns
/// them in input order.
pub fn generate_all(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    batch_size: usize,
    config: &GenerationConfig,
    device: &Device,
    mut progress: impl FnMut(usize),
) -> Result<Vec<Vec<u32>>, ModelError> {
    let order = crate::evaluation::generation_order(inputs);
    let mut out = vec![Vec::new(); inputs.len()];
    let run = |model: &Seq2Seq, chunk: &&[usize]| {
        let rows: Vec<&[u32]> = chunk.iter().map(|&i| inputs[i]).collect();
        generate(model, &rows, config, device)
    };
    // On the CPU backend, batches go alternately to two threads (as training's batch halves
    // do), split finer when there are fewer than two.
    #[cfg(not(target_arch = "wasm32"))]
    if ExecutionPolicy::for_device(device).two_threads && inputs.len() >= 2 {
        // An even number of equal chunks, dealt in snake order (short, long, long, short, …)
        // so that both threads get as much of the long inputs as of the short ones.
        let count = inputs
            .len()
            .div_ceil(batch_size.max(1))
            .max(2)
            .next_multiple_of(2);
        let size = inputs.len().div_ceil(count);
        let mut chunks: Vec<&[usize]> = order.chunks(size).collect();
        for pair in chunks.chunks_mut(4) {
            if let [_, _, c, d] = pair {
                std::mem::swap(c, d);
            }
        }
        if let Some(results) = parallel::alternate_over_two_threads(model, &chunks, run) {
            for (chunk, generated) in chunks.iter().zip(results) {
                for (&i, g) in chunk.iter().zip(generated?) {
                    out[i] = g;
                }
                progress(chunk.len());
            }
            return Ok(out);
        }
    }
    for chunk in order.chunks(batch_size.max(1)) {
        for (&i, g) in chunk.iter().zip(run(model, &chunk)?) {
            out[i] = g;
        }
        progress(chunk.len());
    }
    Ok(out)
}
