//! `train.yaml` → `train:` and `wandb:` (spec §5.2, §5.4).

use super::numbers::f64_lenient;
use serde::{Deserialize, Serialize};

/// When evaluation, saving or logging happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    Steps,
    Epoch,
    No,
}

/// Learning-rate schedule. CALT turns any unknown name into `linear`; we reject it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LrSchedulerType {
    Linear,
    Constant,
}

fn steps() -> Strategy {
    Strategy::Steps
}
fn thousand() -> u64 {
    1000
}
fn fifty() -> u64 {
    50
}
fn one() -> usize {
    1
}
fn one_f() -> f64 {
    1.0
}
fn seed() -> u64 {
    42
}
fn linear() -> LrSchedulerType {
    LrSchedulerType::Linear
}

/// The `train:` block with CALT's keys and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainSection {
    /// Run folder (`save_dir`, else `output_dir`, else `./tmp` as in CALT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_dir: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_dir: Option<String>,
    #[serde(deserialize_with = "f64_lenient")]
    pub num_train_epochs: f64,
    #[serde(deserialize_with = "f64_lenient")]
    pub learning_rate: f64,
    #[serde(default, deserialize_with = "f64_lenient")]
    pub weight_decay: f64,
    #[serde(default, deserialize_with = "f64_lenient")]
    pub warmup_ratio: f64,
    /// Samples per forward/backward pass (HF's per-device batch size).
    pub batch_size: usize,
    /// HF's: the optimizer steps once per this many batches, so one update sees
    /// `batch_size × gradient_accumulation_steps` samples; `*_steps` count updates.
    #[serde(default = "one")]
    pub gradient_accumulation_steps: usize,
    pub test_batch_size: usize,
    #[serde(default = "linear")]
    pub lr_scheduler_type: LrSchedulerType,
    #[serde(default = "one_f", deserialize_with = "f64_lenient")]
    pub max_grad_norm: f64,
    /// Only AdamW variants exist (`adamw_torch`, `adamw_torch_fused`, `adamw`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimizer: Option<String>,
    /// Accepted for compatibility: data is tokenised once up front, so there are no loader workers.
    #[serde(default)]
    pub num_workers: usize,
    /// Accepted for compatibility (no pinned host memory in burn).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataloader_pin_memory: Option<bool>,
    #[serde(default = "steps")]
    pub eval_strategy: Strategy,
    #[serde(default = "thousand")]
    pub eval_steps: u64,
    #[serde(default = "steps")]
    pub save_strategy: Strategy,
    #[serde(default = "thousand")]
    pub save_steps: u64,
    #[serde(default = "one")]
    pub save_total_limit: usize,
    #[serde(default = "steps")]
    pub logging_strategy: Strategy,
    #[serde(default = "fifty")]
    pub logging_steps: u64,
    #[serde(default = "seed")]
    pub seed: u64,
    /// HF's `group_by_length`: draw batches of samples of similar length (less padding).
    /// Unset means calt's default, on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by_length: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove_unused_columns: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_tqdm: Option<bool>,
    /// Weights are always safetensors here; the key is accepted for compatibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save_safetensors: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wandb: Option<WandbSection>,
    /// calt's: train on these devices at once (`cpu,cpu`, `wgpu:0,wgpu:1`; `calt train
    /// --devices` overrides). `batch_size` stays the update's batch, divided among them as
    /// CALT divides it among GPUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub devices: Option<crate::execution::DeviceList>,
}

impl TrainSection {
    /// The run folder as CALT picks it.
    pub fn run_dir(&self) -> &str {
        self.save_dir
            .as_deref()
            .or(self.output_dir.as_deref())
            .unwrap_or("./tmp")
    }
}

/// `wandb:` (top level or under `train:`). Metrics always go to `metrics.jsonl`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WandbSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub no_wandb: bool,
}
