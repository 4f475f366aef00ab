//! Gradient accumulation (HF's `gradient_accumulation_steps`): 2 accumulated batches of 16 are
//! one update of a batch of 32 — same loss, same gradient norm, same weights, step by step.

// Long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::tensor::Device;
use calt_core::bundle::{BundleMeta, to_bytes};
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::training::tensor_file::{self, NamedTensor};
use calt_core::training::{AdamWSettings, Pair, ScheduleKind, TrainSettings, Trainer, scalar};

/// 100 digit sequences and their reversals, of varied lengths (so batches pad differently).
fn data() -> Vec<Pair> {
    common::reversal_pairs(100, 2, 7, 5)
}

fn settings(batch_size: usize, accumulation: usize) -> TrainSettings {
    TrainSettings {
        epochs: 2.0,
        batch_size,
        accumulation,
        learning_rate: 1e-3,
        schedule: ScheduleKind::Linear,
        warmup_ratio: 0.1,
        adamw: AdamWSettings {
            weight_decay: 0.01,
            max_grad_norm: Some(1.0),
            ..AdamWSettings::default()
        },
        seed: 9,
        // Shuffled batches cut one permutation of the samples, so 16 + 16 is the batch of 32.
        bucket_by_length: false,
    }
}

fn weights(model: &Seq2Seq) -> Vec<NamedTensor> {
    let bytes = to_bytes(model, &BundleMeta::model_only(model.config().clone())).unwrap();
    tensor_file::read(&bytes).unwrap().0
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1e-3)
}

#[test]
fn accumulated_batches_update_as_one_large_batch() {
    let device = Device::flex();
    let config = ModelConfig {
        dropout: 0.0,
        ..ModelConfig::small(12, 0, 1, 2)
    };
    let run = |batch_size, accumulation| {
        let settings = settings(batch_size, accumulation);
        let mut trainer = Trainer::new(&config, settings, data(), &device).unwrap();
        let mut reports = Vec::new();
        while !trainer.is_done() {
            let r = trainer.train_step().unwrap();
            let norm = r.grad_norm.as_ref().map_or(f64::NAN, scalar);
            reports.push((r.samples, scalar(&r.loss), norm));
        }
        (reports, weights(trainer.model()))
    };
    let (large, large_weights) = run(32, 1);
    let (accumulated, accumulated_weights) = run(16, 2);
    // 100 samples: 4 updates per epoch either way, the last of 4 samples.
    let samples: Vec<usize> = accumulated.iter().map(|r| r.0).collect();
    assert_eq!(samples, [32, 32, 32, 4, 32, 32, 32, 4]);
    for (step, (a, b)) in large.iter().zip(&accumulated).enumerate() {
        assert_eq!(a.0, b.0, "step {step}: samples");
        assert!(close(a.1, b.1), "step {step}: loss {} vs {}", a.1, b.1);
        assert!(close(a.2, b.2), "step {step}: grad norm {} vs {}", a.2, b.2);
    }
    for ((name, _, a), (_, _, b)) in large_weights.iter().zip(&accumulated_weights) {
        // Softmax ignores a bias added to every key, so its gradient is zero but for rounding,
        // and Adam scales that rounding up to full-size steps: no two summation orders agree.
        if name.ends_with("key.bias") {
            continue;
        }
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-5, "{name}: weights differ by {worst}");
    }
    // Not vacuous: a step moves the weights by far more than the tolerance.
    let fresh = weights(&Seq2Seq::new(&config, &device).unwrap());
    assert!(
        fresh
            .iter()
            .zip(&large_weights)
            .any(|(f, t)| { f.2.iter().zip(&t.2).any(|(x, y)| (x - y).abs() > 1e-4) })
    );
}
