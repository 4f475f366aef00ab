//! A CPU training step computed as two halves on two threads gives the whole batch's loss and
//! gradients (each half padded to its own length, so this also checks that padding is masked).

// Native only: the browser has no threads.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::training::parallel::{part_gradients, two_halves};
use calt_core::training::{Pair, scalar};

/// Reversal pairs of lengths 1 to 9, so the halves pad to different lengths.
fn data() -> Vec<Pair> {
    common::reversal_pairs(13, 1, 9, 5)
}

/// Every parameter's gradient, flattened, in module order.
struct Collect<'a> {
    grads: &'a GradientsParams,
    out: Vec<Vec<f32>>,
}

impl ModuleVisitor for Collect<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let g = self
            .grads
            .get::<D>(param.id)
            .expect("every parameter has a gradient");
        self.out
            .push(g.into_data().convert::<f32>().try_into_vec().unwrap());
    }
}

fn collect(model: &Seq2Seq, grads: &GradientsParams) -> Vec<Vec<f32>> {
    let mut c = Collect {
        grads,
        out: Vec::new(),
    };
    model.visit(&mut c);
    c.out
}

#[test]
fn two_halves_give_the_whole_batch_loss_and_gradients() {
    let device = Device::flex().autodiff();
    // No dropout: the halves draw their masks from different streams.
    let config = ModelConfig {
        dropout: 0.0,
        ..ModelConfig::small(12, 0, 1, 2)
    };
    let model = Seq2Seq::new(&config, &device).unwrap();
    let data = data();
    let pairs: Vec<(&[u32], &[u32])> = data
        .iter()
        .map(|(a, b)| (a.as_slice(), b.as_slice()))
        .collect();
    let tokens = pairs.iter().map(|p| p.1.len() - 1).sum::<usize>() as f64;

    let whole = part_gradients(&model, &pairs, 0, tokens, 1, &device).unwrap();
    let halves = two_halves(&model, &pairs, 0, tokens, 1, &device)
        .expect("two threads are available natively")
        .unwrap();

    let (lw, lh) = (scalar(&whole.loss), scalar(&halves.loss));
    assert!(
        (lw - lh).abs() < 1e-5 * lw.abs().max(1.0),
        "loss {lw} vs {lh}"
    );
    let (gw, gh) = (
        collect(&model, &whole.grads),
        collect(&model, &halves.grads),
    );
    assert_eq!(gw.len(), gh.len());
    for (i, (a, b)) in gw.iter().zip(&gh).enumerate() {
        let scale = a.iter().fold(1e-3f32, |m, x| m.max(x.abs()));
        let worst = a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        assert!(
            worst <= 1e-4 * scale,
            "parameter {i}: gradients differ by {worst} (largest {scale})"
        );
    }
}
