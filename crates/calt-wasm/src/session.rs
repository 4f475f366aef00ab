//! A loaded bundle: the model on its device plus the lexer, tokenizer and load preprocessors
//! stored beside the weights, rebuilt exactly as `calt eval` rebuilds them.

use burn::tensor::Device;
use calt_core::bundle::{self, BundleMeta};
use calt_core::config::{LexerConfig, LoadPreprocessorSpec};
use calt_core::data::Preprocessors;
use calt_core::lexer::Lexer;
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::tokenizer::CaltTokenizer;
use indexmap::IndexMap;

use crate::error::PlaygroundError;

pub struct Session {
    pub model: Seq2Seq,
    pub lexer: Lexer,
    pub tokenizer: CaltTokenizer,
    pub preprocessors: Preprocessors,
    pub meta: BundleMeta,
    pub device: Device,
}

impl Session {
    /// Rebuilds everything from bundle bytes. The metadata is parsed and checked before any
    /// weight is allocated, so a wrong file fails fast with a message instead of exhausting
    /// the page's memory.
    pub fn from_bytes(bytes: Vec<u8>, device: Device) -> Result<Self, PlaygroundError> {
        let meta = bundle::read_meta(&bytes)?;
        check_size_is_plausible(&meta.model_config, &bytes)?;
        let lexer_config: LexerConfig = serde_json::from_value(meta.lexer_config.clone())
            .map_err(|e| PlaygroundError::part("lexer config", e))?;
        let lexer = Lexer::new(&lexer_config).map_err(|e| PlaygroundError::part("lexer", e))?;
        let specials: IndexMap<String, String> =
            serde_json::from_value(meta.special_tokens.clone())
                .map_err(|e| PlaygroundError::part("special tokens", e))?;
        let tokenizer = CaltTokenizer::from_json(&meta.tokenizer_json, specials)
            .map_err(|e| PlaygroundError::part("tokenizer", e))?;
        if tokenizer.vocab_size() > meta.model_config.vocab_size {
            return Err(PlaygroundError::part(
                "model config",
                format!(
                    "the tokenizer has {} ids but the model only {}",
                    tokenizer.vocab_size(),
                    meta.model_config.vocab_size
                ),
            ));
        }
        let preprocessors = preprocessors(&meta)?;
        let (model, meta) = bundle::from_bytes(bytes, &device)?;
        Ok(Self {
            model,
            lexer,
            tokenizer,
            preprocessors,
            meta,
            device,
        })
    }

    /// Token ids (`[bos, …, eos]`) of one typed problem, through the same load preprocessors,
    /// lexer and vocabulary check as a test file's problems.
    pub fn encode_problem(&self, problem: &str) -> Result<Vec<u32>, PlaygroundError> {
        let problem = problem.trim();
        if problem.is_empty() {
            return Err(PlaygroundError::Problem("empty".into()));
        }
        // Preprocessors rewrite (problem, answer) pairs; the problem itself stands in for the
        // unknown answer and only the problem side is kept.
        let (problem, _) = self
            .preprocessors
            .apply(problem, problem)
            .map_err(|e| PlaygroundError::Problem(format!("load preprocessor: {e}")))?;
        let tokens = self
            .lexer
            .tokenize(&problem)
            .map_err(|e| PlaygroundError::Problem(e.to_string()))?;
        if let Some(t) = tokens
            .iter()
            .find(|t| !t.is_empty() && !self.lexer.vocabulary().contains(t))
        {
            return Err(PlaygroundError::Problem(format!(
                "token `{t}` is not in the vocabulary"
            )));
        }
        self.tokenizer
            .encode_tokens(&tokens)
            .map_err(|e| PlaygroundError::Problem(e.to_string()))
    }

    /// A summary for the page: model sizes and what the bundle says about its training.
    pub fn info(&self) -> serde_json::Value {
        serde_json::json!({
            "model_config": self.meta.model_config,
            "vocab_size": self.tokenizer.vocab_size(),
            "preprocessors": self.preprocessors.describe(),
            "train_info": self.meta.train_info,
        })
    }
}

fn preprocessors(meta: &BundleMeta) -> Result<Preprocessors, PlaygroundError> {
    let spec: Option<LoadPreprocessorSpec> = meta
        .train_info
        .get("dataset_load_preprocessor")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| PlaygroundError::part("load preprocessor", e))?
        .flatten();
    Preprocessors::from_spec(spec.as_ref())
        .map_err(|e| PlaygroundError::part("load preprocessor", e))
}

/// Rejects a config whose embeddings alone need more numbers than the file stores: building
/// such a model would allocate before the weight check could fail (and in wasm an allocation
/// failure aborts the module).
fn check_size_is_plausible(config: &ModelConfig, bytes: &[u8]) -> Result<(), PlaygroundError> {
    let stored = stored_elements(bytes);
    let needed = (config.vocab_size as u128) * (config.d_model as u128);
    if needed > stored as u128 {
        return Err(PlaygroundError::part(
            "model config",
            format!(
                "vocab_size {} × d_model {} needs more weights than the file holds ({stored} numbers)",
                config.vocab_size, config.d_model
            ),
        ));
    }
    Ok(())
}

/// Numbers declared by the safetensors header (0 if it cannot be read; `read_meta` has already
/// reported a broken header by then).
fn stored_elements(bytes: &[u8]) -> u64 {
    let Some(len) = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
    else {
        return 0;
    };
    let Some(header) = usize::try_from(len)
        .ok()
        .and_then(|len| bytes.get(8..8usize.checked_add(len)?))
    else {
        return 0;
    };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(header)
    else {
        return 0;
    };
    map.iter()
        .filter(|(k, _)| *k != "__metadata__")
        .filter_map(|(_, v)| v.get("shape")?.as_array().cloned())
        .map(|shape| {
            shape
                .iter()
                .map(|d| d.as_u64().unwrap_or(0))
                .fold(1u64, u64::saturating_mul)
        })
        .fold(0u64, u64::saturating_add)
}
