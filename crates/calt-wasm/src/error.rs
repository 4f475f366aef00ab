//! Errors the playground reports to the page. Every failure a user can cause (a wrong file, a
//! bad line, an unknown token) ends here as a message, never as a panic.

use calt_core::bundle::BundleError;

#[derive(Debug, thiserror::Error)]
pub enum PlaygroundError {
    #[error("this file is not a usable calt model bundle: {0}")]
    Bundle(#[from] BundleError),
    #[error("the bundle's {part} is invalid: {reason}")]
    BundlePart { part: &'static str, reason: String },
    #[error(
        "{count} bad line(s) in the test file (tick \"skip bad lines\" to leave them out):\n{listing}"
    )]
    BadLines { count: usize, listing: String },
    #[error("the test file has no usable samples")]
    NoSamples,
    #[error("problem: {0}")]
    Problem(String),
    #[error("generation failed: {0}")]
    Generation(String),
    #[error("backend: {0}")]
    Backend(String),
    #[error("{0}")]
    Options(String),
}

impl PlaygroundError {
    pub(crate) fn part(part: &'static str, reason: impl std::fmt::Display) -> Self {
        Self::BundlePart {
            part,
            reason: reason.to_string(),
        }
    }
}
