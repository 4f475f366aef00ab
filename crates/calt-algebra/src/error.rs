//! Errors of the algebra crate.

use thiserror::Error;

/// Everything that can go wrong in parsing, arithmetic or sampling. User input never panics:
/// it ends up here.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AlgebraError {
    #[error("cannot parse {what} at position {pos} in `{text}`: {reason}")]
    Parse {
        what: &'static str,
        text: String,
        pos: usize,
        reason: String,
    },
    #[error("unsupported field `{0}` (expected ZZ, QQ or GF(p) with p prime)")]
    UnsupportedField(String),
    #[error("unknown monomial order `{0}` (expected lex, grlex or grevlex/degrevlex)")]
    UnknownOrder(String),
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    #[error("division by zero")]
    DivisionByZero,
    #[error("{0} is not exact in this ring")]
    InexactDivision(String),
    #[error("failed to generate a polynomial satisfying the conditions after {0} attempts")]
    SamplerExhausted(u32),
    #[error("input too large for {0}")]
    TooLarge(&'static str),
    #[error("unsupported task `{0}`")]
    UnknownTask(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, AlgebraError>;
