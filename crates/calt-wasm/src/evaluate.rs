//! Evaluating a test file in the page: calt-core's preparation, batch order and exact-match
//! scores ([`calt_core::evaluation`], as `calt eval` uses them), with the batches driven here so
//! that the page can report progress and await WebGPU reads.

use calt_core::evaluation::{LoadedModel, SampleScore, Scores, TestSet, generation_order};
use serde::Serialize;

use crate::error::PlaygroundError;

/// A test file encoded, with the order it will be generated in.
pub struct Prepared {
    pub test: TestSet,
    /// Sample indices in generation order (shortest problems first, as `calt eval` batches).
    pub order: Vec<usize>,
}

/// Parses and encodes `text`, keeping `limit` samples (all if `None`) after the first
/// `offset`; bad lines are an error unless `skip_bad_lines`.
pub fn prepare(
    model: &LoadedModel,
    file_name: &str,
    text: &str,
    skip_bad_lines: bool,
    offset: usize,
    limit: Option<usize>,
) -> Result<Prepared, PlaygroundError> {
    let end = limit.map(|limit| offset.saturating_add(limit));
    let mut test = model.prepare_test_set(file_name, text, end, skip_bad_lines)?;
    test.data.skip_first(offset);
    let order = generation_order(&test.inputs());
    Ok(Prepared { test, order })
}

/// The result of a whole evaluation, as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub accuracy: f64,
    pub correct: usize,
    pub total: usize,
    pub skipped: usize,
    pub seconds: f64,
    pub samples_per_second: f64,
    pub backend: String,
    /// In file order.
    pub records: Vec<SampleScore>,
}

/// Scores generated ids (in file order) against the prepared test set.
pub fn summarise(
    model: &LoadedModel,
    prepared: &Prepared,
    generated: &[Vec<u32>],
    seconds: f64,
    backend: &str,
) -> Summary {
    let scores = Scores::of(&model.tokenizer, &prepared.test.data, generated);
    Summary {
        accuracy: scores.accuracy,
        correct: scores.correct,
        total: scores.samples.len(),
        skipped: prepared.test.skipped,
        seconds,
        samples_per_second: scores.samples.len() as f64 / seconds.max(1e-9),
        backend: backend.to_string(),
        records: scores.samples,
    }
}
