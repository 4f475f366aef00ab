//! Multi-head attention with additive masks, optional rotary positions and a key/value cache
//! for incremental decoding.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear};
use burn::tensor::Tensor;
use burn::tensor::activation::softmax;

use super::dense::dense;
use super::dropout::dropout;
use super::init::Init;
use super::positions::apply_rope;

/// Rotary cos/sin tables (`[1, 1, L, dh]`, or `[B, 1, L, dh]` where rows sit at different
/// positions) for the positions of the current call.
pub type RopeTables = (Tensor<4>, Tensor<4>);

/// Projected keys and values, `[B, H, T, dh]` each.
#[derive(Clone, Debug)]
pub struct KeyValue {
    pub key: Tensor<4>,
    pub value: Tensor<4>,
}

impl KeyValue {
    /// Keeps the rows named by `indices` (beam search reorders hypotheses).
    pub fn select_rows(&self, indices: burn::tensor::Tensor<1, burn::tensor::Int>) -> Self {
        Self {
            key: self.key.clone().select(0, indices.clone()),
            value: self.value.clone().select(0, indices),
        }
    }
}

/// How the query, key and value projections are initialised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectionInit {
    /// PyTorch's `nn.MultiheadAttention`, inside CALT's generic model: the packed `[3d, d]`
    /// in-projection is a bare parameter, not a Linear, so CALT's N(0, init_std) pass skips it
    /// and it keeps Xavier-uniform over the packed matrix, U(±√(6 / 4d)): about three times
    /// init_std at d = 128. The larger query/key scale is what lets attention leave its
    /// uniform start early; with N(0, 0.02) the gf17 recipe sat on its plateau twice as long.
    PackedXavier,
    /// Separate Linear layers (HF BART): N(0, init_std) like every other Linear.
    Normal,
}

#[derive(Module, Debug)]
pub struct MultiHeadAttention {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    /// Dropout on the attention probabilities.
    dropout: Dropout,
    #[module(skip)]
    heads: usize,
}

impl MultiHeadAttention {
    pub fn new(
        init: &mut Init,
        d_model: usize,
        heads: usize,
        dropout: f64,
        projections: ProjectionInit,
    ) -> Self {
        let in_projection = |init: &mut Init| match projections {
            ProjectionInit::Normal => init.linear(d_model, d_model, true),
            ProjectionInit::PackedXavier => {
                let bound = (6.0 / (4 * d_model) as f64).sqrt();
                init.uniform_linear(d_model, d_model, bound)
            }
        };
        Self {
            query: in_projection(init),
            key: in_projection(init),
            value: in_projection(init),
            output: init.linear(d_model, d_model, true),
            dropout: DropoutConfig::new(dropout).init(),
            heads,
        }
    }

    /// `[B, T, d]` → `[B, H, T, dh]`.
    fn split(&self, x: Tensor<3>) -> Tensor<4> {
        let [b, t, d] = x.dims();
        x.reshape([b, t, self.heads, d / self.heads])
            .swap_dims(1, 2)
    }

    /// Projects `x` to keys and values (rotated when `rope` is given).
    pub fn project_kv(&self, x: Tensor<3>, rope: Option<&RopeTables>) -> KeyValue {
        let mut key = self.split(dense(&self.key, x.clone()));
        if let Some((cos, sin)) = rope {
            key = apply_rope(key, cos, sin);
        }
        KeyValue {
            key,
            value: self.split(dense(&self.value, x)),
        }
    }

    /// Attends from `x` (`[B, Tq, d]`) to precomputed keys/values. `bias` is added to the
    /// scores (0 where allowed, a large negative number where masked) and broadcasts over
    /// `[B, H, Tq, Tk]`.
    pub fn attend(
        &self,
        x: Tensor<3>,
        kv: &KeyValue,
        bias: Option<&Tensor<4>>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        let [b, tq, d] = x.dims();
        // The query is scaled while its rows are still contiguous (as BART does): after the
        // head split it is a strided view, which element-wise kernels walk index by index.
        let scale = 1.0 / ((d / self.heads) as f64).sqrt();
        let mut q = self.split(dense(&self.query, x).mul_scalar(scale));
        if let Some((cos, sin)) = rope {
            q = apply_rope(q, cos, sin);
        }
        let mut scores = q.matmul(kv.key.clone().swap_dims(2, 3));
        if let Some(bias) = bias {
            scores = scores + bias.clone();
        }
        let probs = dropout(&self.dropout, softmax(scores, 3));
        let context = probs.matmul(kv.value.clone());
        dense(&self.output, context.swap_dims(1, 2).reshape([b, tq, d]))
    }

    /// Self-attention over the whole sequence.
    pub fn forward_self(
        &self,
        x: Tensor<3>,
        bias: Option<&Tensor<4>>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        let kv = self.project_kv(x.clone(), rope);
        self.attend(x, &kv, bias, rope)
    }

    /// Self-attention for the newest decoder positions only, appending their keys/values to
    /// `cache`. Earlier positions are never recomputed. `bias` covers every key after the
    /// append; `None` when one position is decoded at a time and every cached key is real.
    pub fn forward_cached(
        &self,
        x: Tensor<3>,
        cache: &mut Option<KeyValue>,
        bias: Option<&Tensor<4>>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        let new = self.project_kv(x.clone(), rope);
        let kv = match cache.take() {
            Some(old) => KeyValue {
                key: Tensor::cat(vec![old.key, new.key], 2),
                value: Tensor::cat(vec![old.value, new.value], 2),
            },
            None => new,
        };
        let out = self.attend(x, &kv, bias, rope);
        *cache = Some(kv);
        out
    }
}
