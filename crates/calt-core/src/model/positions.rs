//! Fixed positional tables (sinusoidal, rotary), computed on the host for the positions a call
//! needs. They are tiny next to the activations and keep the model free of non-trainable state.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::config::Positional;

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

/// Rotary tables at per-row `positions` (`[B, L]`), looked up in whole-table `cos`/`sin`
/// (`[N, w]`): `[B, 1, L, w]` each.
pub fn rotary_rows(
    cos: &Tensor<2>,
    sin: &Tensor<2>,
    positions: &Tensor<2, Int>,
) -> (Tensor<4>, Tensor<4>) {
    let [b, l] = positions.dims();
    let [_, w] = cos.dims();
    let pick = |t: &Tensor<2>| rows_at(t.clone(), positions).reshape([b, 1, l, w]);
    (pick(cos), pick(sin))
}

/// The fixed positional tables of positions `0..len`, built once per batch so that per-row
/// lookups (the decoder-only model's positions differ row by row) select rows instead of
/// rebuilding a table at every decoding step.
#[derive(Clone, Debug)]
pub enum FixedTables {
    /// Learned or no positions: nothing fixed to look up.
    Nothing,
    /// Sinusoidal rows added to the embeddings, `[len, d]`.
    Sinusoidal(Tensor<2>),
    /// `rope`: rotation tables of one attention head, `[len, dh]`.
    HeadRotation { cos: Tensor<2>, sin: Tensor<2> },
    /// calt-x's rotation of the whole embedding, `[len, d]`.
    EmbeddingRotation { cos: Tensor<2>, sin: Tensor<2> },
}

impl FixedTables {
    pub fn new(
        positional: Positional,
        len: usize,
        d_model: usize,
        head_dim: usize,
        device: &Device,
    ) -> Self {
        let rotary = |w: usize| {
            let (cos, sin) = rope_tables(0, len, w, device);
            (cos.reshape([len, w]), sin.reshape([len, w]))
        };
        match positional {
            Positional::Sinusoidal => FixedTables::Sinusoidal(sinusoidal(0, len, d_model, device)),
            Positional::Rope => {
                let (cos, sin) = rotary(head_dim);
                FixedTables::HeadRotation { cos, sin }
            }
            Positional::RotatedEmbedding => {
                let (cos, sin) = rotary(d_model);
                FixedTables::EmbeddingRotation { cos, sin }
            }
            Positional::Learned | Positional::None => FixedTables::Nothing,
        }
    }
}
