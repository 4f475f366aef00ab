//! Timings behind `calt bench`: optimizer steps and batched generation, each read back to
//! the host so that queued device work is inside the measured time.

use std::time::Instant;

use burn::tensor::Device;

use crate::generation::GenerationConfig;
use crate::model::{ModelError, Seq2Seq};
use crate::training::{TrainError, Trainer, generate_all, scalar};

/// Throughput of timed optimizer steps.
pub struct TrainingSpeed {
    pub samples_per_second: f64,
    pub padded_tokens_per_second: f64,
    pub seconds: f64,
}

/// Times `steps` optimizer steps (fewer if the schedule ends) after `warmup` untimed ones.
pub fn time_training(
    trainer: &mut Trainer,
    warmup: usize,
    steps: usize,
) -> Result<TrainingSpeed, TrainError> {
    for _ in 0..warmup {
        let r = trainer.train_step()?;
        scalar(&r.loss);
    }
    let started = Instant::now();
    let (mut samples, mut tokens) = (0usize, 0usize);
    let mut last = None;
    for _ in 0..steps {
        if trainer.is_done() {
            break;
        }
        let r = trainer.train_step()?;
        samples += r.samples;
        tokens += r.padded_tokens;
        last = Some(r.loss);
    }
    // Reading the last loss waits for all queued work.
    if let Some(l) = last {
        scalar(&l);
    }
    let seconds = started.elapsed().as_secs_f64().max(1e-9);
    Ok(TrainingSpeed {
        samples_per_second: samples as f64 / seconds,
        padded_tokens_per_second: tokens as f64 / seconds,
        seconds,
    })
}

/// The median time of three generations of `inputs` after an untimed one (shader
/// compilation on WGPU, allocator warm-up; one run is a fraction of a second, at the mercy of
/// the system), and what was generated.
pub fn time_generation(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    batch_size: usize,
    config: &GenerationConfig,
    device: &Device,
) -> Result<(f64, Vec<Vec<u32>>), ModelError> {
    let mut generated = generate_all(model, inputs, batch_size, config, device, |_| {})?;
    let mut runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        generated = generate_all(model, inputs, batch_size, config, device, |_| {})?;
        runs.push(started.elapsed().as_secs_f64());
    }
    runs.sort_by(f64::total_cmp);
    Ok((runs[1], generated))
}
