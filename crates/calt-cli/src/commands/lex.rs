//! `calt lex`: show how the lexer splits text.

use anyhow::Context;
use calt_core::native::load_lexer;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Print the tokens of each TEXT (or of each line of standard input).
///
/// One output line per input line, tokens joined by single spaces. A strict-mode failure
/// prints the error to stderr and the command exits non-zero (other lines still print).
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  calt lex --config configs/gf17_addition/lexer.yaml \"6,13,15\"\n  \
    printf '852397\\n6630\\n' | calt lex --config configs/integer_factorization/lexer.yaml --json"
)]
pub struct LexArgs {
    /// The lexer.yaml to use.
    #[arg(long, short)]
    config: PathBuf,
    /// Print each line's tokens as a JSON array of strings.
    #[arg(long)]
    json: bool,
    /// Texts to lex; without any, lines are read from standard input.
    text: Vec<String>,
}

pub fn run(args: LexArgs) -> anyhow::Result<ExitCode> {
    let (_, lexer, _) = load_lexer(&args.config)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    let mut emit = |text: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        match lexer.tokenize(text) {
            Ok(tokens) if args.json => writeln!(out, "{}", serde_json::to_string(&tokens)?)?,
            Ok(tokens) => writeln!(out, "{}", tokens.join(" "))?,
            Err(e) => {
                out.flush()?;
                eprintln!("error: {e}");
                failed = true;
            }
        }
        Ok(())
    };
    if args.text.is_empty() {
        for line in std::io::stdin().lock().lines() {
            emit(&line.context("reading standard input")?, &mut out)?;
        }
    } else {
        for text in &args.text {
            emit(text, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
