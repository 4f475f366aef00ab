//! Fixed positional tables (sinusoidal, rotary), computed on the host for the positions a call
//! needs. They are tiny next to the activations and keep the model free of non-trainable state.

use burn::tensor::{Device, Int, Tensor, TensorData};

/// Sinusoidal table rows `offset..offset+len`: `PE[p, 2i] = sin(p / 10000^(2i/d))`,
/// `PE[p, 2i+1] = cos(...)`, shape `[len, d]`.
pub fn sinusoidal(offset: usize, len: usize, d: usize, device: &Device) -> Tensor<2> {
    let mut values = vec![0f32; len * d];
    for row in 0..len {
        let p = (offset + row) as f64;
        for i in 0..d / 2 {
            let angle = p / 10000f64.powf(2.0 * i as f64 / d as f64);
            values[row * d + 2 * i] = angle.sin() as f32;
            values[row * d + 2 * i + 1] = angle.cos() as f32;
        }
    }
    Tensor::from_data(TensorData::new(values, [len, d]), device)
}

/// Rotary cos/sin tables for positions `offset..offset+len` and head dimension `dh`, each of
/// shape `[1, 1, len, dh]` (the two halves share the frequencies, as in GPT-NeoX / Llama).
pub fn rope_tables(
    offset: usize,
    len: usize,
    dh: usize,
    device: &Device,
) -> (Tensor<4>, Tensor<4>) {
    let half = dh / 2;
    let mut cos = vec![0f32; len * dh];
    let mut sin = vec![0f32; len * dh];
    for row in 0..len {
        let p = (offset + row) as f64;
        for i in 0..half {
            let angle = p / 10000f64.powf(2.0 * i as f64 / dh as f64);
            let (s, c) = angle.sin_cos();
            for j in [i, i + half] {
                cos[row * dh + j] = c as f32;
                sin[row * dh + j] = s as f32;
            }
        }
    }
    let cos = Tensor::<2>::from_data(TensorData::new(cos, [len, dh]), device);
    let sin = Tensor::<2>::from_data(TensorData::new(sin, [len, dh]), device);
    (cos.reshape([1, 1, len, dh]), sin.reshape([1, 1, len, dh]))
}

/// Applies rotary embedding to `x` `[B, H, L, dh]`: `x·cos + rotate_half(x)·sin`.
pub fn apply_rope(x: Tensor<4>, cos: &Tensor<4>, sin: &Tensor<4>) -> Tensor<4> {
    let [b, h, l, dh] = x.dims();
    let half = dh / 2;
    let first = x.clone().slice([0..b, 0..h, 0..l, 0..half]);
    let second = x.clone().slice([0..b, 0..h, 0..l, half..dh]);
    let rotated = Tensor::cat(vec![second.neg(), first], 3);
    x * cos.clone() + rotated * sin.clone()
}

/// Rows of a `[N, d]` table at per-row `positions` (`[B, L]`): `[B, L, d]`.
pub fn rows_at(table: Tensor<2>, positions: &Tensor<2, Int>) -> Tensor<3> {
    let [b, l] = positions.dims();
    let [_, d] = table.dims();
    table
        .select(0, positions.clone().reshape([b * l]))
        .reshape([b, l, d])
}

/// Rotary tables for per-row `positions` (`[B, L]`, each below `max`): `[B, 1, L, dh]` each.
pub fn rope_tables_at(
    positions: &Tensor<2, Int>,
    max: usize,
    dh: usize,
    device: &Device,
) -> (Tensor<4>, Tensor<4>) {
    let [b, l] = positions.dims();
    let (cos, sin) = rope_tables(0, max, dh, device);
    let pick = |t: Tensor<4>| rows_at(t.reshape([max, dh]), positions).reshape([b, 1, l, dh]);
    (pick(cos), pick(sin))
}
