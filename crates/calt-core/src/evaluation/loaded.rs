//! A bundle rebuilt into everything that runs it on new text, and test files prepared for it.

use burn::tensor::Device;
use indexmap::IndexMap;

use super::EvaluationError;
use crate::bundle::{self, BundleMeta};
use crate::config::{LexerConfig, LoadPreprocessorSpec};
use crate::data::{BAD_LINES_SHOWN, EncodedDataset, Preprocessors, encode_file, format_bad_lines};
use crate::lexer::Lexer;
use crate::model::{ModelConfig, Seq2Seq};
use crate::tokenizer::CaltTokenizer;

/// The model on its device with the lexer, tokenizer and load preprocessors stored beside the
/// weights.
pub struct LoadedModel {
    pub model: Seq2Seq,
    pub lexer: Lexer,
    pub tokenizer: CaltTokenizer,
    pub preprocessors: Preprocessors,
    pub meta: BundleMeta,
}

/// A test file encoded for a model.
pub struct TestSet {
    pub data: EncodedDataset,
    /// Bad lines left out (only when skipping was asked for).
    pub skipped: usize,
}

impl TestSet {
    /// The encoder inputs, in file order.
    pub fn inputs(&self) -> Vec<&[u32]> {
        self.data.inputs(self.data.len())
    }
}

impl LoadedModel {
    /// Rebuilds everything from bundle bytes. The metadata is parsed and checked before any
    /// weight is allocated, so a wrong file fails with a message instead of exhausting memory
    /// (in wasm an allocation failure aborts the module).
    pub fn from_bundle(bytes: Vec<u8>, device: &Device) -> Result<Self, EvaluationError> {
        let meta = bundle::read_meta(&bytes)?;
        check_size_is_plausible(&meta.model_config, &bytes)?;
        let lexer_config: LexerConfig = serde_json::from_value(meta.lexer_config.clone())
            .map_err(|e| EvaluationError::part("lexer config", e))?;
        let lexer = Lexer::new(&lexer_config).map_err(|e| EvaluationError::part("lexer", e))?;
        let specials: IndexMap<String, String> =
            serde_json::from_value(meta.special_tokens.clone())
                .map_err(|e| EvaluationError::part("special tokens", e))?;
        let tokenizer = CaltTokenizer::from_json(&meta.tokenizer_json, specials)
            .map_err(|e| EvaluationError::part("tokenizer", e))?;
        if tokenizer.vocab_size() > meta.model_config.vocab_size {
            return Err(EvaluationError::part(
                "model config",
                format!(
                    "the tokenizer has {} ids but the model only {}",
                    tokenizer.vocab_size(),
                    meta.model_config.vocab_size
                ),
            ));
        }
        let preprocessors = preprocessors(&meta)?;
        let mut model =
            Seq2Seq::new(&meta.model_config, device).map_err(bundle::BundleError::from)?;
        bundle::load_weights(&mut model, bytes)?;
        Ok(Self {
            model,
            lexer,
            tokenizer,
            preprocessors,
            meta,
        })
    }

    /// Reads and encodes a test file (`problem # answer` lines, or JSONL of texts or token ids
    /// when `file` ends in `.jsonl`). Bad lines are an error listing them unless
    /// `skip_bad_lines`; a file with no usable sample is an error either way.
    pub fn prepare_test_set(
        &self,
        file: &str,
        text: &str,
        limit: Option<usize>,
        skip_bad_lines: bool,
    ) -> Result<TestSet, EvaluationError> {
        let test = self.prepare_test_part(file, text, limit, skip_bad_lines)?;
        if test.data.is_empty() {
            return Err(EvaluationError::NoSamples {
                file: file.to_string(),
            });
        }
        Ok(test)
    }

    /// [`Self::prepare_test_set`] for a part of a file (one of several workers' shares), which
    /// may hold no usable sample.
    pub fn prepare_test_part(
        &self,
        file: &str,
        text: &str,
        limit: Option<usize>,
        skip_bad_lines: bool,
    ) -> Result<TestSet, EvaluationError> {
        let (data, bad) = encode_file(
            file,
            text,
            limit,
            &self.preprocessors,
            &self.lexer,
            &self.tokenizer,
        );
        if !bad.is_empty() && !skip_bad_lines {
            return Err(EvaluationError::BadLines {
                count: bad.len(),
                listing: format_bad_lines(&bad, BAD_LINES_SHOWN),
            });
        }
        Ok(TestSet {
            data,
            skipped: bad.len(),
        })
    }

    /// Token ids (`[bos, …, eos]`) of one typed problem, through the same load preprocessors,
    /// lexer and vocabulary check as a test file's problems.
    pub fn encode_problem(&self, problem: &str) -> Result<Vec<u32>, EvaluationError> {
        let problem = problem.trim();
        if problem.is_empty() {
            return Err(EvaluationError::Problem("empty".into()));
        }
        // Preprocessors rewrite (problem, answer) pairs; the problem itself stands in for the
        // unknown answer and only the problem side is kept.
        let (problem, _) = self
            .preprocessors
            .apply(problem, problem)
            .map_err(|e| EvaluationError::Problem(format!("load preprocessor: {e}")))?;
        let tokens = self
            .lexer
            .tokenize(&problem)
            .map_err(|e| EvaluationError::Problem(e.to_string()))?;
        if let Some(t) = tokens
            .iter()
            .find(|t| !t.is_empty() && !self.lexer.vocabulary().contains(t))
        {
            return Err(EvaluationError::Problem(format!(
                "token `{t}` is not in the vocabulary"
            )));
        }
        self.tokenizer
            .encode_tokens(&tokens)
            .map_err(|e| EvaluationError::Problem(e.to_string()))
    }

    /// A summary for a page: model sizes and what the bundle says about its training.
    pub fn info(&self) -> serde_json::Value {
        serde_json::json!({
            "model_config": self.meta.model_config,
            "vocab_size": self.tokenizer.vocab_size(),
            "preprocessors": self.preprocessors.describe(),
            "train_info": self.meta.train_info,
        })
    }
}

fn preprocessors(meta: &BundleMeta) -> Result<Preprocessors, EvaluationError> {
    let spec: Option<LoadPreprocessorSpec> = meta
        .train_info
        .get("dataset_load_preprocessor")
        .cloned()
        .map(serde_json::from_value)
        .transpose()
        .map_err(|e| EvaluationError::part("load preprocessor", e))?
        .flatten();
    Preprocessors::from_spec(spec.as_ref())
        .map_err(|e| EvaluationError::part("load preprocessor", e))
}

/// Rejects a config whose embeddings alone need more numbers than the file stores: building
/// such a model would allocate before the weight check could fail.
fn check_size_is_plausible(config: &ModelConfig, bytes: &[u8]) -> Result<(), EvaluationError> {
    let stored = bundle::stored_elements(bytes)?;
    let needed = (config.vocab_size as u128) * (config.d_model as u128);
    if needed > stored as u128 {
        return Err(EvaluationError::part(
            "model config",
            format!(
                "vocab_size {} × d_model {} needs more weights than the file holds ({stored} numbers)",
                config.vocab_size, config.d_model
            ),
        ));
    }
    Ok(())
}
