//! `lexer.yaml`: the vocabulary, the number policy and strictness (spec §3.1, §3.4, §3.5).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The whole `lexer.yaml` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexerConfig {
    #[serde(default)]
    pub vocab: VocabSection,
    #[serde(default)]
    pub number_policy: NumberPolicyConfig,
    /// Unknown characters are an error (true) or become the unk token (false).
    #[serde(default = "yes")]
    pub strict: bool,
    /// Adds CALT's built-in operator set (`|| | + - * ^ / ( ) [ ]`) to what the lexer can
    /// recognise (not to the vocabulary).
    #[serde(default = "yes")]
    pub include_base_vocab: bool,
}

/// `vocab:` — ranges, literal tokens and special tokens.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabSection {
    /// name → `[prefix, min, max]`, expanded to `prefix + i` for i in min..=max, in file order.
    #[serde(default)]
    pub range: IndexMap<String, (String, i64, i64)>,
    #[serde(default)]
    pub misc: Vec<String>,
    /// HF role (`pad_token`, `unk_token`, …) → token text; merged over the base map.
    #[serde(default)]
    pub special_tokens: IndexMap<String, String>,
    #[serde(default)]
    pub flags: VocabFlags,
    /// Accepted here too when `flags` lacks it (CALT does the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_base_vocab: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_base_special_tokens: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabFlags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_base_vocab: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_base_special_tokens: Option<bool>,
}

impl VocabSection {
    /// Whether `[SEP]` starts the vocabulary (default true).
    pub fn include_base_vocab(&self) -> bool {
        self.flags
            .include_base_vocab
            .or(self.include_base_vocab)
            .unwrap_or(true)
    }

    /// Whether `[PAD] <s> </s> [CLS]` are the base special tokens (default true).
    pub fn include_base_special_tokens(&self) -> bool {
        self.flags
            .include_base_special_tokens
            .or(self.include_base_special_tokens)
            .unwrap_or(true)
    }
}

/// `number_policy:` — how digits, signs and decimal points become tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberPolicyConfig {
    /// Glue a leading `-` to the number (`-50`) instead of emitting `-` `50`.
    #[serde(default = "yes")]
    pub attach_sign: bool,
    /// Split digit runs into chunks of this many digits, left to right (0 = keep whole).
    #[serde(default)]
    pub digit_group: u32,
    /// Lex `3.14` as `3 . 14` (and add `.` to the vocabulary).
    #[serde(default = "yes")]
    pub allow_float: bool,
}

impl Default for NumberPolicyConfig {
    fn default() -> Self {
        Self {
            attach_sign: true,
            digit_group: 0,
            allow_float: true,
        }
    }
}

impl Default for LexerConfig {
    fn default() -> Self {
        Self {
            vocab: VocabSection::default(),
            number_policy: NumberPolicyConfig::default(),
            strict: true,
            include_base_vocab: true,
        }
    }
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;

    const GF17: &str = r#"
vocab:
  range:
    numbers: ["", 0, 16]
  misc: ["+", "=", ","]
  special_tokens: {}
  flags:
    include_base_vocab: true
    include_base_special_tokens: true
number_policy:
  attach_sign: true
  digit_group: 0
  allow_float: false
strict: true
include_base_vocab: true
"#;

    #[test]
    fn reads_calt_lexer_yaml() {
        let c: LexerConfig = parse_yaml(GF17, "lexer.yaml").unwrap();
        assert_eq!(c.vocab.range["numbers"], (String::new(), 0, 16));
        assert_eq!(c.vocab.misc, ["+", "=", ","]);
        assert!(!c.number_policy.allow_float);
        assert!(c.vocab.include_base_vocab());
    }

    #[test]
    fn defaults_match_calt() {
        let c: LexerConfig = parse_yaml("vocab: {misc: [a]}", "lexer.yaml").unwrap();
        assert!(c.number_policy.attach_sign && c.number_policy.allow_float);
        assert_eq!(c.number_policy.digit_group, 0);
        assert!(c.strict && c.include_base_vocab);
    }

    #[test]
    fn misspelt_key_names_file_line_path_and_suggestion() {
        let text = "vocab:\n  misc: [a]\nnumber_policy:\n  atach_sign: true\n";
        let err = parse_yaml::<LexerConfig>(text, "configs/lexer.yaml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "configs/lexer.yaml:4: number_policy.atach_sign: unknown key `atach_sign` (did you mean `attach_sign`?)"
        );
    }

    #[test]
    fn wrong_type_names_the_expected_type() {
        let err = parse_yaml::<LexerConfig>("strict: maybe\n", "l.yaml").unwrap_err();
        assert_eq!(err.key_path, "strict");
        assert!(
            err.message.contains("expected a boolean"),
            "{}",
            err.message
        );
        let err = parse_yaml::<LexerConfig>("vocab:\n  range:\n    n: [\"\", 0]\n", "l.yaml")
            .unwrap_err();
        assert!(err.key_path.starts_with("vocab.range.n"), "{err}");
    }
}
