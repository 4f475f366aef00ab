//! `train.yaml` → `model:` (spec §4.2, §4.7).

use super::numbers::f64_lenient;
use serde::{Deserialize, Serialize};

/// Which architecture to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelType {
    /// CALT's generic pre-LayerNorm encoder–decoder (`transformer` and `calt` are aliases).
    #[serde(
        alias = "transformer",
        alias = "calt",
        alias = "Generic",
        alias = "Transformer"
    )]
    Generic,
    /// A BART-style post-LayerNorm encoder–decoder.
    #[serde(alias = "BART", alias = "Bart")]
    Bart,
    /// calt-x's decoder-only model: one causal stack over `problem ++ answer`.
    #[serde(rename = "decoder_only", alias = "decoder")]
    DecoderOnly,
    /// calt-x's encoder classifier: the answer is one token, chosen from the vocabulary.
    #[serde(rename = "encoder_classifier", alias = "encoder_only")]
    EncoderClassifier,
}

/// How positions enter the model (`use_positional_embedding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositionalEmbedding {
    /// Learned table (CALT calls it `generic`; `learned` is accepted too).
    #[serde(alias = "learned")]
    Generic,
    Sinusoidal,
    /// Rotary: rotates queries and keys in attention.
    Rope,
    None,
}

fn default_positional() -> PositionalEmbedding {
    PositionalEmbedding::Generic
}
pub(crate) fn default_dropout() -> f64 {
    0.1
}
pub(crate) fn default_activation() -> String {
    "relu".into()
}
pub(crate) fn default_init_std() -> f64 {
    0.02
}
pub(crate) fn default_true() -> bool {
    true
}

/// The `model:` block with CALT's keys and defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    pub model_type: ModelType,
    /// The encoder–decoders need all four stack sizes, the classifier the encoder's; the
    /// decoder-only model reads `num_layers`, `num_heads`, `ffn_dim` first and the decoder's
    /// (then the encoder's) keys as fallback, as calt-x does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_encoder_layers: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_encoder_heads: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_decoder_layers: Option<usize>,
    /// Honoured by the encoder–decoders (CALT's generic model ignores it and uses the
    /// encoder's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_decoder_heads: Option<usize>,
    pub d_model: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder_ffn_dim: Option<usize>,
    /// Honoured by the encoder–decoders (CALT's generic model ignores it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoder_ffn_dim: Option<usize>,
    /// The decoder-only stack's sizes (calt-x 1.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_layers: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_heads: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ffn_dim: Option<usize>,
    pub max_sequence_length: usize,
    #[serde(default = "default_positional")]
    pub use_positional_embedding: PositionalEmbedding,
    /// calt-x 1.5's token-embedding choice: `token` (the plain table) is its only built-in;
    /// any other name is a Python class registered at run time, which calt cannot load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_embedding_type: Option<String>,
    #[serde(default = "default_dropout", deserialize_with = "f64_lenient")]
    pub dropout: f64,
    #[serde(default = "default_activation")]
    pub activation: String,
    #[serde(default = "default_init_std", deserialize_with = "f64_lenient")]
    pub init_std: f64,
    /// LayerNorm over token + position embeddings, as CALT 1.5 does (on by default, like
    /// CALT 1.5; set false for CALT 1.1's model). BART always has it.
    #[serde(default = "default_true")]
    pub embedding_layer_norm: bool,
    /// Seeds weight initialisation; when left out, `train.seed` does (CALT's initialisation
    /// ignores every seed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Overrides of the tokenizer's ids, as in CALT (normally left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pad_token_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bos_token_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eos_token_id: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vocab_size: Option<usize>,
}
