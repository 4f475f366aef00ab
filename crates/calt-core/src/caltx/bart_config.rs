//! Hugging Face's `BartConfig` (`config.json` of calt-x's `bart` family) ↔ [`ModelConfig`].

use serde::Deserialize;
use serde_json::{Value, json};

use super::hf_config::{hf_class, hf_model_type};
use crate::model::{Activation, Architecture, ModelConfig, Positional};

/// The keys of a `BartConfig` that decide the model's computation, with `BartConfig`'s own
/// defaults (a `config.json` may leave any of them out).
#[derive(Clone, Debug, Deserialize)]
pub struct BartConfigJson {
    #[serde(default = "defaults::d_model")]
    pub d_model: usize,
    #[serde(default = "defaults::layers")]
    pub encoder_layers: usize,
    #[serde(default = "defaults::layers")]
    pub decoder_layers: usize,
    #[serde(default = "defaults::heads")]
    pub encoder_attention_heads: usize,
    #[serde(default = "defaults::heads")]
    pub decoder_attention_heads: usize,
    #[serde(default = "defaults::ffn")]
    pub encoder_ffn_dim: usize,
    #[serde(default = "defaults::ffn")]
    pub decoder_ffn_dim: usize,
    #[serde(default = "defaults::positions")]
    pub max_position_embeddings: usize,
    #[serde(default = "defaults::vocab")]
    pub vocab_size: usize,
    #[serde(default = "defaults::pad")]
    pub pad_token_id: u32,
    #[serde(default)]
    pub bos_token_id: u32,
    #[serde(default = "defaults::eos")]
    pub eos_token_id: u32,
    #[serde(default = "defaults::eos")]
    pub decoder_start_token_id: u32,
    #[serde(default = "defaults::activation")]
    pub activation_function: String,
    #[serde(default = "defaults::dropout")]
    pub dropout: f64,
    #[serde(default)]
    pub attention_dropout: f64,
    #[serde(default)]
    pub activation_dropout: f64,
    #[serde(default = "defaults::init_std")]
    pub init_std: f64,
    #[serde(default)]
    pub scale_embedding: bool,
    #[serde(default = "defaults::yes")]
    pub tie_word_embeddings: bool,
}

/// `BartConfig()`'s defaults.
mod defaults {
    pub fn d_model() -> usize {
        1024
    }
    pub fn layers() -> usize {
        12
    }
    pub fn heads() -> usize {
        16
    }
    pub fn ffn() -> usize {
        4096
    }
    pub fn positions() -> usize {
        1024
    }
    pub fn vocab() -> usize {
        50265
    }
    pub fn pad() -> u32 {
        1
    }
    pub fn eos() -> u32 {
        2
    }
    pub fn activation() -> String {
        "gelu".into()
    }
    pub fn dropout() -> f64 {
        0.1
    }
    pub fn init_std() -> f64 {
        0.02
    }
    pub fn yes() -> bool {
        true
    }
}

impl BartConfigJson {
    /// The model this config describes, or why calt cannot compute what it computes.
    pub fn to_model_config(&self) -> Result<ModelConfig, String> {
        let activation = match self.activation_function.as_str() {
            "gelu" => Activation::Gelu,
            "relu" => Activation::Relu,
            other => {
                return Err(format!(
                    "activation_function `{other}` is not gelu or relu, the ones calt builds"
                ));
            }
        };
        if self.scale_embedding {
            return Err(
                "scale_embedding: true is not supported (calt-x's BART leaves it false)".into(),
            );
        }
        if !self.tie_word_embeddings {
            return Err(
                "tie_word_embeddings: false is not supported (calt's BART ties its output \
                 projection to the token embedding, as calt-x's does)"
                    .into(),
            );
        }
        if self.attention_dropout != 0.0 || self.activation_dropout != 0.0 {
            return Err(format!(
                "attention_dropout {} / activation_dropout {}: calt's BART trains with \
                 BartConfig's 0 / 0, as calt-x does",
                self.attention_dropout, self.activation_dropout
            ));
        }
        if self.decoder_start_token_id != self.bos_token_id {
            return Err(format!(
                "decoder_start_token_id {} is not bos_token_id {}: calt starts every answer \
                 with BOS, as calt-x does",
                self.decoder_start_token_id, self.bos_token_id
            ));
        }
        let config = ModelConfig {
            architecture: Architecture::Bart,
            vocab_size: self.vocab_size,
            d_model: self.d_model,
            encoder_layers: self.encoder_layers,
            encoder_heads: self.encoder_attention_heads,
            encoder_ffn_dim: self.encoder_ffn_dim,
            decoder_layers: self.decoder_layers,
            decoder_heads: self.decoder_attention_heads,
            decoder_ffn_dim: self.decoder_ffn_dim,
            max_positions: self.max_position_embeddings,
            positional: Positional::Learned,
            dropout: self.dropout,
            activation,
            init_std: self.init_std,
            embedding_layer_norm: true,
            pad_id: self.pad_token_id,
            bos_id: self.bos_token_id,
            eos_id: self.eos_token_id,
            seed: 42,
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// The `config.json` calt-x writes for a BART of `config` (what `create_bart_config`
    /// sets, the rest at `BartConfig`'s defaults). One difference on purpose:
    /// `forced_eos_token_id` is left out, where calt-x keeps BartConfig's `2`, an arbitrary
    /// token of a calt vocabulary that Hugging Face's generation would force at the last
    /// position of a row reaching the length limit.
    pub fn from_model_config(config: &ModelConfig) -> Result<Value, String> {
        if config.positional != Positional::Learned {
            return Err("calt-x's BART has learned positions only".into());
        }
        let activation = match config.activation {
            Activation::Relu => "relu",
            Activation::Gelu => "gelu",
        };
        Ok(json!({
            "model_type": hf_model_type(Architecture::Bart),
            "architectures": [hf_class(Architecture::Bart)],
            "is_encoder_decoder": true,
            "d_model": config.d_model,
            "encoder_layers": config.encoder_layers,
            "decoder_layers": config.decoder_layers,
            "num_hidden_layers": config.encoder_layers,
            "encoder_attention_heads": config.encoder_heads,
            "decoder_attention_heads": config.decoder_heads,
            "encoder_ffn_dim": config.encoder_ffn_dim,
            "decoder_ffn_dim": config.decoder_ffn_dim,
            "max_position_embeddings": config.max_positions,
            "vocab_size": config.vocab_size,
            "pad_token_id": config.pad_id,
            "bos_token_id": config.bos_id,
            "eos_token_id": config.eos_id,
            "decoder_start_token_id": config.bos_id,
            "forced_eos_token_id": null,
            "activation_function": activation,
            "dropout": config.dropout,
            "attention_dropout": 0.0,
            "activation_dropout": 0.0,
            "classifier_dropout": 0.0,
            "encoder_layerdrop": 0.0,
            "decoder_layerdrop": 0.0,
            "init_std": config.init_std,
            "scale_embedding": false,
            "use_cache": true,
            "dtype": "float32",
        }))
    }
}
