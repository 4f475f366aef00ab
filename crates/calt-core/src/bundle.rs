//! The self-describing model bundle: one safetensors file whose header metadata carries the
//! model config, the lexer config and the tokenizer, so a trained model can be loaded from the
//! bytes alone (CLI, browser).
//!
//! Layout: standard safetensors (8-byte little-endian header length, JSON header, raw
//! little-endian tensor data). Header `__metadata__` keys:
//! - `format`: `"calt-bundle"`, `format_version`: `"1"`;
//! - `model_config`: JSON of [`ModelConfig`];
//! - `lexer_config`: JSON of the lexer configuration (`lexer.yaml` as loaded);
//! - `tokenizer`: the HuggingFace `tokenizer.json` text;
//! - `special_tokens_map`: role → token text (`special_tokens_map.json`);
//! - `train_info`: free-form JSON (step, epoch, source config), may be `{}`.
//!
//! Tensor names are the model's module paths (e.g. `encoder.0.self_attn.query.weight`);
//! Linear weights are stored `[in, out]` as burn keeps them.

use std::collections::HashMap;

use burn::store::{ModuleSnapshot, SafetensorsStore};
use burn::tensor::Device;
use safetensors::SafeTensors;
use safetensors::tensor::Metadata;

use crate::config::LexerConfig;
use crate::model::{ModelConfig, Seq2Seq};
use crate::tokenizer::CaltTokenizer;

pub const FORMAT: &str = "calt-bundle";
pub const FORMAT_VERSION: &str = "1";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("not a valid safetensors file: {0}")]
    NotSafetensors(String),
    #[error("not a calt bundle (metadata `format` is missing or not `{FORMAT}`)")]
    NotBundle,
    #[error("unsupported bundle version {0} (this build reads {FORMAT_VERSION})")]
    Version(String),
    #[error("bundle metadata `{key}` is missing or invalid: {reason}")]
    Metadata { key: &'static str, reason: String },
    #[error("could not build the model: {0}")]
    Model(#[from] crate::model::ModelError),
    #[error("weights: {0}")]
    Weights(String),
    #[error("tokenizer: {0}")]
    Tokenizer(#[from] crate::tokenizer::TokenizerError),
}

/// Everything in a bundle besides the weights.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleMeta {
    pub model_config: ModelConfig,
    pub lexer_config: serde_json::Value,
    pub tokenizer_json: String,
    /// Role → token text (`pad_token` → `[PAD]`, …).
    pub special_tokens: serde_json::Value,
    pub train_info: serde_json::Value,
}

impl BundleMeta {
    /// The metadata of a model that reads text with `lexer_config` and `tokenizer`.
    pub fn new(
        model_config: ModelConfig,
        lexer_config: &LexerConfig,
        tokenizer: &CaltTokenizer,
        train_info: serde_json::Value,
    ) -> Result<Self, BundleError> {
        let json = |key, value: serde_json::Result<serde_json::Value>| {
            value.map_err(|e| BundleError::Metadata {
                key,
                reason: e.to_string(),
            })
        };
        Ok(BundleMeta {
            model_config,
            lexer_config: json("lexer_config", serde_json::to_value(lexer_config))?,
            tokenizer_json: tokenizer.to_json()?,
            special_tokens: json(
                "special_tokens_map",
                serde_json::to_value(tokenizer.special_tokens()),
            )?,
            train_info,
        })
    }

    /// Metadata naming only the model: enough to store weights and read them back, not to run
    /// the model on text.
    pub fn model_only(model_config: ModelConfig) -> Self {
        BundleMeta {
            model_config,
            lexer_config: serde_json::json!({}),
            tokenizer_json: String::new(),
            special_tokens: serde_json::json!({}),
            train_info: serde_json::json!({}),
        }
    }
}

/// Serialises the model and its metadata into bundle bytes.
pub fn to_bytes(model: &Seq2Seq, meta: &BundleMeta) -> Result<Vec<u8>, BundleError> {
    let json = |v: &dyn erased::Json| v.to_json();
    let mut store = SafetensorsStore::from_bytes(None)
        .metadata("format", FORMAT)
        .metadata("format_version", FORMAT_VERSION)
        .metadata("model_config", json(&meta.model_config))
        .metadata("lexer_config", json(&meta.lexer_config))
        .metadata("tokenizer", meta.tokenizer_json.clone())
        .metadata("special_tokens_map", json(&meta.special_tokens))
        .metadata("train_info", json(&meta.train_info));
    model
        .save_into(&mut store)
        .map_err(|e| BundleError::Weights(e.to_string()))?;
    let bytes = store
        .get_bytes()
        .map_err(|e| BundleError::Weights(e.to_string()))?;
    with_sorted_metadata(bytes)
}

/// The safetensors writer serialises `__metadata__` from a hash map, so the same model would
/// give different bytes run to run; checksums, browser caches and "did anything change?" need
/// one file per model. Rewrites the header with its metadata keys sorted. Tensor entries keep
/// their order and their data offsets (relative to the data section, which is untouched).
fn with_sorted_metadata(bytes: Vec<u8>) -> Result<Vec<u8>, BundleError> {
    let (length, _) = header(&bytes)?;
    let (header_text, data) = bytes[8..].split_at(length);
    let mut header: serde_json::Value = serde_json::from_slice(header_text)
        .map_err(|e| BundleError::NotSafetensors(format!("header: {e}")))?;
    if let Some(meta) = header
        .as_object_mut()
        .and_then(|h| h.get_mut("__metadata__"))
        .and_then(|m| m.as_object_mut())
    {
        meta.sort_keys();
    }
    let mut text = serde_json::to_vec(&header)
        .map_err(|e| BundleError::NotSafetensors(format!("header: {e}")))?;
    // Keep the data section 8-byte aligned, as the writer did (spaces are valid JSON padding).
    text.resize(text.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + text.len() + data.len());
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(&text);
    out.extend_from_slice(data);
    Ok(out)
}

/// The validated safetensors header of `bytes` (header size within
/// [`crate::limits::MAX_BUNDLE_HEADER`], offsets inside the file) and its length in bytes.
fn header(bytes: &[u8]) -> Result<(usize, Metadata), BundleError> {
    SafeTensors::read_metadata(bytes).map_err(|e| BundleError::NotSafetensors(e.to_string()))
}

mod erased {
    pub trait Json {
        fn to_json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_else(|_| "null".into())
        }
    }
}

/// Reads the safetensors header metadata without touching the tensor data.
pub fn read_metadata(bytes: &[u8]) -> Result<HashMap<String, String>, BundleError> {
    let (_, metadata) = header(bytes)?;
    metadata.metadata().clone().ok_or(BundleError::NotBundle)
}

/// Tensor elements the header declares, summed (saturating): what the file can hold, known
/// before any tensor is read.
pub fn stored_elements(bytes: &[u8]) -> Result<u64, BundleError> {
    let (_, metadata) = header(bytes)?;
    Ok(metadata
        .tensors()
        .values()
        .map(|info| {
            info.shape
                .iter()
                .map(|&d| d as u64)
                .fold(1u64, u64::saturating_mul)
        })
        .fold(0u64, u64::saturating_add))
}

/// Parses the metadata of bundle bytes.
pub fn read_meta(bytes: &[u8]) -> Result<BundleMeta, BundleError> {
    let meta = read_metadata(bytes)?;
    if meta.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(BundleError::NotBundle);
    }
    match meta.get("format_version").map(String::as_str) {
        Some(FORMAT_VERSION) => {}
        other => return Err(BundleError::Version(other.unwrap_or("none").to_string())),
    }
    fn get<'a>(
        m: &'a HashMap<String, String>,
        key: &'static str,
    ) -> Result<&'a String, BundleError> {
        m.get(key).ok_or(BundleError::Metadata {
            key,
            reason: "missing".into(),
        })
    }
    fn parse<T: serde::de::DeserializeOwned>(
        m: &HashMap<String, String>,
        key: &'static str,
    ) -> Result<T, BundleError> {
        serde_json::from_str(get(m, key)?).map_err(|e| BundleError::Metadata {
            key,
            reason: e.to_string(),
        })
    }
    Ok(BundleMeta {
        model_config: parse(&meta, "model_config")?,
        lexer_config: parse(&meta, "lexer_config")?,
        tokenizer_json: get(&meta, "tokenizer")?.clone(),
        special_tokens: parse(&meta, "special_tokens_map")?,
        train_info: meta
            .get("train_info")
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or(serde_json::Value::Null),
    })
}

/// Loads weights from safetensors bytes into `model` (shapes and names must match exactly).
pub fn load_weights(model: &mut Seq2Seq, bytes: Vec<u8>) -> Result<(), BundleError> {
    let mut store = SafetensorsStore::from_bytes(Some(bytes));
    let result = model
        .load_from(&mut store)
        .map_err(|e| BundleError::Weights(e.to_string()))?;
    if !result.errors.is_empty() || !result.missing.is_empty() {
        return Err(BundleError::Weights(format!(
            "{} errors, missing tensors: {:?}",
            result.errors.len(),
            result.missing
        )));
    }
    Ok(())
}

/// Rebuilds the model from bundle bytes on `device`.
pub fn from_bytes(bytes: Vec<u8>, device: &Device) -> Result<(Seq2Seq, BundleMeta), BundleError> {
    let meta = read_meta(&bytes)?;
    let mut model = Seq2Seq::new(&meta.model_config, device)?;
    load_weights(&mut model, bytes)?;
    Ok((model, meta))
}
