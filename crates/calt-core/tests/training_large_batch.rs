//! An update of 32 samples is the same update however it is made: one batch of 32, 2
//! accumulated batches of 16 (HF's `gradient_accumulation_steps`), or a batch of 32 divided
//! among 2 devices (data parallelism, `--devices`) — same samples, loss, gradient norm and
//! weights, step by step.

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

fn config() -> ModelConfig {
    ModelConfig {
        dropout: 0.0,
        ..ModelConfig::small(12, 0, 1, 2)
    }
}

/// Each update's samples, loss and gradient norm, and the final weights.
struct Run {
    updates: Vec<(usize, f64, f64)>,
    weights: Vec<NamedTensor>,
}

/// Trains with `batch_size`, `accumulation` batches per update, on `replicas` CPU replicas
/// (which divide `batch_size` among them).
fn run(batch_size: usize, accumulation: usize, replicas: usize) -> Run {
    let devices = vec![Device::flex(); replicas];
    let settings = settings(batch_size, accumulation);
    let mut trainer = Trainer::new(&config(), settings, data(), &devices[0])
        .unwrap()
        .with_replicas(&devices)
        .unwrap();
    let mut updates = Vec::new();
    while !trainer.is_done() {
        let r = trainer.train_step().unwrap();
        let norm = r.grad_norm.as_ref().map_or(f64::NAN, scalar);
        updates.push((r.samples, scalar(&r.loss), norm));
    }
    Run {
        updates,
        weights: weights(trainer.model()),
    }
}

#[test]
fn accumulated_batches_update_as_one_large_batch() {
    assert_same_updates(&run(32, 1, 1), &run(16, 2, 1));
}

#[test]
fn replicas_update_as_one_large_batch() {
    let large = run(32, 1, 1);
    assert_same_updates(&large, &run(32, 1, 2));
    // Both at once: each replica accumulates 2 batches of 8.
    assert_same_updates(&large, &run(16, 2, 2));
}

fn assert_same_updates(large: &Run, other: &Run) {
    // 100 samples: 4 updates per epoch either way, the last of 4 samples.
    let samples: Vec<usize> = other.updates.iter().map(|r| r.0).collect();
    assert_eq!(samples, [32, 32, 32, 4, 32, 32, 32, 4]);
    for (step, (a, b)) in large.updates.iter().zip(&other.updates).enumerate() {
        assert_eq!(a.0, b.0, "step {step}: samples");
        assert!(close(a.1, b.1), "step {step}: loss {} vs {}", a.1, b.1);
        assert!(close(a.2, b.2), "step {step}: grad norm {} vs {}", a.2, b.2);
    }
    for ((name, _, a), (_, _, b)) in large.weights.iter().zip(&other.weights) {
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
    let fresh = weights(&Seq2Seq::new(&config(), &Device::flex()).unwrap());
    assert!(
        fresh
            .iter()
            .zip(&large.weights)
            .any(|(f, t)| { f.2.iter().zip(&t.2).any(|(x, y)| (x - y).abs() > 1e-4) })
    );
}
