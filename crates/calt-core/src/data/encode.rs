//! Preprocess, lex and tokenise a split once, keeping the texts for evaluation and reports.

use super::pretokenized::{is_pretokenized, read_pretokenized};
use super::{BadLine, DataFormat, Preprocessors, TextSample, read_split};
use crate::lexer::Lexer;
use crate::tokenizer::{CaltTokenizer, TokenizerError};

/// Token ids of one pair, both as `[bos, …, eos]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EncodedSample {
    pub input_ids: Vec<u32>,
    pub target_ids: Vec<u32>,
}

/// A split ready for training or evaluation. All vectors have one entry per sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EncodedDataset {
    pub samples: Vec<EncodedSample>,
    /// Problem text after load preprocessing (what was lexed).
    pub problems: Vec<String>,
    /// Answer text after load preprocessing.
    pub answers: Vec<String>,
    /// 1-based line of each sample in its file.
    pub lines: Vec<usize>,
}

impl EncodedDataset {
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The encoder inputs of the first `n` samples (all if fewer).
    pub fn inputs(&self, n: usize) -> Vec<&[u32]> {
        self.samples
            .iter()
            .take(n)
            .map(|s| s.input_ids.as_slice())
            .collect()
    }

    /// The first `n` samples (all if fewer) as `(input ids, target ids)` pairs for training.
    pub fn pairs(&self, n: usize) -> Vec<(Vec<u32>, Vec<u32>)> {
        self.samples
            .iter()
            .take(n)
            .map(|s| (s.input_ids.clone(), s.target_ids.clone()))
            .collect()
    }
}

/// Reads and encodes a split file's `text` (up to `limit` samples): `problem # answer`
/// lines, or JSONL when `file` ends in `.jsonl`, of texts or of token ids (see
/// [`super::pretokenized`]). Lines that cannot become a sample are returned in line order.
pub fn encode_file(
    file: &str,
    text: &str,
    limit: Option<usize>,
    preprocessors: &Preprocessors,
    lexer: &Lexer,
    tokenizer: &CaltTokenizer,
) -> (EncodedDataset, Vec<BadLine>) {
    let format = DataFormat::from_path(file);
    if format == DataFormat::Jsonl && is_pretokenized(text) {
        return read_pretokenized(file, text, limit, tokenizer);
    }
    let (samples, mut bad) = read_split(file, text, format, limit);
    let (dataset, encode_bad) = encode_split(file, &samples, preprocessors, lexer, tokenizer);
    bad.extend(encode_bad);
    bad.sort_by_key(|b| b.line);
    (dataset, bad)
}

/// Encodes `samples`; a pair that fails any step becomes a [`BadLine`] instead.
pub fn encode_split(
    file: &str,
    samples: &[TextSample],
    preprocessors: &Preprocessors,
    lexer: &Lexer,
    tokenizer: &CaltTokenizer,
) -> (EncodedDataset, Vec<BadLine>) {
    let mut dataset = EncodedDataset::default();
    let mut bad = Vec::new();
    for sample in samples {
        match encode_one(sample, preprocessors, lexer, tokenizer) {
            Ok((encoded, problem, answer)) => {
                dataset.samples.push(encoded);
                dataset.problems.push(problem);
                dataset.answers.push(answer);
                dataset.lines.push(sample.line);
            }
            Err(reason) => {
                let text = format!("{} # {}", sample.problem, sample.answer);
                bad.push(BadLine::new(file, sample.line, reason, &text));
            }
        }
    }
    (dataset, bad)
}

fn encode_one(
    sample: &TextSample,
    preprocessors: &Preprocessors,
    lexer: &Lexer,
    tokenizer: &CaltTokenizer,
) -> Result<(EncodedSample, String, String), String> {
    let (problem, answer) = preprocessors
        .apply(&sample.problem, &sample.answer)
        .map_err(|e| format!("load preprocessor: {e}"))?;
    let ids = |side: &str, text: &str| -> Result<Vec<u32>, String> {
        let tokens = lexer.tokenize(text).map_err(|e| format!("{side}: {e}"))?;
        // CALT's token validation: every token must be a vocabulary or special token (the
        // tokenizer alone would map it to `<unk>` when that is in the vocabulary).
        if let Some(token) = tokens
            .iter()
            .find(|t| !t.is_empty() && !lexer.vocabulary().contains(t))
        {
            return Err(format!("{side}: token `{token}` is not in the vocabulary"));
        }
        tokenizer.encode_tokens(&tokens).map_err(|e| match e {
            TokenizerError::OutOfVocabulary(token) => {
                format!("{side}: token `{token}` is not in the vocabulary")
            }
            other => format!("{side}: {other}"),
        })
    };
    let encoded = EncodedSample {
        input_ids: ids("problem", &problem)?,
        target_ids: ids("answer", &answer)?,
    };
    Ok((encoded, problem, answer))
}
