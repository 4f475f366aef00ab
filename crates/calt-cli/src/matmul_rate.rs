//! The device's matrix-product rate on a model's own shapes, measured the way calt uses the
//! device: on the CPU, one product at a time on each of the two threads that training and
//! generation run on; on a GPU, products queued back to back.
//!
//! `calt bench` divides a workload's arithmetic (see `calt_core::model::arithmetic`) by this
//! rate: the quotient is the least time any implementation needs on this device, a floor the
//! measured times can be read against.

use std::time::{Duration, Instant};

use burn::tensor::{Device, Distribution, Tensor};
use calt_core::execution::ExecutionPolicy;
use calt_core::training::parallel::on_two_threads;

/// Rows per product: a batch of token rows, large enough that the CPU kernels run at full
/// speed (the floor should be the device's best, not its worst).
const ROWS: usize = 1024;
/// Least wall time of one measurement window.
const WINDOW: Duration = Duration::from_millis(100);
/// Windows measured; the fastest counts. A shared machine's speed drifts from moment to
/// moment, and the floor must be the least time the device needs, so it takes the device's
/// best rate, not an average that a slow moment drags down.
const WINDOWS: usize = 6;

/// Measured FLOP/s of `[ROWS, k] × [k, n]` products on `device` (the best of [`WINDOWS`]).
pub fn matmul_rate(k: usize, n: usize, device: &Device) -> f64 {
    let flops_per_product = 2.0 * (ROWS * k * n) as f64;
    let lhs = Tensor::<2>::random([ROWS, k], Distribution::Default, device);
    let rhs = Tensor::<2>::random([k, n], Distribution::Default, device);
    let run = |count: usize| {
        if ExecutionPolicy::for_device(device).two_threads {
            both_threads(&lhs, &rhs, count)
        } else {
            products(&lhs, &rhs, count)
        }
    };
    // Warm-up (kernel compilation on WGPU, allocator) outside the timing.
    run(2);
    // Products per window, doubled until one window lasts long enough to time.
    let mut count = 4;
    let mut best: f64 = 0.0;
    let mut windows = 0;
    while windows < WINDOWS {
        let started = Instant::now();
        let done = run(count);
        let elapsed = started.elapsed();
        if elapsed >= WINDOW || count >= 1 << 20 {
            best = best.max(done as f64 * flops_per_product / elapsed.as_secs_f64().max(1e-9));
            windows += 1;
        } else {
            count *= 2;
        }
    }
    best
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
