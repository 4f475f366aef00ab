//! calt-x's model `config.json` (a Hugging Face `PretrainedConfig`) ↔ [`ModelConfig`].

use serde::Deserialize;
use serde_json::{Value, json};

use super::bart_config::BartConfigJson;
use crate::config::{default_activation, default_dropout, default_init_std, default_true};
use crate::model::{Activation, Architecture, ModelConfig, Positional};

/// The keys of calt-x 1.5's generic, decoder-only and classifier configs that decide the
/// model's computation, with calt-x's defaults. Read and written through [`model_config_of`]
/// and [`config_json_of`], which send BART to its own config.
#[derive(Clone, Debug, Deserialize)]
struct HfConfig {
    model_type: String,
    d_model: usize,
    #[serde(default = "default_heads")]
    attention_heads: usize,
    #[serde(default)]
    num_encoder_layers: Option<usize>,
    #[serde(default)]
    num_decoder_layers: Option<usize>,
    #[serde(default)]
    num_layers: Option<usize>,
    #[serde(default = "default_ffn")]
    dim_feedforward: usize,
    max_input_len: usize,
    vocab_size: usize,
    pad_token_id: u32,
    bos_token_id: u32,
    eos_token_id: u32,
    #[serde(default = "default_positional")]
    use_positional_embedding: String,
    #[serde(default = "default_true")]
    embedding_layer_norm: bool,
    #[serde(default = "default_dropout")]
    dropout: f64,
    #[serde(default = "default_activation")]
    activation: String,
    #[serde(default = "default_init_std")]
    init_std: f64,
    #[serde(default = "default_seed")]
    seed: u64,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default = "default_true")]
    norm_first: bool,
    #[serde(default = "default_true")]
    bias: bool,
    #[serde(default)]
    tie_word_embeddings: bool,
    #[serde(default)]
    input_embedding_type: Option<String>,
}

fn default_heads() -> usize {
    8
}
fn default_ffn() -> usize {
    2048
}
fn default_positional() -> String {
    "generic".into()
}
fn default_seed() -> u64 {
    42
}
fn default_eps() -> f64 {
    1e-5
}

/// calt-x's `model_type` in `config.json` for each family (the generic model registers its
/// config as `transformer`).
pub(super) fn hf_model_type(family: Architecture) -> &'static str {
    match family {
        Architecture::Generic => "transformer",
        Architecture::Bart => "bart",
        Architecture::DecoderOnly => "decoder_only",
        Architecture::EncoderClassifier => "encoder_classifier",
    }
}

/// The Python class calt-x records under `architectures`.
pub(super) fn hf_class(family: Architecture) -> &'static str {
    match family {
        Architecture::Generic => "Transformer",
        Architecture::Bart => "BartForConditionalGeneration",
        Architecture::DecoderOnly => "DecoderOnlyTransformer",
        Architecture::EncoderClassifier => "EncoderClassifier",
    }
}

/// The model a calt-x `config.json` describes (BART's is Hugging Face's `BartConfig`, the
/// other families' calt-x's own), or why calt cannot compute what calt-x computes.
pub fn model_config_of(text: &str) -> Result<ModelConfig, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if value.get("model_type").and_then(Value::as_str) == Some(hf_model_type(Architecture::Bart)) {
        let bart: BartConfigJson = serde_json::from_str(text).map_err(|e| e.to_string())?;
        bart.to_model_config()
    } else {
        let hf: HfConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
        hf.to_model_config()
    }
}

/// calt-x's `config.json` for `config` (BART's as Hugging Face's `BartConfig`), or why calt-x
/// has no such model.
pub fn config_json_of(config: &ModelConfig) -> Result<Value, String> {
    match config.architecture {
        Architecture::Bart => BartConfigJson::from_model_config(config),
        _ => HfConfig::from_model_config(config),
    }
}

impl HfConfig {
    /// The model this config describes, or why calt cannot compute what calt-x computes.
    fn to_model_config(&self) -> Result<ModelConfig, String> {
        let architecture = match self.model_type.as_str() {
            "transformer" | "generic" | "calt" => Architecture::Generic,
            "decoder_only" => Architecture::DecoderOnly,
            "encoder_classifier" => Architecture::EncoderClassifier,
            other => {
                return Err(format!(
                    "model_type `{other}` is not a calt-x model calt reads"
                ));
            }
        };
        let positional = match self.use_positional_embedding.to_ascii_lowercase().as_str() {
            "generic" | "learned" => Positional::Learned,
            "sinusoidal" => Positional::Sinusoidal,
            "none" => Positional::None,
            // calt-x rotates the embeddings (calt's own `rope` rotates queries and keys).
            "rope" => Positional::RotatedEmbedding,
            other => {
                return Err(format!(
                    "use_positional_embedding `{other}` is not built in"
                ));
            }
        };
        let activation = match self.activation.as_str() {
            "relu" => Activation::Relu,
            "gelu" => Activation::Gelu,
            other => return Err(format!("activation `{other}` is not relu or gelu")),
        };
        if !self.norm_first || !self.bias || self.tie_word_embeddings {
            return Err(
                "only calt-x's defaults norm_first: true, bias: true, tie_word_embeddings: false \
                 are supported"
                    .into(),
            );
        }
        if (self.layer_norm_eps - 1e-5).abs() > 1e-12 {
            return Err(format!(
                "layer_norm_eps {} is not 1e-5, the only one calt's layers use",
                self.layer_norm_eps
            ));
        }
        if let Some(other) = self
            .input_embedding_type
            .as_deref()
            .filter(|t| *t != "token")
        {
            return Err(format!(
                "input_embedding_type `{other}` is not calt-x's `token`"
            ));
        }
        let layers =
            |key: &str, value: Option<usize>| value.ok_or_else(|| format!("`{key}` is missing"));
        let (encoder_layers, decoder_layers) = match architecture {
            Architecture::DecoderOnly => (0, layers("num_layers", self.num_layers)?),
            Architecture::EncoderClassifier => {
                (layers("num_encoder_layers", self.num_encoder_layers)?, 0)
            }
            _ => (
                layers("num_encoder_layers", self.num_encoder_layers)?,
                layers("num_decoder_layers", self.num_decoder_layers)?,
            ),
        };
        let config = ModelConfig {
            architecture,
            vocab_size: self.vocab_size,
            d_model: self.d_model,
            encoder_layers,
            encoder_heads: self.attention_heads,
            encoder_ffn_dim: self.dim_feedforward,
            decoder_layers,
            decoder_heads: self.attention_heads,
            decoder_ffn_dim: self.dim_feedforward,
            max_positions: self.max_input_len.saturating_mul(2),
            positional,
            dropout: self.dropout,
            activation,
            init_std: self.init_std,
            embedding_layer_norm: self.embedding_layer_norm
                && architecture != Architecture::EncoderClassifier,
            pad_id: self.pad_token_id,
            bos_id: self.bos_token_id,
            eos_id: self.eos_token_id,
            seed: self.seed,
        };
        config.validate().map_err(|e| e.to_string())?;
        Ok(config)
    }

    /// calt-x's `config.json` for a model of one of calt-x's own families, or why calt-x has
    /// no such model.
    fn from_model_config(config: &ModelConfig) -> Result<Value, String> {
        let family = config.architecture;
        if family == Architecture::Generic
            && (config.encoder_heads != config.decoder_heads
                || config.encoder_ffn_dim != config.decoder_ffn_dim)
        {
            return Err(
                "calt-x's generic model has one head count and one ffn_dim for both \
                        stacks; this model's encoder and decoder differ"
                    .into(),
            );
        }
        let (heads, ffn) = match family {
            Architecture::DecoderOnly => (config.decoder_heads, config.decoder_ffn_dim),
            _ => (config.encoder_heads, config.encoder_ffn_dim),
        };
        let positional = match config.positional {
            Positional::Learned => "generic",
            Positional::Sinusoidal => "sinusoidal",
            Positional::None => "none",
            Positional::RotatedEmbedding => "rope",
            Positional::Rope => {
                return Err(
                    "rope: calt rotates queries and keys, calt-x the embeddings, so \
                            calt-x would compute something else with these weights"
                        .into(),
                );
            }
        };
        let activation = match config.activation {
            Activation::Relu => "relu",
            Activation::Gelu => "gelu",
        };
        let mut out = json!({
            "model_type": hf_model_type(family),
            "architectures": [hf_class(family)],
            "d_model": config.d_model,
            "attention_heads": heads,
            "dim_feedforward": ffn,
            "max_input_len": config.max_sequence_length(),
            "vocab_size": config.vocab_size,
            "pad_token_id": config.pad_id,
            "bos_token_id": config.bos_id,
            "eos_token_id": config.eos_id,
            "use_positional_embedding": positional,
            "dropout": config.dropout,
            "activation": activation,
            "init_std": config.init_std,
            "seed": config.seed,
            "layer_norm_eps": 1e-5,
            "norm_first": true,
            "bias": true,
            "tie_word_embeddings": false,
            "dtype": "float32",
        });
        let extra = match family {
            Architecture::DecoderOnly => json!({
                "num_layers": config.decoder_layers,
                "embedding_layer_norm": config.embedding_layer_norm,
            }),
            Architecture::EncoderClassifier => json!({
                "num_encoder_layers": config.encoder_layers,
                "batch_first": true,
                "input_embedding_type": "token",
            }),
            _ => json!({
                "num_encoder_layers": config.encoder_layers,
                "num_decoder_layers": config.decoder_layers,
                "embedding_layer_norm": config.embedding_layer_norm,
                "batch_first": true,
                "input_embedding_type": "token",
            }),
        };
        if let (Value::Object(fields), Value::Object(extra)) = (&mut out, extra) {
            fields.extend(extra);
        }
        Ok(out)
    }
}
