use super::*;
use crate::config::{LexerConfig, NumberPolicyConfig, VocabSection};

/// CALT's lexer test fixture vocabulary: `C-50..C50`, `E0..E20`, `x0..x2`, misc `+ * ^ ( )`.
fn fixture(attach: bool, group: u32, float: bool, strict: bool) -> Lexer {
    let mut vocab = VocabSection::default();
    vocab.range.insert("coeff".into(), ("C".into(), -50, 50));
    vocab.range.insert("exp".into(), ("E".into(), 0, 20));
    vocab.range.insert("var".into(), ("x".into(), 0, 2));
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
        include_base_vocab: true,
    })
    .unwrap()
}

fn toks(lexer: &Lexer, text: &str) -> Vec<String> {
    lexer.tokenize(text).unwrap()
}

#[test]
fn longest_match_and_whitespace() {
    let l = fixture(false, 0, false, true);
    assert_eq!(toks(&l, "x0||x1"), ["x0", "||", "x1"]);
    assert_eq!(toks(&l, "x0  +  x1"), ["x0", "+", "x1"]);
    assert_eq!(toks(&l, "abc_123 + xyz"), ["abc_123", "+", "xyz"]);
    assert_eq!(toks(&l, "C-50*x1"), ["C-50", "*", "x1"]);
}

#[test]
fn attach_mode_lookbehind_rejects_numbers_after_letters() {
    let l = fixture(true, 0, false, true);
    assert_eq!(toks(&l, "-10 + -11 - -13"), ["-10", "+", "-11", "-", "-13"]);
    assert_eq!(toks(&l, "3-5"), ["3", "-", "5"]);
    assert_eq!(toks(&l, "(-3)"), ["(", "-3", ")"]);
    let err = l.tokenize("x10").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Unknown character '0' at position 2 in: x10"
    );
}

#[test]
fn non_strict_mode_emits_unk() {
    let l = fixture(false, 0, false, false);
    assert_eq!(
        toks(&l, "x0 + x1 @ invalid"),
        ["x0", "+", "x1", "<unk>", "invalid"]
    );
}

#[test]
fn strict_error_names_character_position_and_input() {
    let l = fixture(false, 0, false, true);
    let err = l.tokenize("x0 + x1 @ invalid").unwrap_err();
    assert_eq!((err.character, err.position), ('@', 8));
    assert_eq!(err.context, "x0 + x1 @ invalid");
}

#[test]
fn positions_count_characters_not_bytes() {
    let l = fixture(false, 0, false, true);
    let err = l.tokenize("é + @").unwrap_err();
    assert_eq!((err.character, err.position), ('é', 0));
}

#[test]
fn separate_mode_with_groups_prefers_vocabulary_numbers() {
    let mut vocab = VocabSection::default();
    vocab.range.insert("n".into(), (String::new(), 0, 1000));
    let config = |attach| LexerConfig {
        vocab: vocab.clone(),
        number_policy: NumberPolicyConfig {
            attach_sign: attach,
            digit_group: 3,
            allow_float: false,
        },
        strict: true,
        include_base_vocab: true,
    };
    let separate = Lexer::new(&config(false)).unwrap();
    assert_eq!(toks(&separate, "10006"), ["1000", "6"]);
    assert_eq!(toks(&separate, "1006"), ["100", "6"]);
    let attach = Lexer::new(&config(true)).unwrap();
    assert_eq!(toks(&attach, "10006"), ["100", "06"]);
}

#[test]
fn duplicate_vocabulary_entries_are_rejected() {
    let mut vocab = VocabSection::default();
    vocab.range.insert("n".into(), (String::new(), 0, 3));
    vocab.misc = vec!["+".into(), "1".into()];
    let err = Lexer::new(&LexerConfig {
        vocab,
        ..LexerConfig::default()
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "vocab: token `1` is listed twice (range `n` and misc); remove one"
    );
}
