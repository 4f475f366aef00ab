//! The device's matrix-product rate on a model's own shapes, measured the way calt uses the
//! device: on the CPU, one product at a time on each of the two threads that training and
//! generation run on; on a GPU, products queued back to back.
//!
//! `calt bench` divides a workload's arithmetic (see `calt_core::model::arithmetic`) by this
//! rate: the quotient is the least time any implementation needs on this device, a floor the
//! measured times can be read against.

use std::time::{Duration, Instant};

use burn::tensor::{Device, Distribution, Tensor};
use calt_core::training::parallel::on_two_threads;

/// Rows per product: a batch of token rows, large enough that the CPU kernels run at full
/// speed (the floor should be the device's best, not its worst).
const ROWS: usize = 1024;
/// Least wall time a measurement runs, to average over the machine's short-term noise.
const MEASURE_FOR: Duration = Duration::from_millis(400);

/// Measured FLOP/s of `[ROWS, k] × [k, n]` products on `device`.
pub fn matmul_rate(k: usize, n: usize, device: &Device) -> f64 {
    let flops_per_product = 2.0 * (ROWS * k * n) as f64;
    let lhs = Tensor::<2>::random([ROWS, k], Distribution::Default, device);
    let rhs = Tensor::<2>::random([k, n], Distribution::Default, device);
    // Warm-up (kernel compilation on WGPU, allocator) outside the timing.
    products(&lhs, &rhs, 3);
    let mut count = 8;
    loop {
        let started = Instant::now();
        let done = if *device == Device::flex() {
            both_threads(&lhs, &rhs, count)
        } else {
            products(&lhs, &rhs, count)
        };
        let elapsed = started.elapsed();
        if elapsed >= MEASURE_FOR || count >= 1 << 20 {
            return done as f64 * flops_per_product / elapsed.as_secs_f64().max(1e-9);
        }
        count *= 2;
    }
}

/// `count` products one after another; returns how many ran. Reading the last result waits
/// for all of them on a device that queues work.
fn products(lhs: &Tensor<2>, rhs: &Tensor<2>, count: usize) -> usize {
    let mut last = None;
    for _ in 0..count {
        last = Some(lhs.clone().matmul(rhs.clone()));
    }
    if let Some(t) = last {
        let _ = t.slice([0..1, 0..1]).into_data();
    }
    count
}

/// `count` products on each of the two training threads at once; falls back to this thread
/// alone when those cannot be had.
fn both_threads(lhs: &Tensor<2>, rhs: &Tensor<2>, count: usize) -> usize {
    let jobs = [((), vec![count]), ((), vec![count])];
    match on_two_threads(jobs, |(), count| products(lhs, rhs, count)) {
        Ok([a, b]) => a.iter().chain(&b).sum(),
        Err(_) => products(lhs, rhs, count),
    }
}
