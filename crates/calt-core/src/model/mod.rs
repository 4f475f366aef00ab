//! The Transformer families: CALT's generic encoder–decoder, a BART-style variant, calt-x's
//! decoder-only model and its encoder classifier.
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
mod classifier;
pub mod config;
pub mod dense;
pub mod dropout;
pub mod init;
pub mod layers;
pub mod positions;
mod prompt;

use burn::module::{Module, Param};
use burn::nn::{Dropout, DropoutConfig, Embedding, LayerNorm, Linear};
use burn::tensor::{Device, Int, Tensor, TensorData};
use dropout::dropout;

use attention::KeyValue;
use attention::{ProjectionInit, RopeTables};
pub use config::{Activation, Architecture, ModelConfig, PairError, Positional};
use init::Init;
use layers::{DecoderLayer, EncoderLayer, LayerStyle, Rates, layer_norm};
use positions::FixedTables;

/// Score added to masked attention logits: finite (no NaN for fully masked rows) and far below
/// any real score, so the masked weight underflows to exactly zero.
const MASKED: f32 = -1.0e9;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("invalid model configuration: {0}")]
    InvalidConfig(String),
    #[error(
        "sequence of {len} tokens exceeds the model's {max} positions (see max_sequence_length)"
    )]
    SequenceTooLong { len: usize, max: usize },
    #[error("could not load weights: {0}")]
    Weights(String),
    #[error("reading results back from the device: {0}")]
    Read(String),
}

/// The model of every family ([`Architecture`]): the encoder–decoders, the decoder-only stack
/// and the encoder classifier share the embeddings, layers and head, and one interface
/// (`encode`, `decode`, `start_cache`, `decode_step`) through which training, greedy and beam
/// decoding, the bundle and the browser run them all.
#[derive(Module, Debug)]
pub struct Seq2Seq {
    embedding: Embedding,
    /// The learned position table (BART: the encoder's).
    positions: Option<Param<Tensor<2>>>,
    /// The embedding LayerNorm (BART: the encoder's).
    embed_norm: Option<LayerNorm>,
    /// BART's decoder keeps its own position table and embedding LayerNorm, as Hugging Face's
    /// BartForConditionalGeneration does; the other families share the encoder's.
    decoder_positions: Option<Param<Tensor<2>>>,
    decoder_embed_norm: Option<LayerNorm>,
    embed_dropout: Dropout,
    encoder: Vec<EncoderLayer>,
    decoder: Vec<DecoderLayer>,
    /// The decoder-only family's causal stack (self-attention and feed-forward layers).
    causal: Vec<EncoderLayer>,
    encoder_norm: Option<LayerNorm>,
    decoder_norm: Option<LayerNorm>,
    /// `None`: the output projection is tied to the token embedding (BART). The classifier's
    /// head has a bias.
    lm_head: Option<Linear>,
    #[module(skip)]
    config: ModelConfig,
}

/// What decoding starts from: the encoder's output, or the problems themselves.
// One per decoded batch, never in a collection: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Encoded {
    /// Encoder–decoder: the encoder output plus the additive padding mask every
    /// cross-attention uses (`[B, 1, 1, S]`: 0 on real tokens, [`MASKED`] on padding).
    Memory {
        memory: Tensor<3>,
        memory_bias: Tensor<4>,
    },
    /// Decoder-only: the right-padded problems, their padding mask (`[B, 1, 1, S]`) and each
    /// row's real length, the position at which its answer starts.
    Prompt {
        ids: Tensor<2, Int>,
        pad_bias: Tensor<4>,
        lengths: Tensor<1, Int>,
    },
    /// Classifier: the class scores over the vocabulary, `[B, V]`.
    Class { logits: Tensor<2> },
}

impl Encoded {
    /// Keeps (and repeats) the rows named by `indices` (beam search expands each input).
    pub fn select_rows(&self, indices: Tensor<1, Int>) -> Self {
        match self {
            Encoded::Memory {
                memory,
                memory_bias,
            } => Encoded::Memory {
                memory: memory.clone().select(0, indices.clone()),
                memory_bias: memory_bias.clone().select(0, indices),
            },
            Encoded::Prompt {
                ids,
                pad_bias,
                lengths,
            } => Encoded::Prompt {
                ids: ids.clone().select(0, indices.clone()),
                pad_bias: pad_bias.clone().select(0, indices.clone()),
                lengths: lengths.clone().select(0, indices),
            },
            Encoded::Class { logits } => Encoded::Class {
                logits: logits.clone().select(0, indices),
            },
        }
    }
}

/// Incremental decoding state: per-layer key/value caches and the number of positions done.
#[derive(Clone, Debug)]
pub struct DecoderCache {
    /// Per decoder layer: the self-attention keys/values so far.
    self_kv: Vec<Option<KeyValue>>,
    state: CacheState,
    len: usize,
}

/// What each family's decoding keeps besides the self-attention keys/values.
// One per decoded batch: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
enum CacheState {
    /// Encoder–decoder: every layer's cross-attention keys/values and the memory's padding
    /// mask.
    Memory {
        cross_kv: Vec<KeyValue>,
        memory_bias: Tensor<4>,
    },
    /// Decoder-only: the mask over every cached key (the problems' padding, then the answer
    /// so far), where each row's answer starts, and the fixed position tables.
    Prompt {
        key_bias: Tensor<4>,
        answer_start: Tensor<1, Int>,
        tables: FixedTables,
    },
    /// Classifier: the class scores, answered at the first step.
    Class { logits: Tensor<2> },
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
        let rows = |t: &Tensor<4>| t.clone().select(0, indices.clone());
        let state = match &self.state {
            CacheState::Memory {
                cross_kv,
                memory_bias,
            } => CacheState::Memory {
                cross_kv: cross_kv
                    .iter()
                    .map(|kv| kv.select_rows(indices.clone()))
                    .collect(),
                memory_bias: rows(memory_bias),
            },
            CacheState::Prompt {
                key_bias,
                answer_start,
                tables,
            } => CacheState::Prompt {
                key_bias: rows(key_bias),
                answer_start: answer_start.clone().select(0, indices.clone()),
                tables: tables.clone(),
            },
            CacheState::Class { logits } => CacheState::Class {
                logits: logits.clone().select(0, indices.clone()),
            },
        };
        Self {
            self_kv: self
                .self_kv
                .iter()
                .map(|kv| kv.as_ref().map(|kv| kv.select_rows(indices.clone())))
                .collect(),
            state,
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
        let family = c.architecture;
        let bart = family == Architecture::Bart;
        // Every family but BART is built from PyTorch's nn.Transformer* layers.
        let torch_layers = !bart;
        let rates = if torch_layers {
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
            pre_norm: torch_layers,
            projections: if torch_layers {
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
        let embed_norm = match family {
            Architecture::Bart => true,
            // calt-x's classifier has no embedding LayerNorm.
            Architecture::EncoderClassifier => false,
            Architecture::Generic | Architecture::DecoderOnly => c.embedding_layer_norm,
        }
        .then(|| layer_norm(&init, c.d_model));
        let decoder_positions = (bart && c.positional == Positional::Learned)
            .then(|| init.normal([c.max_positions, c.d_model]));
        let decoder_embed_norm = bart.then(|| layer_norm(&init, c.d_model));
        let encoder_layers = |init: &mut Init, count: usize, heads: usize, ffn: usize| {
            (0..count)
                .map(|_| EncoderLayer::new(init, c.d_model, heads, ffn, c.activation, rates, style))
                .collect::<Vec<_>>()
        };
        let (encoder, causal) = match family {
            Architecture::DecoderOnly => (
                Vec::new(),
                encoder_layers(
                    &mut init,
                    c.decoder_layers,
                    c.decoder_heads,
                    c.decoder_ffn_dim,
                ),
            ),
            _ => (
                encoder_layers(
                    &mut init,
                    c.encoder_layers,
                    c.encoder_heads,
                    c.encoder_ffn_dim,
                ),
                Vec::new(),
            ),
        };
        let decoder = if matches!(family, Architecture::Generic | Architecture::Bart) {
            (0..c.decoder_layers)
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
                .collect()
        } else {
            Vec::new()
        };
        let encoder_norm = (family == Architecture::Generic).then(|| layer_norm(&init, c.d_model));
        let decoder_norm = matches!(family, Architecture::Generic | Architecture::DecoderOnly)
            .then(|| layer_norm(&init, c.d_model));
        let lm_head = match family {
            Architecture::Bart => None,
            Architecture::EncoderClassifier => Some(init.linear(c.d_model, c.vocab_size, true)),
            Architecture::Generic | Architecture::DecoderOnly => {
                Some(init.linear(c.d_model, c.vocab_size, false))
            }
        };
        Ok(Self {
            embedding,
            positions,
            embed_norm,
            decoder_positions,
            decoder_embed_norm,
            // CALT's generic model has no embedding dropout; BART has.
            embed_dropout: DropoutConfig::new(if bart { c.dropout } else { 0.0 }).init(),
            encoder,
            decoder,
            causal,
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

    /// The learned position table of a stack's inputs.
    fn position_table(&self, stack: Stack) -> Option<&Param<Tensor<2>>> {
        match (stack, &self.decoder_positions) {
            (Stack::Decoder, Some(table)) => Some(table),
            _ => self.positions.as_ref(),
        }
    }

    /// Token embedding + absolute positions `offset..offset+L` (+ LayerNorm, dropout) of the
    /// inputs of `stack`.
    fn embed(&self, ids: Tensor<2, Int>, offset: usize, stack: Stack) -> Tensor<3> {
        let [_, len] = ids.dims();
        let device = ids.device();
        let d = self.config.d_model;
        let x = self.embedding.forward(ids);
        let x = match self.config.positional {
            Positional::Learned => match self.position_table(stack) {
                Some(table) => {
                    let rows = table.val().slice([offset..offset + len, 0..d]);
                    x + rows.unsqueeze::<3>()
                }
                None => x,
            },
            Positional::Sinusoidal => {
                x + positions::sinusoidal(offset, len, d, &device).unsqueeze::<3>()
            }
            Positional::RotatedEmbedding => {
                let (cos, sin) = positions::rope_tables(offset, len, d, &device);
                rotate_embedding(x, &cos, &sin)
            }
            Positional::Rope | Positional::None => x,
        };
        self.finish_embedding(x, stack)
    }

    fn finish_embedding(&self, x: Tensor<3>, stack: Stack) -> Tensor<3> {
        let norm = match (stack, &self.decoder_embed_norm) {
            (Stack::Decoder, Some(norm)) => Some(norm),
            _ => self.embed_norm.as_ref(),
        };
        let x = match norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
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

    /// `[B, 1, 1, S]`: 0 on real tokens, [`MASKED`] on padding.
    fn padding_bias(&self, ids: &Tensor<2, Int>) -> Tensor<4> {
        let [b, s] = ids.dims();
        ids.clone()
            .equal_elem(self.config.pad_id as i64)
            .float()
            .mul_scalar(MASKED)
            .reshape([b, 1, 1, s])
    }

    /// Runs the encoder (the classifier: and its head; the decoder-only model keeps the
    /// problems for the causal stack). `input_ids`: `[B, S]`, right-padded with the pad id.
    pub fn encode(&self, input_ids: Tensor<2, Int>) -> Result<Encoded, ModelError> {
        let [_, s] = input_ids.dims();
        self.check_len(0, s)?;
        match self.config.architecture {
            Architecture::DecoderOnly => Ok(self.prompt(input_ids)),
            Architecture::EncoderClassifier => Ok(Encoded::Class {
                logits: self.classify(input_ids),
            }),
            Architecture::Generic | Architecture::Bart => {
                let (memory, memory_bias) = self.run_encoder(input_ids);
                Ok(Encoded::Memory {
                    memory,
                    memory_bias,
                })
            }
        }
    }

    /// The encoder stack over `input_ids`: its output and the padding mask.
    fn run_encoder(&self, input_ids: Tensor<2, Int>) -> (Tensor<3>, Tensor<4>) {
        let [_, s] = input_ids.dims();
        let device = input_ids.device();
        let pad_bias = self.padding_bias(&input_ids);
        let rope = self.rope(0, s, self.config.encoder_heads, &device);
        let mut x = self.embed(input_ids, 0, Stack::Encoder);
        for layer in &self.encoder {
            x = layer.forward(x, &pad_bias, rope.as_ref());
        }
        if let Some(norm) = &self.encoder_norm {
            x = norm.forward(x);
        }
        (x, pad_bias)
    }

    /// Teacher-forced decoder over whole sequences: logits `[B, T, V]`.
    pub fn decode(
        &self,
        decoder_ids: Tensor<2, Int>,
        enc: &Encoded,
    ) -> Result<Tensor<3>, ModelError> {
        let [_, t] = decoder_ids.dims();
        match enc {
            Encoded::Memory {
                memory,
                memory_bias,
            } => {
                self.check_len(0, t)?;
                let device = decoder_ids.device();
                let causal = causal_bias(t, &device);
                let rope = self.rope(0, t, self.config.decoder_heads, &device);
                let mut x = self.embed(decoder_ids, 0, Stack::Decoder);
                for layer in &self.decoder {
                    x = layer.forward(x, memory.clone(), &causal, memory_bias, rope.as_ref());
                }
                if let Some(norm) = &self.decoder_norm {
                    x = norm.forward(x);
                }
                Ok(self.project(x))
            }
            Encoded::Prompt {
                ids,
                pad_bias,
                lengths,
            } => Ok(self.continue_prompt(ids, pad_bias, lengths, decoder_ids)),
            Encoded::Class { logits } => Ok(self.class_answer(logits, t)),
        }
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

    /// Starts incremental decoding: computes every layer's cross-attention keys/values (the
    /// decoder-only model: the problems' self-attention keys/values) once.
    pub fn start_cache(&self, enc: &Encoded) -> DecoderCache {
        match enc {
            Encoded::Memory {
                memory,
                memory_bias,
            } => DecoderCache {
                self_kv: vec![None; self.decoder.len()],
                state: CacheState::Memory {
                    cross_kv: self
                        .decoder
                        .iter()
                        .map(|l| l.cross_kv(memory.clone()))
                        .collect(),
                    memory_bias: memory_bias.clone(),
                },
                len: 0,
            },
            Encoded::Prompt {
                ids,
                pad_bias,
                lengths,
            } => self.prompt_cache(ids, pad_bias, lengths),
            Encoded::Class { logits } => DecoderCache {
                self_kv: Vec::new(),
                state: CacheState::Class {
                    logits: logits.clone(),
                },
                len: 0,
            },
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
        let DecoderCache {
            self_kv,
            state,
            len,
        } = cache;
        let step = *len;
        let logits = match state {
            CacheState::Class { logits } => self.class_step(logits, step),
            CacheState::Prompt {
                key_bias,
                answer_start,
                tables,
            } => self.prompt_step(ids, self_kv, key_bias, answer_start, tables, step),
            CacheState::Memory {
                cross_kv,
                memory_bias,
            } => {
                self.check_len(step, 1)?;
                let device = ids.device();
                let rope = self.rope(step, 1, self.config.decoder_heads, &device);
                let mut x = self.embed(ids, step, Stack::Decoder);
                let layers = self.decoder.iter().zip(self_kv.iter_mut()).zip(cross_kv);
                for ((layer, kv), cross) in layers {
                    x = layer.forward_cached(x, kv, cross, memory_bias, rope.as_ref());
                }
                if let Some(norm) = &self.decoder_norm {
                    x = norm.forward(x);
                }
                self.project(x).reshape([b, self.config.vocab_size])
            }
        };
        *len += 1;
        Ok(logits)
    }
}

/// Which stack an embedding feeds (BART's stacks have their own position table and norm).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stack {
    Encoder,
    Decoder,
}

/// Rotates token embeddings `[B, L, d]` by position with tables `[1 or B, 1, L, d]`.
fn rotate_embedding(x: Tensor<3>, cos: &Tensor<4>, sin: &Tensor<4>) -> Tensor<3> {
    let [b, l, d] = x.dims();
    positions::apply_rope(x.reshape([b, 1, l, d]), cos, sin).reshape([b, l, d])
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
