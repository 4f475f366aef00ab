//! Linear layers applied to `[B, T, d]` activations as one matrix product.
//!
//! burn's `Linear::forward` keeps a `[B, T, d]` input as B separate `[T, d] × [d, d_out]`
//! products unless folding the batch makes the output "squarer"; at our sizes (T of a few
//! dozen tokens, d of a few hundred) it keeps them, and the CPU backend then packs the weight
//! matrix once per sequence. Folding the batch into the rows first gives one
//! `[B·T, d] × [d, d_out]` product on every backend, with the same result.

use burn::nn::Linear;
use burn::tensor::Tensor;

/// `linear.forward(x)` for `x: [B, T, d_in]`, computed as one 2-D matrix product.
pub fn dense(linear: &Linear, x: Tensor<3>) -> Tensor<3> {
    folded(x, |rows| linear.forward(rows))
}

/// `project` applied to the rows of `x: [B, T, d_in]` as one `[B·T, d_in]` matrix.
pub fn folded(x: Tensor<3>, project: impl FnOnce(Tensor<2>) -> Tensor<2>) -> Tensor<3> {
    let [b, t, d_in] = x.dims();
    let y = project(x.reshape([b * t, d_in]));
    let [_, d_out] = y.dims();
    y.reshape([b, t, d_out])
}
