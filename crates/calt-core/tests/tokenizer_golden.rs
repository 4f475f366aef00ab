//! Token ids against CALT's own tokenizer files for every example task.

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use calt_core::config::LexerConfig;
use calt_core::lexer::Lexer;
use calt_core::native::load_yaml;
use calt_core::tokenizer::CaltTokenizer;
use indexmap::IndexMap;
use serde_json::Value;
use std::path::PathBuf;

const TASKS: [&str; 8] = [
    "demos",
    "eigvec_3x3",
    "gf17_addition",
    "integer_factorization",
    "integer_polynomial_factorization",
    "polynomial_addition",
    "polynomial_reduction",
    "rational_polynomial_factorization",
];

fn golden(task: &str, file: &str) -> PathBuf {
    common::data(&format!("tokenizer_golden/{task}/{file}"))
}

fn build(task: &str) -> (Lexer, CaltTokenizer) {
    let path = common::example_lexer_path(&format!("examples/{task}/configs/lexer.yaml"));
    let config: LexerConfig = load_yaml(&path).unwrap();
    let lexer = Lexer::new(&config).unwrap();
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
    (lexer, tokenizer)
}

fn golden_tokenizer(task: &str) -> CaltTokenizer {
    let json = std::fs::read_to_string(golden(task, "tokenizer.json")).unwrap();
    let map: IndexMap<String, String> = serde_json::from_str(
        &std::fs::read_to_string(golden(task, "special_tokens_map.json")).unwrap(),
    )
    .unwrap();
    CaltTokenizer::from_json(&json, map).unwrap()
}

#[test]
fn every_id_equals_calts() {
    for task in TASKS {
        let (_, tokenizer) = build(task);
        let listing = std::fs::read_to_string(golden(task, "vocab_list.txt")).unwrap();
        let mut n = 0;
        for line in listing.lines() {
            let (id, token) = line.split_once('\t').unwrap();
            let id: u32 = id.parse().unwrap();
            assert_eq!(tokenizer.token_to_id(token), Some(id), "{task}: {token}");
            n += 1;
        }
        // Model vocabulary = extended vocabulary + the four base special tokens.
        assert_eq!(tokenizer.vocab_size(), n + 4, "{task}");
        let specials = tokenizer.special_ids();
        assert_eq!(
            (specials.pad, specials.bos, specials.eos),
            (n as u32, n as u32 + 1, n as u32 + 2),
            "{task}"
        );
        // CALT's own saved tokenizer.json loads and agrees on every id.
        let theirs = golden_tokenizer(task);
        assert_eq!(theirs.vocab_size(), tokenizer.vocab_size(), "{task}");
        assert_eq!(theirs.special_ids(), specials, "{task}");
    }
}

#[test]
fn sample_encodings_and_decodings_equal_calts() {
    for task in TASKS {
        let path = golden(task, "sample_encodings.jsonl");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue; // only the tasks with sample data have encodings
        };
        let (lexer, tokenizer) = build(task);
        let reloaded = CaltTokenizer::from_json(
            &tokenizer.to_json().unwrap(),
            tokenizer.special_tokens().clone(),
        )
        .unwrap();
        for line in text.lines() {
            let r: Value = serde_json::from_str(line).unwrap();
            for (side, tokens_key, ids_key) in [
                ("input", "input_tokens", "input_ids"),
                ("target", "target_tokens", "target_ids"),
            ] {
                let tokens = lexer.tokenize(r[side].as_str().unwrap()).unwrap();
                assert_eq!(tokens.join(" "), r[tokens_key].as_str().unwrap(), "{task}");
                let ids = tokenizer.encode_tokens(&tokens).unwrap();
                let expected: Vec<u32> = serde_json::from_value(r[ids_key].clone()).unwrap();
                assert_eq!(ids, expected, "{task} {side}");
                // The fast path equals the tokenizers pipeline, before and after a save/load.
                assert_eq!(tokenizer.encode_text(&tokens.join(" ")).unwrap(), ids);
                assert_eq!(reloaded.encode_tokens(&tokens).unwrap(), ids);
            }
            let target_ids: Vec<u32> = serde_json::from_value(r["target_ids"].clone()).unwrap();
            assert_eq!(
                tokenizer.decode_calt(&target_ids),
                r["decoded_target"].as_str().unwrap(),
                "{task}"
            );
            assert_eq!(
                tokenizer.decode(&target_ids),
                r["target_tokens"].as_str().unwrap()
            );
        }
    }
}

#[test]
fn out_of_vocabulary_tokens_are_named() {
    let (lexer, tokenizer) = build("gf17_addition");
    let tokens = lexer.tokenize("17").unwrap();
    let err = tokenizer.encode_tokens(&tokens).unwrap_err();
    assert_eq!(err.to_string(), "token `17` is not in the vocabulary");
}
