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

/// Parses and encodes `text` (at most `limit` samples); with `lines` (`[start, end)`, 0-based)
/// only those lines, one worker's share of the file, which may hold no sample. Bad lines are
/// an error unless `skip_bad_lines`.
pub fn prepare(
    model: &LoadedModel,
    file_name: &str,
    text: &str,
    skip_bad_lines: bool,
    lines: Option<[usize; 2]>,
    limit: Option<usize>,
) -> Result<Prepared, PlaygroundError> {
    let test = match lines {
        Some([start, end]) => {
            let part = lines_part(text, start, end);
            model.prepare_test_part(file_name, &part, limit, skip_bad_lines)?
        }
        None => model.prepare_test_set(file_name, text, limit, skip_bad_lines)?,
    };
    let order = generation_order(&test.inputs());
    Ok(Prepared { test, order })
}

/// `text` with every line outside `start..end` left empty: a share of the file whose samples
/// keep the file's line numbers (the readers skip empty lines).
fn lines_part(text: &str, start: usize, end: usize) -> String {
    // A file has at most one line per byte, plus one.
    let start = start.min(text.len() + 1);
    let mut part = "\n".repeat(start);
    for line in text.lines().skip(start).take(end.saturating_sub(start)) {
        part.push_str(line);
        part.push('\n');
    }
    part
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
