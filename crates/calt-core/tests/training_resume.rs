//! Resume is exact: N straight steps equal N/2 steps, a save/restore round trip through
//! bytes, and N/2 more steps — bit for bit, with dropout on, on one device and on two
//! (data-parallel replicas). One test per binary: the CPU backend's random generator is
//! process-global.

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::Module;
use burn::tensor::Device;
use calt_core::bundle::{BundleMeta, load_weights, to_bytes};
use calt_core::model::{Architecture, ModelConfig, Seq2Seq};
use calt_core::training::{AdamWSettings, Pair, ScheduleKind, TrainSettings, Trainer};

fn data() -> Vec<Pair> {
    common::reversal_pairs(40, 2, 5, 3)
}

fn settings() -> TrainSettings {
    TrainSettings {
        epochs: 2.0,
        batch_size: 8,
        accumulation: 1,
        learning_rate: 1e-3,
        schedule: ScheduleKind::Linear,
        warmup_ratio: 0.2,
        adamw: AdamWSettings {
            weight_decay: 0.01,
            max_grad_norm: Some(0.5),
            ..AdamWSettings::default()
        },
        seed: 11,
        bucket_by_length: true,
    }
}

fn model_config() -> ModelConfig {
    ModelConfig {
        dropout: 0.1,
        ..ModelConfig::small(12, 0, 1, 2)
    }
}

fn weights(model: &Seq2Seq) -> Vec<calt_core::training::tensor_file::NamedTensor> {
    let bytes = to_bytes(
        &model.valid(),
        &BundleMeta::model_only(model.config().clone()),
    )
    .unwrap();
    calt_core::training::tensor_file::read(&bytes).unwrap().0
}

#[test]
fn straight_run_equals_half_run_plus_resume() {
    let cpu = Device::flex();
    // 40 samples / 8 per batch × 2 epochs.
    assert_resume_is_exact(std::slice::from_ref(&cpu), 10);
    // Two replicas, 4 samples each: 10 batches an epoch, 2 per update.
    assert_resume_is_exact(&[cpu.clone(), cpu.clone()], 10);
    // The decoder-only model resumes as exactly (the classifier runs the same trainer).
    let decoder_only = ModelConfig {
        architecture: Architecture::DecoderOnly,
        encoder_layers: 0,
        ..model_config()
    };
    assert_resume_is_exact_for(&decoder_only, std::slice::from_ref(&cpu), 10);
}

fn trainer(config: &ModelConfig, devices: &[Device]) -> Trainer {
    Trainer::new(config, settings(), data(), &devices[0])
        .unwrap()
        .with_replicas(devices)
        .unwrap()
}

fn assert_resume_is_exact(devices: &[Device], total: u64) {
    assert_resume_is_exact_for(&model_config(), devices, total);
}

fn assert_resume_is_exact_for(config: &ModelConfig, devices: &[Device], total: u64) {
    let device = &devices[0];
    let meta = || BundleMeta::model_only(config.clone());
    let mut straight = trainer(config, devices);
    assert_eq!(straight.total_steps(), total);
    let mut losses = Vec::new();
    while !straight.is_done() {
        let r = straight.train_step().unwrap();
        losses.push(calt_core::training::scalar(&r.loss));
    }
    assert!(losses.iter().all(|l| l.is_finite()));

    // First half, then "save": weights + optimizer moments + step.
    let mut first = trainer(config, devices);
    for _ in 0..total / 2 {
        first.train_step().unwrap();
    }
    let saved_weights = to_bytes(&first.model().valid(), &meta()).unwrap();
    let saved_moments = first.optimizer().export();
    let saved_step = first.step();
    drop(first);

    // "Load" into a fresh process-like state: a differently seeded model, overwritten.
    let ad = device.clone().autodiff();
    let other = ModelConfig {
        seed: 999,
        ..config.clone()
    };
    let mut model = Seq2Seq::new(&other, &ad).unwrap();
    load_weights(&mut model, saved_weights).unwrap();
    let mut resumed = Trainer::with_model(model, settings(), data(), &ad)
        .unwrap()
        .with_replicas(devices)
        .unwrap();
    resumed.restore(saved_step, saved_moments).unwrap();
    while !resumed.is_done() {
        resumed.train_step().unwrap();
    }
    assert_eq!(resumed.step(), total);
    assert!(
        weights(straight.model()) == weights(resumed.model()),
        "resumed weights differ from the straight run"
    );
    // Two trainings that end with the same tensors write the same bundle, byte for byte (the
    // header metadata is not in hash-map order).
    assert!(
        to_bytes(&straight.model().valid(), &meta()).unwrap()
            == to_bytes(&resumed.model().valid(), &meta()).unwrap(),
        "the same model gave different bundle bytes"
    );
    // And the run actually changed the weights.
    let fresh = Seq2Seq::new(config, device).unwrap();
    assert!(weights(&fresh) != weights(straight.model()));
}
