//! The encoder–decoder Transformer (CALT's generic model and a BART-style variant).
//!
//! One code path serves every backend: the model runs on whatever [`Device`] it was built on
//! (CPU or WGPU, with or without autodiff). Differences from CALT, on purpose:
//! - the encoder padding mask is applied in encoder self-attention **and** in cross-attention,
//!   so a sample's prediction does not depend on how much padding its batch has;
//! - `num_decoder_heads` and `decoder_ffn_dim` are honoured;
//! - `rope` rotates queries and keys of self-attention (CALT rotates the embeddings);
//! - weights are initialised from the `seed` key, identically on every backend.

pub mod arithmetic;
pub mod attention;
pub mod config;
pub mod dense;
pub mod dropout;
pub mod init;
pub mod layers;
pub mod positions;

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Embedding, LayerNorm, Linear};
use burn::tensor::{Device, Int, Tensor, TensorData};
use dropout::dropout;

use attention::{ProjectionInit, RopeTables};
pub use config::{Activation, Architecture, ModelConfig, Positional};
use init::Init;
use layers::{DecoderLayer, EncoderLayer, LayerCache, LayerStyle, Rates, layer_norm};

/// Score added to masked attention logits: finite (no NaN for fully masked rows) and far below
/// any real score, so the masked weight underflows to exactly zero.
const MASKED: f32 = -1.0e9;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("invalid model configuration: {0}")]
    InvalidConfig(String),
    #[error(
        "sequence of {len} tokens exceeds the model's {max} positions (2 × max_sequence_length)"
    )]
    SequenceTooLong { len: usize, max: usize },
    #[error("could not load weights: {0}")]
    Weights(String),
}

#[derive(Module, Debug)]
pub struct Seq2Seq {
    embedding: Embedding,
    positions: Option<Param<Tensor<2>>>,
    embed_norm: Option<LayerNorm>,
    embed_dropout: Dropout,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    encoder_norm: Option<LayerNorm>,
    decoder_norm: Option<LayerNorm>,
    /// `None`: the output projection is tied to the token embedding (BART).
    lm_head: Option<Linear>,
    #[module(skip)]
    config: ModelConfig,
}

/// Encoder output plus the additive padding mask every cross-attention uses.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub memory: Tensor<3>,
    /// `[B, 1, 1, S]`: 0 on real tokens, [`MASKED`] on padding.
    pub memory_bias: Tensor<4>,
}

impl Encoded {
    /// Keeps (and repeats) the rows named by `indices` (beam search expands each input).
    pub fn select_rows(&self, indices: Tensor<1, Int>) -> Self {
        Self {
            memory: self.memory.clone().select(0, indices.clone()),
            memory_bias: self.memory_bias.clone().select(0, indices),
        }
    }
}

/// Incremental decoding state: per-layer key/value caches and the number of positions done.
#[derive(Clone, Debug)]
pub struct DecoderCache {
    layers: Vec<LayerCache>,
    memory_bias: Tensor<4>,
    len: usize,
}

impl DecoderCache {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reorders/repeats rows (beam search).
    pub fn select_rows(&self, indices: Tensor<1, Int>) -> Self {
        Self {
            layers: self
                .layers
                .iter()
                .map(|l| LayerCache {
                    self_kv: l.self_kv.as_ref().map(|kv| kv.select_rows(indices.clone())),
                    cross_kv: l.cross_kv.select_rows(indices.clone()),
                })
                .collect(),
            memory_bias: self.memory_bias.clone().select(0, indices),
            len: self.len,
        }
    }
}

impl Seq2Seq {
    /// Builds a freshly initialised model on `device` (use `device.autodiff()` to train).
    pub fn new(config: &ModelConfig, device: &Device) -> Result<Self, ModelError> {
        config.validate()?;
        let c = config;
        let mut init = Init::new(c.seed, c.init_std, device);
        let generic = c.architecture == Architecture::Generic;
        let rates = if generic {
            Rates {
                residual: c.dropout,
                attention: c.dropout,
                activation: c.dropout,
            }
        } else {
            // BartConfig's defaults: attention_dropout = activation_dropout = 0.
            Rates {
                residual: c.dropout,
                attention: 0.0,
                activation: 0.0,
            }
        };
        let style = LayerStyle {
            pre_norm: generic,
            projections: if generic {
                ProjectionInit::PackedXavier
            } else {
                ProjectionInit::Normal
            },
        };
        let embedding = Embedding {
            weight: init.normal([c.vocab_size, c.d_model]),
        };
        let positions = (c.positional == Positional::Learned)
            .then(|| init.normal([c.max_positions, c.d_model]));
        let embed_norm = (c.embedding_layer_norm || !generic).then(|| layer_norm(&init, c.d_model));
        let encoder = (0..c.encoder_layers)
            .map(|_| {
                EncoderLayer::new(
                    &mut init,
                    c.d_model,
                    c.encoder_heads,
                    c.encoder_ffn_dim,
                    c.activation,
                    rates,
                    style,
                )
            })
            .collect();
        let decoder = (0..c.decoder_layers)
            .map(|_| {
                DecoderLayer::new(
                    &mut init,
                    c.d_model,
                    c.decoder_heads,
                    c.decoder_ffn_dim,
                    c.activation,
                    rates,
                    style,
                )
            })
            .collect();
        let encoder_norm = generic.then(|| layer_norm(&init, c.d_model));
        let decoder_norm = generic.then(|| layer_norm(&init, c.d_model));
        let lm_head = generic.then(|| init.linear(c.d_model, c.vocab_size, false));
        Ok(Self {
            embedding,
            positions,
            embed_norm,
            // CALT's generic model has no embedding dropout; BART has.
            embed_dropout: DropoutConfig::new(if generic { 0.0 } else { c.dropout }).init(),
            encoder,
            decoder,
            encoder_norm,
            decoder_norm,
            lm_head,
            config: config.clone(),
        })
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    fn check_len(&self, offset: usize, len: usize) -> Result<(), ModelError> {
        if offset + len > self.config.max_positions {
            return Err(ModelError::SequenceTooLong {
                len: offset + len,
                max: self.config.max_positions,
            });
        }
        Ok(())
    }

    fn rope(&self, offset: usize, len: usize, heads: usize, device: &Device) -> Option<RopeTables> {
        (self.config.positional == Positional::Rope)
            .then(|| positions::rope_tables(offset, len, self.config.d_model / heads, device))
    }

    /// Token embedding + absolute positions `offset..offset+L` (+ LayerNorm, dropout).
    fn embed(&self, ids: Tensor<2, Int>, offset: usize) -> Tensor<3> {
        let [_, len] = ids.dims();
        let device = ids.device();
        let d = self.config.d_model;
        let mut x = self.embedding.forward(ids);
        match self.config.positional {
            Positional::Learned => {
                if let Some(table) = &self.positions {
                    let rows = table.val().slice([offset..offset + len, 0..d]);
                    x = x + rows.unsqueeze::<3>();
                }
            }
            Positional::Sinusoidal => {
                x = x + positions::sinusoidal(offset, len, d, &device).unsqueeze::<3>();
            }
            Positional::Rope | Positional::None => {}
        }
        if let Some(norm) = &self.embed_norm {
            x = norm.forward(x);
        }
        dropout(&self.embed_dropout, x)
    }

    fn project(&self, h: Tensor<3>) -> Tensor<3> {
        match &self.lm_head {
            Some(head) => dense::dense(head, h),
            // Output projection tied to the embedding.
            None => dense::folded(h, |rows| {
                burn::tensor::module::linear(rows, self.embedding.weight.val().transpose(), None)
            }),
        }
    }

    /// Runs the encoder. `input_ids`: `[B, S]`, right-padded with the pad id.
    pub fn encode(&self, input_ids: Tensor<2, Int>) -> Result<Encoded, ModelError> {
        let [b, s] = input_ids.dims();
        self.check_len(0, s)?;
        let device = input_ids.device();
        let memory_bias = input_ids
            .clone()
            .equal_elem(self.config.pad_id as i64)
            .float()
            .mul_scalar(MASKED)
            .reshape([b, 1, 1, s]);
        let rope = self.rope(0, s, self.config.encoder_heads, &device);
        let mut x = self.embed(input_ids, 0);
        for layer in &self.encoder {
            x = layer.forward(x, &memory_bias, rope.as_ref());
        }
        if let Some(norm) = &self.encoder_norm {
            x = norm.forward(x);
        }
        Ok(Encoded {
            memory: x,
            memory_bias,
        })
    }

    /// Teacher-forced decoder over whole sequences: logits `[B, T, V]`.
    pub fn decode(
        &self,
        decoder_ids: Tensor<2, Int>,
        enc: &Encoded,
    ) -> Result<Tensor<3>, ModelError> {
        let [_, t] = decoder_ids.dims();
        self.check_len(0, t)?;
        let device = decoder_ids.device();
        let causal = causal_bias(t, &device);
        let rope = self.rope(0, t, self.config.decoder_heads, &device);
        let mut x = self.embed(decoder_ids, 0);
        for layer in &self.decoder {
            x = layer.forward(
                x,
                enc.memory.clone(),
                &causal,
                &enc.memory_bias,
                rope.as_ref(),
            );
        }
        if let Some(norm) = &self.decoder_norm {
            x = norm.forward(x);
        }
        Ok(self.project(x))
    }

    /// Encoder + teacher-forced decoder: logits `[B, T, V]`.
    pub fn forward(
        &self,
        input_ids: Tensor<2, Int>,
        decoder_ids: Tensor<2, Int>,
    ) -> Result<Tensor<3>, ModelError> {
        let enc = self.encode(input_ids)?;
        self.decode(decoder_ids, &enc)
    }

    /// Starts incremental decoding: computes every layer's cross-attention keys/values once.
    pub fn start_cache(&self, enc: &Encoded) -> DecoderCache {
        DecoderCache {
            layers: self
                .decoder
                .iter()
                .map(|l| LayerCache {
                    self_kv: None,
                    cross_kv: l.cross_kv(enc.memory.clone()),
                })
                .collect(),
            memory_bias: enc.memory_bias.clone(),
            len: 0,
        }
    }

    /// Decodes one new position per row (`ids`: `[B, 1]`) and returns its logits `[B, V]`.
    pub fn decode_step(
        &self,
        ids: Tensor<2, Int>,
        cache: &mut DecoderCache,
    ) -> Result<Tensor<2>, ModelError> {
        let [b, one] = ids.dims();
        debug_assert_eq!(one, 1, "decode_step takes one position per row");
        let offset = cache.len;
        self.check_len(offset, 1)?;
        let device = ids.device();
        let rope = self.rope(offset, 1, self.config.decoder_heads, &device);
        let mut x = self.embed(ids, offset);
        for (layer, lc) in self.decoder.iter().zip(cache.layers.iter_mut()) {
            x = layer.forward_cached(x, lc, &cache.memory_bias, rope.as_ref());
        }
        if let Some(norm) = &self.decoder_norm {
            x = norm.forward(x);
        }
        cache.len += 1;
        let v = self.config.vocab_size;
        Ok(self.project(x).reshape([b, v]))
    }
}

/// `[1, 1, T, T]` additive mask hiding future positions.
pub fn causal_bias(t: usize, device: &Device) -> Tensor<4> {
    let mut values = vec![0f32; t * t];
    for row in 0..t {
        for col in row + 1..t {
            values[row * t + col] = MASKED;
        }
    }
    Tensor::<2>::from_data(TensorData::new(values, [t, t]), device).reshape([1, 1, t, t])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard deviation of the named weight of a freshly built model.
    fn weight_std(config: &ModelConfig, name: &str) -> f64 {
        let model = Seq2Seq::new(config, &Device::flex()).unwrap();
        let meta = crate::bundle::BundleMeta::model_only(config.clone());
        let bytes = crate::bundle::to_bytes(&model, &meta).unwrap();
        let (tensors, _) = crate::training::tensor_file::read(&bytes).unwrap();
        let (_, _, values) = tensors.iter().find(|t| t.0 == name).unwrap();
        let n = values.len() as f64;
        let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
        let var = values
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / n;
        var.sqrt()
    }

    /// CALT's generic model keeps PyTorch's packed Xavier-uniform in-projections (its N(0,
    /// init_std) pass only reaches Linear modules); BART's separate Linears get N(0, init_std).
    #[test]
    fn attention_projections_are_initialised_as_each_family_does() {
        let generic = ModelConfig {
            d_model: 128,
            encoder_heads: 4,
            decoder_heads: 4,
            ..ModelConfig::small(20, 0, 1, 2)
        };
        let xavier = (6.0f64 / (4.0 * 128.0)).sqrt() / 3f64.sqrt();
        for name in [
            "encoder.0.self_attn.query.weight",
            "decoder.0.self_attn.key.weight",
            "decoder.0.cross_attn.value.weight",
        ] {
            let std = weight_std(&generic, name);
            assert!(
                (std / xavier - 1.0).abs() < 0.05,
                "{name}: std {std}, want {xavier}"
            );
        }
        for name in ["encoder.0.self_attn.output.weight", "lm_head.weight"] {
            let std = weight_std(&generic, name);
            assert!(
                (std / 0.02 - 1.0).abs() < 0.05,
                "{name}: std {std}, want 0.02"
            );
        }
        let bart = ModelConfig {
            architecture: Architecture::Bart,
            ..generic
        };
        let std = weight_std(&bart, "encoder.0.self_attn.query.weight");
        assert!(
            (std / 0.02 - 1.0).abs() < 0.05,
            "bart query: std {std}, want 0.02"
        );
    }
}
