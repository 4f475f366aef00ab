//! Hyper-parameters of the encoder–decoder, independent of how they were written in YAML.
//!
//! A [`ModelConfig`] travels inside the model bundle, so a trained model can be rebuilt with
//! nothing but the bundle bytes.

use serde::{Deserialize, Serialize};

use super::ModelError;
use crate::limits;

/// Which layer layout to build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// CALT's generic Transformer: pre-LayerNorm layers, final LayerNorm on both stacks,
    /// separate bias-free output projection.
    Generic,
    /// Hugging Face's BART (CALT's `bart`): post-LayerNorm layers, each stack with its own
    /// learned position table and embedding LayerNorm, no final stack norms, output projection
    /// tied to the token embedding, `max_sequence_length` positions.
    Bart,
    /// calt-x's decoder-only model: one causal pre-LayerNorm stack over `problem ++ answer`
    /// (the `decoder_*` sizes), final LayerNorm, bias-free output projection.
    DecoderOnly,
    /// calt-x's encoder classifier: the pre-LayerNorm encoder (the `encoder_*` sizes), without
    /// embedding or final LayerNorm, mean-pooled over real tokens, classified over the
    /// vocabulary; the answer is one token.
    EncoderClassifier,
}

impl Architecture {
    /// Whether the model has an encoder stack.
    pub fn has_encoder(self) -> bool {
        !matches!(self, Architecture::DecoderOnly)
    }

    /// Whether the model has a decoder stack (cross-attending or causal).
    pub fn has_decoder(self) -> bool {
        !matches!(self, Architecture::EncoderClassifier)
    }

    /// CALT's `model_type` name.
    pub fn name(self) -> &'static str {
        match self {
            Architecture::Generic => "generic",
            Architecture::Bart => "bart",
            Architecture::DecoderOnly => "decoder_only",
            Architecture::EncoderClassifier => "encoder_classifier",
        }
    }
}

/// How positions enter the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Positional {
    /// Learned table added to the token embeddings (CALT's `generic`).
    Learned,
    /// Fixed sin/cos table added to the token embeddings.
    Sinusoidal,
    /// Rotary embedding applied to queries and keys of self-attention.
    Rope,
    /// calt-x's `rope`: the token embeddings themselves rotated by position (all of d_model,
    /// before the stack), the computation a calt-x checkpoint needs.
    #[serde(rename = "rotated_embedding")]
    RotatedEmbedding,
    /// No positional information.
    None,
}

/// Feed-forward activation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Gelu,
}

/// Why a training pair does not suit the model ([`ModelConfig::check_pair`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    #[error("{tokens} tokens, more than the model's {max} positions (see max_sequence_length)")]
    TooLong { tokens: usize, max: usize },
    #[error("a {tokens}-token answer; the encoder classifier answers exactly one token")]
    NotOneToken { tokens: usize },
}

/// Everything needed to build (and rebuild) a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub architecture: Architecture,
    pub vocab_size: usize,
    pub d_model: usize,
    pub encoder_layers: usize,
    pub encoder_heads: usize,
    pub encoder_ffn_dim: usize,
    pub decoder_layers: usize,
    pub decoder_heads: usize,
    pub decoder_ffn_dim: usize,
    /// Number of positions the model can embed (CALT: 2 × `max_sequence_length`; BART:
    /// `max_sequence_length`).
    pub max_positions: usize,
    pub positional: Positional,
    pub dropout: f64,
    pub activation: Activation,
    pub init_std: f64,
    /// LayerNorm over token + position embeddings (always on for BART).
    pub embedding_layer_norm: bool,
    pub pad_id: u32,
    pub bos_id: u32,
    pub eos_id: u32,
    /// Seed of the weight initialisation.
    pub seed: u64,
}

impl ModelConfig {
    /// A small generic model, handy for tests and examples.
    pub fn small(vocab_size: usize, pad_id: u32, bos_id: u32, eos_id: u32) -> Self {
        Self {
            architecture: Architecture::Generic,
            vocab_size,
            d_model: 32,
            encoder_layers: 1,
            encoder_heads: 2,
            encoder_ffn_dim: 64,
            decoder_layers: 1,
            decoder_heads: 2,
            decoder_ffn_dim: 64,
            max_positions: 64,
            positional: Positional::Learned,
            dropout: 0.0,
            activation: Activation::Relu,
            init_std: 0.02,
            embedding_layer_norm: false,
            pad_id,
            bos_id,
            eos_id,
            seed: 42,
        }
    }

    /// Checks the sizes fit together; called before any weight is built.
    pub fn validate(&self) -> Result<(), ModelError> {
        let bad = |msg: String| Err(ModelError::InvalidConfig(msg));
        if self.vocab_size == 0 || self.d_model == 0 {
            return bad("vocab_size and d_model must be positive".into());
        }
        self.check_size_limits()?;
        let stacks = [
            (
                self.architecture.has_encoder(),
                "num_encoder_heads",
                self.encoder_heads,
            ),
            (
                self.architecture.has_decoder(),
                "num_decoder_heads",
                self.decoder_heads,
            ),
        ];
        for (name, heads) in stacks.iter().filter(|s| s.0).map(|s| (s.1, s.2)) {
            if heads == 0 || !self.d_model.is_multiple_of(heads) {
                return bad(format!(
                    "{name} = {heads} must be positive and divide d_model = {}",
                    self.d_model
                ));
            }
            if self.positional == Positional::Rope && !(self.d_model / heads).is_multiple_of(2) {
                return bad(format!(
                    "rope needs an even head dimension; d_model {} / {name} {heads} is odd",
                    self.d_model
                ));
            }
        }
        if matches!(
            self.positional,
            Positional::Sinusoidal | Positional::RotatedEmbedding
        ) && !self.d_model.is_multiple_of(2)
        {
            return bad("sinusoidal and rotated positions need an even d_model".into());
        }
        if (self.architecture.has_encoder() && self.encoder_ffn_dim == 0)
            || (self.architecture.has_decoder() && self.decoder_ffn_dim == 0)
        {
            return bad("encoder_ffn_dim and decoder_ffn_dim must be positive".into());
        }
        if self.max_sequence_length() < 1 {
            return bad("max_sequence_length must be at least 1".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad(format!("dropout {} must be in [0, 1)", self.dropout));
        }
        if !(self.init_std.is_finite() && self.init_std > 0.0) {
            return bad(format!("init_std {} must be positive", self.init_std));
        }
        for (name, id) in [
            ("pad", self.pad_id),
            ("bos", self.bos_id),
            ("eos", self.eos_id),
        ] {
            if id as usize >= self.vocab_size {
                return bad(format!(
                    "{name} id {id} is outside the vocabulary ({})",
                    self.vocab_size
                ));
            }
        }
        Ok(())
    }

    /// Refuses sizes no real model has, before anything is allocated: a mistyped `d_model:
    /// 5120000` must be an error, not an attempt to allocate terabytes.
    fn check_size_limits(&self) -> Result<(), ModelError> {
        for (key, value, limit) in [
            ("vocabulary size", self.vocab_size, limits::MAX_VOCABULARY),
            ("d_model", self.d_model, limits::MAX_D_MODEL),
            (
                "num_encoder_layers",
                self.encoder_layers,
                limits::MAX_LAYERS,
            ),
            (
                "num_decoder_layers",
                self.decoder_layers,
                limits::MAX_LAYERS,
            ),
            ("encoder_ffn_dim", self.encoder_ffn_dim, limits::MAX_FFN_DIM),
            ("decoder_ffn_dim", self.decoder_ffn_dim, limits::MAX_FFN_DIM),
            (
                "max_sequence_length",
                self.max_sequence_length(),
                limits::MAX_SEQUENCE_LENGTH,
            ),
        ] {
            if value > limit {
                return Err(ModelError::InvalidConfig(format!(
                    "{key} = {value} is above the limit of {limit}"
                )));
            }
        }
        let parameters = self.approximate_parameters();
        if parameters > u128::from(limits::MAX_PARAMETERS) {
            return Err(ModelError::InvalidConfig(format!(
                "the model would have about {parameters} parameters, above the limit of {}; \
                 lower d_model, the layer counts or the ffn dims",
                limits::MAX_PARAMETERS
            )));
        }
        Ok(())
    }

    /// The weight matrices' element count (biases and norms are negligible at this scale).
    fn approximate_parameters(&self) -> u128 {
        let d = self.d_model as u128;
        let embeddings = (self.vocab_size as u128 + self.max_positions as u128) * d;
        let encoder =
            self.encoder_layers as u128 * (4 * d * d + 2 * d * self.encoder_ffn_dim as u128);
        // The decoder-only stack has no cross-attention.
        let attention = if self.architecture == Architecture::DecoderOnly {
            4
        } else {
            8
        };
        let decoder = self.decoder_layers as u128
            * (attention * d * d + 2 * d * self.decoder_ffn_dim as u128);
        embeddings * 2 + encoder + decoder
    }

    /// The `max_sequence_length` a model of this many positions is configured with: CALT
    /// gives BART that many positions and its own models twice as many.
    pub fn max_sequence_length(&self) -> usize {
        match self.architecture {
            Architecture::Bart => self.max_positions,
            _ => self.max_positions / 2,
        }
    }

    /// The position count CALT builds for `max_sequence_length`.
    pub fn positions_for(architecture: Architecture, max_sequence_length: usize) -> usize {
        match architecture {
            Architecture::Bart => max_sequence_length,
            _ => max_sequence_length.saturating_mul(2),
        }
    }

    /// Whether the model can train on a pair (`[BOS, …, EOS]` each): it must fit the position
    /// table (the decoder-only model holds the problem and the teacher-forced answer, all but
    /// its EOS, in one sequence), and a classifier's answer must be one token.
    pub fn check_pair(&self, problem_len: usize, target_len: usize) -> Result<(), PairError> {
        let tokens = match self.architecture {
            Architecture::DecoderOnly => problem_len + target_len.saturating_sub(1),
            _ => problem_len.max(target_len),
        };
        if tokens > self.max_positions {
            return Err(PairError::TooLong {
                tokens,
                max: self.max_positions,
            });
        }
        if self.architecture == Architecture::EncoderClassifier && target_len != 3 {
            return Err(PairError::NotOneToken {
                tokens: target_len.saturating_sub(2),
            });
        }
        Ok(())
    }

    /// The part of a target (`[BOS, …, EOS]`) the loss is computed on: all of it, but for the
    /// classifier, whose loss is its one class (`[BOS, answer]`; its EOS is certain).
    pub fn loss_target<'a>(&self, target: &'a [u32]) -> &'a [u32] {
        match self.architecture {
            Architecture::EncoderClassifier => &target[..target.len().min(2)],
            _ => target,
        }
    }

    /// How many tokens (EOS included) a row whose problem has `problem_len` tokens may
    /// generate: the answer's positions follow BOS at 0 (encoder–decoder) or at `problem_len`
    /// (decoder-only) and stop at the table's end; a classifier answers one token.
    pub fn generation_budget(&self, problem_len: usize, max_new_tokens: usize) -> usize {
        let positions = match self.architecture {
            Architecture::DecoderOnly => self.max_positions.saturating_sub(problem_len),
            Architecture::EncoderClassifier => 2,
            _ => self.max_positions,
        };
        max_new_tokens.min(positions)
    }
}
