//! Errors the playground reports to the page. Every failure a user can cause (a wrong file, a
//! bad line, an unknown token) ends here as a message, never as a panic.

use calt_core::bundle::BundleError;
use calt_core::evaluation::EvaluationError;

#[derive(Debug, thiserror::Error)]
pub enum PlaygroundError {
    #[error("this file is not a usable calt model bundle: {0}")]
    Bundle(#[from] BundleError),
    #[error(
        "{count} bad line(s) in the test file (tick \"skip bad lines\" to leave them out):\n{listing}"
    )]
    BadLines { count: usize, listing: String },
    #[error("{0}")]
    Evaluation(EvaluationError),
    #[error("generation failed: {0}")]
    Generation(String),
    #[error("backend: {0}")]
    Backend(String),
    #[error("{0}")]
    Options(String),
}

impl From<EvaluationError> for PlaygroundError {
    fn from(e: EvaluationError) -> Self {
        match e {
            EvaluationError::Bundle(e) => Self::Bundle(e),
            EvaluationError::BadLines { count, listing } => Self::BadLines { count, listing },
            other => Self::Evaluation(other),
        }
    }
}
