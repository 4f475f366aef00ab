//! calt-core: everything calt does that does not touch the file system or threads, so it
//! builds for native targets and for `wasm32-unknown-unknown` alike.
//!
//! Data flow: [`config`] → [`lexer`] → [`tokenizer`] → [`data`] (encoded samples) → [`model`]
//! → [`training`] / [`generation`] → [`metrics`], with [`bundle`] holding a trained model.
//! File-system helpers for the CLI live in [`native`] (not compiled for wasm32).

#[cfg(not(target_arch = "wasm32"))]
pub mod benchmark;
pub mod bundle;
pub mod caltx;
pub mod config;
pub mod data;
pub mod evaluation;
pub mod execution;
pub mod generation;
pub mod lexer;
pub mod limits;
pub mod metrics;
pub mod model;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod tokenizer;
pub mod training;
