//! Dropout for training. On burn's CPU backend the keep-mask is drawn on the host with a small
//! counter-based generator: burn's own Bernoulli sampling (ChaCha20 and a float per element)
//! took about a sixth of a CPU training step. Other devices use burn's sampling, which runs on
//! the device itself.

use std::cell::Cell;

use burn::nn::Dropout;
use burn::tensor::{Tensor, TensorData};

use crate::execution::ExecutionPolicy;

thread_local! {
    /// Counter of the host generator. Per thread, so that models trained side by side (tests,
    /// several runs in one process) never share a stream.
    static COUNTER: Cell<u64> = const { Cell::new(0) };
}

/// Restarts the host mask stream. The trainer calls this before every step with the same
/// value it seeds the device with, so a resumed run draws the same masks.
pub fn seed(seed: u64) {
    COUNTER.with(|c| c.set(splitmix64(seed)));
}

/// `dropout.forward(x)` with the host mask on the CPU backend (same rule: only while
/// training, i.e. on an autodiff device with the module's training flag set).
pub fn dropout<const D: usize>(module: &Dropout, x: Tensor<D>) -> Tensor<D> {
    let device = x.device();
    if module.prob == 0.0 || !module.training.is_enabled() || !device.is_autodiff() {
        return x;
    }
    if !ExecutionPolicy::for_device(&device).host_dropout_masks {
        return module.forward(x);
    }
    let shape = x.dims();
    let mask = keep_mask(shape.iter().product(), 1.0 - module.prob);
    x * Tensor::from_data(TensorData::new(mask, shape), &device)
}

/// `n` values, each `1 / keep` with probability `keep` and 0 otherwise.
fn keep_mask(n: usize, keep: f64) -> Vec<f32> {
    // Four 16-bit draws per generator call, each compared with keep·2^16: the kept share is
    // `keep` to within 2^-16, far below what dropout can tell apart.
    let threshold = (keep * 65536.0).round() as u64;
    let scale = (1.0 / keep) as f32;
    let calls = n.div_ceil(4) as u64;
    let start = COUNTER.with(|c| {
        let s = c.get();
        c.set(s.wrapping_add(calls));
        s
    });
    let mut mask = vec![0.0f32; calls as usize * 4];
    for (k, chunk) in mask.chunks_exact_mut(4).enumerate() {
        let bits = splitmix64(start.wrapping_add(k as u64));
        for (j, v) in chunk.iter_mut().enumerate() {
            // A select rather than a branch: the outcome is a coin flip per element.
            let kept = ((bits >> (16 * j)) & 0xffff < threshold) as u32 as f32;
            *v = kept * scale;
        }
    }
    mask.truncate(n);
    mask
}

/// SplitMix64's output function: a well-mixed 64-bit value per counter value.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_asked_share_scaled_and_repeat_after_reseeding() {
        seed(7);
        let a = keep_mask(100_001, 0.9);
        seed(7);
        let b = keep_mask(100_001, 0.9);
        assert_eq!(a, b);
        assert_eq!(a.len(), 100_001);
        let kept = a.iter().filter(|&&v| v != 0.0).count() as f64 / a.len() as f64;
        assert!((kept - 0.9).abs() < 0.005, "kept share {kept}");
        assert!(a.iter().all(|&v| v == 0.0 || (v - 1.0 / 0.9).abs() < 1e-6));
        // The stream moves on within a step.
        assert_ne!(keep_mask(1000, 0.9), a[..1000].to_vec());
    }
}
