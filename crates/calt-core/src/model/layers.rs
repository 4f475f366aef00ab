//! Encoder and decoder layers, pre-LayerNorm (generic) or post-LayerNorm (BART).

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, LayerNorm, LayerNormConfig, Linear};
use burn::tensor::Tensor;
use burn::tensor::activation::{gelu, relu};

use super::attention::{KeyValue, MultiHeadAttention, ProjectionInit, RopeTables};
use super::config::Activation;
use super::dense::dense;
use super::dropout::dropout;
use super::init::Init;

/// Linear → activation → dropout → Linear.
#[derive(Module, Debug)]
pub struct FeedForward {
    up: Linear,
    down: Linear,
    dropout: Dropout,
    #[module(skip)]
    gelu: bool,
}

impl FeedForward {
    pub fn new(init: &mut Init, d: usize, ffn: usize, act: Activation, dropout: f64) -> Self {
        Self {
            up: init.linear(d, ffn, true),
            down: init.linear(ffn, d, true),
            dropout: DropoutConfig::new(dropout).init(),
            gelu: act == Activation::Gelu,
        }
    }

    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let h = dense(&self.up, x);
        let h = if self.gelu { gelu(h) } else { relu(h) };
        dense(&self.down, dropout(&self.dropout, h))
    }
}

/// The layer conventions of a model family: CALT's generic model is PyTorch's
/// `nn.Transformer` (pre-LayerNorm, packed Xavier in-projections), BART is post-LayerNorm with
/// N(0, init_std) everywhere.
#[derive(Clone, Copy, Debug)]
pub struct LayerStyle {
    pub pre_norm: bool,
    pub projections: ProjectionInit,
}

/// Dropout rates of one layer: residual branches, attention probabilities, FFN inner.
#[derive(Clone, Copy, Debug)]
pub struct Rates {
    pub residual: f64,
    pub attention: f64,
    pub activation: f64,
}

pub fn layer_norm(init: &Init, d: usize) -> LayerNorm {
    LayerNormConfig::new(d)
        .with_epsilon(1e-5)
        .init(init.device())
}

#[derive(Module, Debug)]
pub struct EncoderLayer {
    self_attn: MultiHeadAttention,
    ffn: FeedForward,
    norm1: LayerNorm,
    norm2: LayerNorm,
    dropout: Dropout,
    #[module(skip)]
    pre_norm: bool,
}

impl EncoderLayer {
    pub fn new(
        init: &mut Init,
        d: usize,
        heads: usize,
        ffn: usize,
        act: Activation,
        rates: Rates,
        style: LayerStyle,
    ) -> Self {
        Self {
            self_attn: MultiHeadAttention::new(init, d, heads, rates.attention, style.projections),
            ffn: FeedForward::new(init, d, ffn, act, rates.activation),
            norm1: layer_norm(init, d),
            norm2: layer_norm(init, d),
            dropout: DropoutConfig::new(rates.residual).init(),
            pre_norm: style.pre_norm,
        }
    }

    /// `pad_bias`: `[B, 1, 1, S]`, masks the encoder's padding keys (with a causal part,
    /// `[B, 1, S, S]`, in the decoder-only stack).
    pub fn forward(
        &self,
        x: Tensor<3>,
        pad_bias: &Tensor<4>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        self.block(x, |h| self.self_attn.forward_self(h, Some(pad_bias), rope))
    }

    /// The decoder-only stack's incremental step: attends from the new positions to `cache`
    /// (the keys/values so far, extended by the new ones) under `bias`, which covers every
    /// key after the extension.
    pub fn forward_cached(
        &self,
        x: Tensor<3>,
        cache: &mut Option<KeyValue>,
        bias: &Tensor<4>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        self.block(x, |h| {
            self.self_attn.forward_cached(h, cache, Some(bias), rope)
        })
    }

    /// Attention and feed-forward sub-layers around `self_attn`, shared by both paths.
    fn block(&self, x: Tensor<3>, self_attn: impl FnOnce(Tensor<3>) -> Tensor<3>) -> Tensor<3> {
        if self.pre_norm {
            let h = self_attn(self.norm1.forward(x.clone()));
            let x = x + dropout(&self.dropout, h);
            let h = self.ffn.forward(self.norm2.forward(x.clone()));
            x + dropout(&self.dropout, h)
        } else {
            let h = self_attn(x.clone());
            let x = self.norm1.forward(x + dropout(&self.dropout, h));
            let h = self.ffn.forward(x.clone());
            self.norm2.forward(x + dropout(&self.dropout, h))
        }
    }
}

#[derive(Module, Debug)]
pub struct DecoderLayer {
    self_attn: MultiHeadAttention,
    cross_attn: MultiHeadAttention,
    ffn: FeedForward,
    norm1: LayerNorm,
    norm2: LayerNorm,
    norm3: LayerNorm,
    dropout: Dropout,
    #[module(skip)]
    pre_norm: bool,
}

impl DecoderLayer {
    pub fn new(
        init: &mut Init,
        d: usize,
        heads: usize,
        ffn: usize,
        act: Activation,
        rates: Rates,
        style: LayerStyle,
    ) -> Self {
        Self {
            self_attn: MultiHeadAttention::new(init, d, heads, rates.attention, style.projections),
            cross_attn: MultiHeadAttention::new(init, d, heads, rates.attention, style.projections),
            ffn: FeedForward::new(init, d, ffn, act, rates.activation),
            norm1: layer_norm(init, d),
            norm2: layer_norm(init, d),
            norm3: layer_norm(init, d),
            dropout: DropoutConfig::new(rates.residual).init(),
            pre_norm: style.pre_norm,
        }
    }

    /// Keys/values of the encoder output for this layer's cross-attention.
    pub fn cross_kv(&self, memory: Tensor<3>) -> KeyValue {
        self.cross_attn.project_kv(memory, None)
    }

    /// One sub-layer step shared by the full and the cached path.
    fn block(
        &self,
        x: Tensor<3>,
        self_attn: impl FnOnce(Tensor<3>) -> Tensor<3>,
        cross_kv: &KeyValue,
        memory_bias: &Tensor<4>,
    ) -> Tensor<3> {
        if self.pre_norm {
            let h = self_attn(self.norm1.forward(x.clone()));
            let x = x + dropout(&self.dropout, h);
            let h = self.cross_attn.attend(
                self.norm2.forward(x.clone()),
                cross_kv,
                Some(memory_bias),
                None,
            );
            let x = x + dropout(&self.dropout, h);
            let h = self.ffn.forward(self.norm3.forward(x.clone()));
            x + dropout(&self.dropout, h)
        } else {
            let h = self_attn(x.clone());
            let x = self.norm1.forward(x + dropout(&self.dropout, h));
            let h = self
                .cross_attn
                .attend(x.clone(), cross_kv, Some(memory_bias), None);
            let x = self.norm2.forward(x + dropout(&self.dropout, h));
            let h = self.ffn.forward(x.clone());
            self.norm3.forward(x + dropout(&self.dropout, h))
        }
    }

    /// Whole-sequence decoder layer (training, teacher forcing, uncached generation).
    pub fn forward(
        &self,
        x: Tensor<3>,
        memory: Tensor<3>,
        causal_bias: &Tensor<4>,
        memory_bias: &Tensor<4>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        let cross_kv = self.cross_kv(memory);
        self.block(
            x,
            |h| self.self_attn.forward_self(h, Some(causal_bias), rope),
            &cross_kv,
            memory_bias,
        )
    }

    /// One new position per row, reusing cached keys/values.
    pub fn forward_cached(
        &self,
        x: Tensor<3>,
        self_kv: &mut Option<KeyValue>,
        cross_kv: &KeyValue,
        memory_bias: &Tensor<4>,
        rope: Option<&RopeTables>,
    ) -> Tensor<3> {
        self.block(
            x,
            |h| self.self_attn.forward_cached(h, self_kv, None, rope),
            cross_kv,
            memory_bias,
        )
    }
}
