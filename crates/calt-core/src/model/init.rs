//! Reproducible weight initialisation.
//!
//! Weights are drawn on the host from a small counter-based generator keyed by the model seed,
//! then uploaded. The same seed therefore gives bit-identical initial weights on every backend
//! (CPU, WGPU, browser) and does not depend on any global RNG state (CALT's init ignores its
//! `seed` key; see the README).

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor, TensorData};

/// SplitMix64: tiny, fast and good enough to draw initial weights and shuffles.
#[derive(Clone, Debug)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// A generator for an independent stream derived from `seed` and a stream number.
    pub fn stream(seed: u64, stream: u64) -> Self {
        let mut g = Self::new(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F));
        g.next_u64();
        g
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [0, n); `n` must be positive.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_f64() * n as f64) as usize % n.max(1)
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.next_f64().max(f64::MIN_POSITIVE);
        let u2 = self.next_f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// Hands out parameters in construction order, each from its own stream, so adding a layer
/// does not change how the layers before it are initialised.
pub struct Init<'a> {
    seed: u64,
    counter: u64,
    std: f64,
    device: &'a Device,
}

impl<'a> Init<'a> {
    pub fn new(seed: u64, std: f64, device: &'a Device) -> Self {
        Self {
            seed,
            counter: 0,
            std,
            device,
        }
    }

    pub fn device(&self) -> &Device {
        self.device
    }

    /// A `N(0, std²)` parameter of the given shape.
    pub fn normal<const D: usize>(&mut self, shape: [usize; D]) -> Param<Tensor<D>> {
        self.counter += 1;
        let mut rng = SplitMix64::stream(self.seed, self.counter);
        let n: usize = shape.iter().product();
        let values: Vec<f32> = (0..n).map(|_| (rng.normal() * self.std) as f32).collect();
        Param::from_tensor(Tensor::from_data(
            TensorData::new(values, shape),
            self.device,
        ))
    }

    /// A `U(-bound, bound)` parameter of the given shape.
    pub fn uniform<const D: usize>(&mut self, shape: [usize; D], bound: f64) -> Param<Tensor<D>> {
        self.counter += 1;
        let mut rng = SplitMix64::stream(self.seed, self.counter);
        let n: usize = shape.iter().product();
        let values: Vec<f32> = (0..n)
            .map(|_| ((2.0 * rng.next_f64() - 1.0) * bound) as f32)
            .collect();
        Param::from_tensor(Tensor::from_data(
            TensorData::new(values, shape),
            self.device,
        ))
    }

    pub fn zeros<const D: usize>(&mut self, shape: [usize; D]) -> Param<Tensor<D>> {
        Param::from_tensor(Tensor::zeros(shape, self.device))
    }

    /// A Linear layer with `N(0, std²)` weight and zero bias (CALT's `_init_weights`).
    pub fn linear(&mut self, d_in: usize, d_out: usize, bias: bool) -> Linear {
        Linear {
            weight: self.normal([d_in, d_out]),
            bias: bias.then(|| self.zeros([d_out])),
        }
    }

    /// A Linear layer with `U(-bound, bound)` weight and zero bias.
    pub fn uniform_linear(&mut self, d_in: usize, d_out: usize, bound: f64) -> Linear {
        Linear {
            weight: self.uniform([d_in, d_out], bound),
            bias: Some(self.zeros([d_out])),
        }
    }
}
