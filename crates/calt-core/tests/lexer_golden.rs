//! The lexer against CALT's own outputs: the 15 golden reports and 1259 edge cases.

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use calt_core::config::{LexerConfig, NumberPolicyConfig, VocabSection};
use calt_core::lexer::Lexer;
use calt_core::native::load_yaml;
use calt_core::tokenizer::CaltTokenizer;
use serde_json::Value;

/// CALT's test fixture: `C-50..C50`, `E0..E20`, `x0..x2`, misc `+ * ^ ( )`, unk `<unk>`.
fn fixture(attach: bool, group: u32, float: bool, strict: bool, base: bool) -> Lexer {
    let mut vocab = VocabSection::default();
    vocab.range.insert("c".into(), ("C".into(), -50, 50));
    vocab.range.insert("e".into(), ("E".into(), 0, 20));
    vocab.range.insert("x".into(), ("x".into(), 0, 2));
    vocab.misc = ["+", "*", "^", "(", ")"].map(String::from).to_vec();
    vocab
        .special_tokens
        .insert("unk_token".into(), "<unk>".into());
    Lexer::new(&LexerConfig {
        vocab,
        number_policy: NumberPolicyConfig {
            attach_sign: attach,
            digit_group: group,
            allow_float: float,
        },
        strict,
        include_base_vocab: base,
    })
    .unwrap()
}

/// The value after `label` in a golden report (first occurrence).
fn field<'a>(report: &'a str, label: &str) -> &'a str {
    let start = report.find(label).unwrap_or_else(|| panic!("no {label}")) + label.len();
    report[start..].lines().next().unwrap().trim()
}

/// The indented line after a section header such as `Input:`.
fn section_line<'a>(report: &'a str, header: &str) -> &'a str {
    let mut lines = report[report.find(header).unwrap()..].lines().skip(2);
    lines.next().unwrap().strip_prefix("  ").unwrap()
}

/// `['a', 'b']` (Python list repr of simple strings) → vec.
fn python_list(repr: &str) -> Vec<String> {
    let inner = repr
        .trim()
        .strip_prefix('[')
        .unwrap()
        .strip_suffix(']')
        .unwrap();
    if inner.is_empty() {
        return vec![];
    }
    inner
        .split(", ")
        .map(|s| s.trim_matches('\'').to_string())
        .collect()
}

#[test]
fn every_golden_report_matches_token_for_token() {
    let dir = common::data("lexer_golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let report = std::fs::read_to_string(&path).unwrap();
        let lexer = fixture(
            field(&report, "sign:") == "True",
            field(&report, "digit_group:").parse().unwrap(),
            field(&report, "allow_float:") == "True",
            field(&report, "strict:") == "True",
            field(&report, "include_base_vocab:") == "True",
        );
        let input = section_line(&report, "Input:");
        let result = lexer.tokenize(input);
        if report.contains("Error occurred: True") {
            let expected = field(&report, "Error message:");
            assert_eq!(
                result.unwrap_err().to_string(),
                expected,
                "{}",
                path.display()
            );
        } else {
            let expected = python_list(section_line(&report, "Output (Tokens):"));
            assert_eq!(result.unwrap(), expected, "{}", path.display());
            let text = section_line(&report, "Output (Token Text):");
            assert_eq!(lexer.token_text(input).unwrap(), text);
        }
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn every_edge_case_matches_calt_tokens_errors_and_ids() {
    let text = std::fs::read_to_string(common::data("lexer_edge_cases.jsonl")).unwrap();
    let mut mismatches = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let input = record["input"].as_str().unwrap();
        let vocab = record["vocab"].as_str().unwrap();
        let (lexer, tokenizer) = if vocab == "test_fixture" {
            let flag = |k: &str| record[k].as_bool().unwrap();
            let group = record["digit_group"].as_u64().unwrap() as u32;
            let lexer = fixture(
                flag("attach_sign"),
                group,
                flag("allow_float"),
                flag("strict"),
                true,
            );
            (lexer, None)
        } else {
            let config: LexerConfig = load_yaml(&common::example_lexer_path(vocab)).unwrap();
            let lexer = Lexer::new(&config).unwrap();
            let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
            (lexer, Some(tokenizer))
        };
        let got = lexer.tokenize(input);
        let ok = match (&got, record.get("tokens"), record.get("error")) {
            (Ok(tokens), Some(expected), _) => {
                let expected: Vec<String> = serde_json::from_value(expected.clone()).unwrap();
                *tokens == expected
            }
            (Err(e), _, Some(expected)) => e.to_string() == expected.as_str().unwrap(),
            _ => false,
        };
        if !ok {
            mismatches.push(format!("{line}\n  got: {got:?}"));
        }
        if let (Some(tokenizer), Ok(tokens)) = (&tokenizer, &got) {
            let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
            match (tokenizer.encode_tokens(&refs), record.get("ids")) {
                (Ok(ids), Some(expected)) => {
                    let expected: Vec<u32> = serde_json::from_value(expected.clone()).unwrap();
                    assert_eq!(ids, expected, "{input}");
                }
                (Err(e), None) => {
                    assert!(record.get("tokenizer_error").is_some(), "{input}: {e}");
                    assert!(e.to_string().contains("not in the vocabulary"), "{e}");
                }
                (got, _) => panic!("{input}: {got:?} vs {record}"),
            }
        }
        count += 1;
    }
    assert_eq!(count, 1259);
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
