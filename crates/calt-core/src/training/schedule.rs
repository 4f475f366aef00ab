//! Learning-rate schedules exactly as HF's Trainer computes them (CALT §5.2a).

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleKind {
    /// Linear warmup to the base rate over `W` steps, then linear decay to 0 at `T`.
    Linear,
    /// The base rate throughout (HF's "constant": no warmup).
    Constant,
    /// Warmup as `linear`, then the base rate (HF's "constant_with_warmup"; an extension).
    ConstantWithWarmup,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Schedule {
    pub kind: ScheduleKind,
    pub base_lr: f64,
    pub total_steps: u64,
    pub warmup_steps: u64,
}

impl Schedule {
    /// `W = ceil(warmup_ratio × T)`.
    pub fn new(kind: ScheduleKind, base_lr: f64, total_steps: u64, warmup_ratio: f64) -> Self {
        let warmup_steps = (warmup_ratio * total_steps as f64).ceil().max(0.0) as u64;
        Self {
            kind,
            base_lr,
            total_steps,
            warmup_steps,
        }
    }

    /// Multiplier at scheduler position `s`.
    pub fn multiplier(&self, s: u64) -> f64 {
        let (t, w) = (self.total_steps as f64, self.warmup_steps as f64);
        let s_f = s as f64;
        match self.kind {
            ScheduleKind::Constant => 1.0,
            ScheduleKind::ConstantWithWarmup if s < self.warmup_steps => s_f / w.max(1.0),
            ScheduleKind::ConstantWithWarmup => 1.0,
            ScheduleKind::Linear if s < self.warmup_steps => s_f / w.max(1.0),
            ScheduleKind::Linear => ((t - s_f) / (t - w).max(1.0)).max(0.0),
        }
    }

    /// Learning rate of the `k`-th optimizer update (1-based): HF uses position `k − 1`, so with
    /// warmup the first update has rate 0.
    pub fn lr_for_update(&self, k: u64) -> f64 {
        self.base_lr * self.multiplier(k.saturating_sub(1))
    }
}
