//! One evaluation for every front end (`calt eval`, `calt train`, `calt bench`, the browser):
//!
//! 1. [`LoadedModel::from_bundle`]: a bundle's model with the lexer, tokenizer and load
//!    preprocessors it was trained with;
//! 2. [`LoadedModel::prepare_test_set`]: a test file read, preprocessed, lexed and encoded as
//!    training encodes its splits, bad lines reported with file and line;
//! 3. generation in [`generation_order`] (shortest problems first, so batches pad little), by
//!    [`crate::training::generate_all`] natively or the browser's own awaiting loop;
//! 4. [`Scores::of`]: exact match of the generated token ids against the reference's, with
//!    CALT's decoded text kept for its eval files.

mod loaded;
#[cfg(not(target_arch = "wasm32"))]
mod run;
mod scores;

pub use loaded::{LoadedModel, TestSet};
#[cfg(not(target_arch = "wasm32"))]
pub use run::{EvaluationOptions, EvaluationReport, evaluate};
pub use scores::{LengthScore, SampleScore, Scores};

use crate::bundle::BundleError;

/// Samples generated together unless the caller says otherwise (`calt eval`'s default).
pub const DEFAULT_BATCH_SIZE: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum EvaluationError {
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("the bundle's {part} is invalid: {reason}")]
    BundlePart { part: &'static str, reason: String },
    #[error("{count} bad line(s):\n{listing}")]
    BadLines { count: usize, listing: String },
    #[error("{file}: the test set has no usable samples")]
    NoSamples { file: String },
    #[error("problem: {0}")]
    Problem(String),
}

impl EvaluationError {
    fn part(part: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::BundlePart {
            part,
            reason: reason.to_string(),
        }
    }
}

/// Sample indices sorted by problem length (stable): the order batches are generated in.
pub fn generation_order(inputs: &[&[u32]]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| inputs[i].len());
    order
}
