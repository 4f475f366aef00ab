//! Evaluating a test file: the same reader, preprocessors, lexer, tokenizer, batching and
//! exact-match rule as `calt eval`, cut into batches so the caller can report progress.

use calt_core::data::{DataFormat, EncodedDataset, encode_split, format_bad_lines, read_split};
use calt_core::metrics::{EvalRecord, generation_accuracy};
use serde::Serialize;

use crate::error::PlaygroundError;
use crate::session::Session;

/// `calt eval`'s default, so that the browser batches exactly like the CLI.
pub const DEFAULT_BATCH_SIZE: usize = 64;

/// A test file parsed and encoded, with the order it will be generated in.
pub struct Prepared {
    pub data: EncodedDataset,
    /// Bad lines left out (only when skipping was asked for).
    pub skipped: usize,
    /// Sample indices sorted by problem length, as `calt eval` batches them (less padding).
    pub order: Vec<usize>,
}

/// Parses and encodes `text`; bad lines are an error unless `skip_bad_lines`.
pub fn prepare(
    session: &Session,
    file_name: &str,
    text: &str,
    skip_bad_lines: bool,
    limit: Option<usize>,
) -> Result<Prepared, PlaygroundError> {
    let (samples, mut bad) = read_split(file_name, text, DataFormat::from_path(file_name), limit);
    let (data, encode_bad) = encode_split(
        file_name,
        &samples,
        &session.preprocessors,
        &session.lexer,
        &session.tokenizer,
    );
    bad.extend(encode_bad);
    if !bad.is_empty() && !skip_bad_lines {
        return Err(PlaygroundError::BadLines {
            count: bad.len(),
            listing: format_bad_lines(&bad, 20),
        });
    }
    if data.is_empty() {
        return Err(PlaygroundError::NoSamples);
    }
    let mut order: Vec<usize> = (0..data.len()).collect();
    // Stable sort by length: the same order `calt_core::training::generate_all` uses.
    order.sort_by_key(|&i| data.samples[i].input_ids.len());
    Ok(Prepared {
        data,
        skipped: bad.len(),
        order,
    })
}

/// One evaluated sample, in file order.
#[derive(Clone, Debug, Serialize)]
pub struct SampleRecord {
    /// 1-based line in the test file.
    pub line: usize,
    pub problem: String,
    /// CALT's decoded texts (what `calt eval` writes to eval_results.json).
    pub reference: String,
    pub generated: String,
    pub correct: bool,
}

/// The result of a whole evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub accuracy: f64,
    pub correct: usize,
    pub total: usize,
    pub skipped: usize,
    pub seconds: f64,
    pub samples_per_second: f64,
    pub backend: String,
    pub records: Vec<SampleRecord>,
}

/// Turns generated ids (in file order) into records and the accuracy.
pub fn summarise(
    session: &Session,
    prepared: &Prepared,
    generated: &[Vec<u32>],
    seconds: f64,
    backend: &str,
) -> Summary {
    let data = &prepared.data;
    let records: Vec<SampleRecord> = generated
        .iter()
        .enumerate()
        .map(|(i, ids)| {
            let reference = session.tokenizer.decode_calt(&data.samples[i].target_ids);
            let generated = session.tokenizer.decode_calt(ids);
            SampleRecord {
                line: data.lines[i],
                problem: data.problems[i].clone(),
                correct: generated.trim() == reference.trim(),
                reference,
                generated,
            }
        })
        .collect();
    let pairs: Vec<EvalRecord> = records
        .iter()
        .map(|r| EvalRecord {
            generated: r.generated.clone(),
            reference: r.reference.clone(),
        })
        .collect();
    let correct = records.iter().filter(|r| r.correct).count();
    Summary {
        accuracy: generation_accuracy(&pairs),
        correct,
        total: records.len(),
        skipped: prepared.skipped,
        seconds,
        samples_per_second: records.len() as f64 / seconds.max(1e-9),
        backend: backend.to_string(),
        records,
    }
}
