//! Datasets: CALT's `problem # answer` text files, `{"problem", "answer"}` JSONL and
//! pre-tokenized `{"input_ids", "target_ids"}` JSONL, load preprocessors, and encoding to token
//! ids once up front (CALT re-lexes every epoch).
//!
//! Unlike CALT nothing is dropped silently: every line that cannot become a training pair
//! (no `#`, an empty side, a character the lexer rejects, a token outside the vocabulary) is
//! a [`BadLine`] naming file, line, reason and text. Callers decide whether bad lines are
//! fatal (the default) or skipped with a count.

mod encode;
mod expanded_form;
mod preprocess;
mod pretokenized;
mod reader;

pub use encode::{EncodedDataset, EncodedSample, encode_file, encode_split};
pub use expanded_form::{ExpandedForm, MonomialOrder};
pub use preprocess::{LoadPreprocessor, PreprocessError, Preprocessors};
pub use reader::{DataFormat, TextSample, read_split, render_value};

use std::fmt;

/// A line that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub file: String,
    /// 1-based line number in the file.
    pub line: usize,
    pub reason: String,
    /// The offending line (shortened when very long).
    pub text: String,
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.reason, self.text
        )
    }
}

impl BadLine {
    pub(crate) fn new(file: &str, line: usize, reason: impl Into<String>, text: &str) -> Self {
        const MAX: usize = 120;
        let text = if text.chars().count() > MAX {
            let cut: String = text.chars().take(MAX - 3).collect();
            format!("{cut}...")
        } else {
            text.to_string()
        };
        Self {
            file: file.to_string(),
            line,
            reason: reason.into(),
            text,
        }
    }
}

/// How many bad lines a report prints before summarising the rest.
pub const BAD_LINES_SHOWN: usize = 20;

/// Formats bad lines for a report: the first `limit` in full, then a count of the rest.
pub fn format_bad_lines(bad: &[BadLine], limit: usize) -> String {
    let mut out: Vec<String> = bad.iter().take(limit).map(ToString::to_string).collect();
    if bad.len() > limit {
        out.push(format!("... and {} more bad lines", bad.len() - limit));
    }
    out.join("\n")
}
