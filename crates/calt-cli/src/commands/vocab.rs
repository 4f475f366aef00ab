//! `calt vocab`: the vocabulary with CALT's token ids.

use anyhow::Context;
use calt_core::native::load_lexer;
use std::path::PathBuf;
use std::process::ExitCode;

/// Print every token id and token (tab-separated) for a lexer.yaml, as CALT numbers them.
///
/// With --tokenizer-json, also write the HuggingFace tokenizer.json (and
/// special_tokens_map.json beside it).
#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  calt vocab --config configs/gf17_addition/lexer.yaml --tokenizer-json /tmp/tokenizer.json"
)]
pub struct VocabArgs {
    /// The lexer.yaml to use.
    #[arg(long, short)]
    config: PathBuf,
    /// Write tokenizer.json here.
    #[arg(long)]
    tokenizer_json: Option<PathBuf>,
}

pub fn run(args: VocabArgs) -> anyhow::Result<ExitCode> {
    let (_, _, tokenizer) = load_lexer(&args.config)?;
    let mut listing = String::new();
    for id in 0..tokenizer.vocab_size() as u32 {
        if let Some(token) = tokenizer.id_to_token(id) {
            let role = tokenizer
                .special_tokens()
                .iter()
                .find(|(_, t)| t.as_str() == token)
                .map(|(role, _)| format!("\t({role})"))
                .unwrap_or_default();
            listing.push_str(&format!("{id}\t{token}{role}\n"));
        }
    }
    print!("{listing}");
    eprintln!("{} ids", tokenizer.vocab_size());
    if let Some(path) = args.tokenizer_json {
        calt_core::native::write_atomically(&path, tokenizer.to_json()?.as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
        let map = path.with_file_name("special_tokens_map.json");
        calt_core::native::write_atomically(&map, tokenizer.special_tokens_map_json().as_bytes())?;
        eprintln!("wrote {} and {}", path.display(), map.display());
    }
    Ok(ExitCode::SUCCESS)
}
