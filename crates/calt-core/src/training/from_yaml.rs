//! `train.yaml`'s `model:` and `train:` blocks → [`ModelConfig`] and [`TrainSettings`].
//! A key we cannot honour is an error here, never a silent no-op.

use crate::config::{LrSchedulerType, ModelSection, ModelType, PositionalEmbedding, TrainSection};
use crate::model::{Activation, Architecture, ModelConfig, Positional};
use crate::tokenizer::SpecialIds;

use super::{AdamWSettings, ScheduleKind, TrainError, TrainSettings};

fn invalid(msg: impl Into<String>) -> TrainError {
    TrainError::Invalid(msg.into())
}

/// Builds the model config; ids and vocabulary size come from the tokenizer unless the
/// `model:` block overrides them (as in CALT).
pub fn model_config(
    m: &ModelSection,
    vocab_size: usize,
    ids: SpecialIds,
    train_seed: u64,
) -> Result<ModelConfig, TrainError> {
    if let Some(v) = m.vocab_size
        && v != vocab_size
    {
        return Err(invalid(format!(
            "model.vocab_size {v} does not match the tokenizer's {vocab_size} ids; remove the key"
        )));
    }
    let activation = match m.activation.to_ascii_lowercase().as_str() {
        "relu" => Activation::Relu,
        "gelu" => Activation::Gelu,
        other => {
            return Err(invalid(format!(
                "model.activation `{other}` is not supported (relu or gelu)"
            )));
        }
    };
    let architecture = match m.model_type {
        ModelType::Generic => Architecture::Generic,
        ModelType::Bart => Architecture::Bart,
        ModelType::DecoderOnly => Architecture::DecoderOnly,
        ModelType::EncoderClassifier => Architecture::EncoderClassifier,
    };
    let stacks = StackSizes::of(m, architecture)?;
    let positional = match m.use_positional_embedding {
        PositionalEmbedding::Generic => Positional::Learned,
        PositionalEmbedding::Sinusoidal => Positional::Sinusoidal,
        PositionalEmbedding::Rope => Positional::Rope,
        PositionalEmbedding::None => Positional::None,
    };
    if let Some(other) = m.input_embedding_type.as_deref().filter(|t| *t != "token") {
        return Err(invalid(format!(
            "model.input_embedding_type `{other}` is not calt-x's built-in `token` embedding; \
             a custom embedding registered in Python cannot be loaded here"
        )));
    }
    if architecture == Architecture::Bart && positional != Positional::Learned {
        return Err(invalid(
            "model_type bart always uses learned positions; remove use_positional_embedding",
        ));
    }
    let config = ModelConfig {
        architecture,
        vocab_size,
        d_model: m.d_model,
        encoder_layers: stacks.encoder.layers,
        encoder_heads: stacks.encoder.heads,
        encoder_ffn_dim: stacks.encoder.ffn_dim,
        decoder_layers: stacks.decoder.layers,
        decoder_heads: stacks.decoder.heads,
        decoder_ffn_dim: stacks.decoder.ffn_dim,
        max_positions: ModelConfig::positions_for(architecture, m.max_sequence_length),
        positional,
        dropout: m.dropout,
        activation,
        init_std: m.init_std,
        embedding_layer_norm: m.embedding_layer_norm,
        pad_id: m.pad_token_id.unwrap_or(ids.pad),
        bos_id: m.bos_token_id.unwrap_or(ids.bos),
        eos_id: m.eos_token_id.unwrap_or(ids.eos),
        seed: m.seed.unwrap_or(train_seed),
    };
    config.validate()?;
    Ok(config)
}

/// The sizes of one layer stack.
#[derive(Clone, Copy)]
struct Stack {
    layers: usize,
    heads: usize,
    ffn_dim: usize,
}

/// The encoder and decoder stacks a `model:` block asks for. A family without one of them
/// gets a copy of the other's sizes with no layers, so that every size check still holds.
struct StackSizes {
    encoder: Stack,
    decoder: Stack,
}

impl StackSizes {
    fn of(m: &ModelSection, architecture: Architecture) -> Result<Self, TrainError> {
        let required = |value: Option<usize>, key: &str| {
            value.ok_or_else(|| {
                invalid(format!(
                    "model.{key} is required for model_type {}",
                    architecture.name()
                ))
            })
        };
        let encoder = || -> Result<Stack, TrainError> {
            Ok(Stack {
                layers: required(m.num_encoder_layers, "num_encoder_layers")?,
                heads: required(m.num_encoder_heads, "num_encoder_heads")?,
                ffn_dim: required(m.encoder_ffn_dim, "encoder_ffn_dim")?,
            })
        };
        let none = |stack: Stack| Stack { layers: 0, ..stack };
        Ok(match architecture {
            Architecture::Generic | Architecture::Bart => Self {
                encoder: encoder()?,
                decoder: Stack {
                    layers: required(m.num_decoder_layers, "num_decoder_layers")?,
                    heads: required(m.num_decoder_heads, "num_decoder_heads")?,
                    ffn_dim: required(m.decoder_ffn_dim, "decoder_ffn_dim")?,
                },
            },
            Architecture::EncoderClassifier => {
                let encoder = encoder()?;
                Self {
                    encoder,
                    decoder: none(encoder),
                }
            }
            // calt-x's fallbacks and defaults (6 layers, 8 heads, 2048 wide).
            Architecture::DecoderOnly => {
                let decoder = Stack {
                    layers: m.num_layers.or(m.num_decoder_layers).unwrap_or(6),
                    heads: m
                        .num_heads
                        .or(m.num_decoder_heads)
                        .or(m.num_encoder_heads)
                        .unwrap_or(8),
                    ffn_dim: m
                        .ffn_dim
                        .or(m.decoder_ffn_dim)
                        .or(m.encoder_ffn_dim)
                        .unwrap_or(2048),
                };
                Self {
                    encoder: none(decoder),
                    decoder,
                }
            }
        })
    }
}

/// Builds the optimisation settings from the `train:` block.
pub fn train_settings(t: &TrainSection) -> Result<TrainSettings, TrainError> {
    if let Some(opt) = &t.optimizer {
        let o = opt.to_ascii_lowercase();
        if !matches!(
            o.as_str(),
            "adamw" | "adamw_torch" | "adamw_torch_fused" | "adamw_hf"
        ) {
            return Err(invalid(format!(
                "train.optimizer `{opt}` is not supported (only AdamW: adamw_torch, adamw_torch_fused)"
            )));
        }
    }
    if t.batch_size == 0 || t.test_batch_size == 0 {
        return Err(invalid(
            "train.batch_size and train.test_batch_size must be positive",
        ));
    }
    if !(t.learning_rate.is_finite() && t.learning_rate >= 0.0) {
        return Err(invalid(format!(
            "train.learning_rate {} is invalid",
            t.learning_rate
        )));
    }
    if !(0.0..=1.0).contains(&t.warmup_ratio) {
        return Err(invalid(format!(
            "train.warmup_ratio {} must be in [0, 1]",
            t.warmup_ratio
        )));
    }
    if t.gradient_accumulation_steps == 0 {
        return Err(invalid(
            "train.gradient_accumulation_steps must be at least 1",
        ));
    }
    if t.num_train_epochs.is_nan() || t.num_train_epochs <= 0.0 {
        return Err(invalid("train.num_train_epochs must be positive"));
    }
    Ok(TrainSettings {
        epochs: t.num_train_epochs,
        batch_size: t.batch_size,
        accumulation: t.gradient_accumulation_steps,
        learning_rate: t.learning_rate,
        schedule: match t.lr_scheduler_type {
            LrSchedulerType::Linear => ScheduleKind::Linear,
            LrSchedulerType::Constant => ScheduleKind::Constant,
        },
        warmup_ratio: t.warmup_ratio,
        adamw: AdamWSettings {
            weight_decay: t.weight_decay,
            max_grad_norm: (t.max_grad_norm > 0.0).then_some(t.max_grad_norm),
            ..AdamWSettings::default()
        },
        seed: t.seed,
        bucket_by_length: t.group_by_length.unwrap_or(true),
    })
}
