//! One module per `calt` subcommand. Each exposes an `Args` struct (clap derive) and `run`.

pub mod bench;
pub mod bench_generate;
pub mod caltx;
pub mod data;
pub mod demo;
pub mod eval;
pub mod generate;
pub mod lex;
pub mod plot;
pub mod serve;
pub mod train;
pub mod vocab;
