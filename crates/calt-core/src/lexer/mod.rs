//! CALT's `UnifiedLexer`, token for token (spec §3.4–§3.6).
//!
//! At each position the lexer tries three kinds of token in a fixed priority (it is an
//! alternation, not a global longest match): a number, a reserved token (the vocabulary plus
//! the base operators, longest first), an identifier. Numbers then pass through the
//! [`NumberPolicy`]. Reserved tokens are found with a trie instead of CALT's regex over every
//! vocabulary string, which gives the same "longest reserved token" answer in time linear in
//! the token length.

mod number_policy;
mod trie;
mod vocab;

pub use number_policy::NumberPolicy;
pub use vocab::{Vocabulary, VocabularyError};

use crate::config::LexerConfig;
use trie::Trie;

/// Operators the lexer recognises even when they are not in the vocabulary (CALT's base set).
const BASE_RESERVED: [&str; 11] = ["||", "|", "+", "-", "*", "^", "/", "(", ")", "[", "]"];

/// A strict-mode failure: a character no token rule accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unknown character '{character}' at position {position} in: {context}")]
pub struct LexError {
    pub character: char,
    /// 0-based character (not byte) index, as CALT reports it.
    pub position: usize,
    /// The input up to 20 characters past the failure, as CALT prints it.
    pub context: String,
}

/// Which rule a token came from; decides the priority at each position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Number,
    Reserved,
    Identifier,
}

/// Splits text into tokens exactly as CALT's `UnifiedLexer` does.
#[derive(Debug, Clone)]
pub struct Lexer {
    vocabulary: Vocabulary,
    policy: NumberPolicy,
    reserved: Trie,
    strict: bool,
    unk_token: String,
    priority: [Rule; 3],
}

impl Lexer {
    /// Builds the lexer (and its extended vocabulary) from a `lexer.yaml`.
    pub fn new(config: &LexerConfig) -> Result<Self, VocabularyError> {
        let policy = NumberPolicy::from_config(&config.number_policy);
        let vocabulary = Vocabulary::from_config(&config.vocab, &policy)?;
        let mut reserved = Trie::default();
        for token in vocabulary.tokens() {
            reserved.insert(token);
        }
        if config.include_base_vocab {
            for token in BASE_RESERVED {
                reserved.insert(token);
            }
        }
        // Separate-sign mode with digit groups lets vocabulary numbers win over grouping.
        let priority = if !policy.attach_sign && policy.digit_group > 0 {
            [Rule::Reserved, Rule::Number, Rule::Identifier]
        } else {
            [Rule::Number, Rule::Reserved, Rule::Identifier]
        };
        let unk_token = vocabulary
            .special_tokens()
            .get("unk_token")
            .cloned()
            .unwrap_or_else(|| "<unk>".to_string());
        Ok(Self {
            vocabulary,
            policy,
            reserved,
            strict: config.strict,
            unk_token,
            priority,
        })
    }

    /// The extended vocabulary (what the tokenizer is built from).
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    pub fn number_policy(&self) -> &NumberPolicy {
        &self.policy
    }

    /// The tokens of `text`. In non-strict mode unknown characters become the unk token.
    pub fn tokenize(&self, text: &str) -> Result<Vec<String>, LexError> {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut pos = 0;
        while pos < chars.len() {
            if is_python_space(chars[pos]) {
                pos += 1;
                continue;
            }
            match self.match_at(&chars, pos) {
                Some((Rule::Number, len)) => {
                    let number: String = chars[pos..pos + len].iter().collect();
                    self.policy.split(&number, &mut tokens);
                    pos += len;
                }
                Some((_, len)) => {
                    tokens.push(chars[pos..pos + len].iter().collect());
                    pos += len;
                }
                None if self.strict => {
                    return Err(LexError {
                        character: chars[pos],
                        position: pos,
                        context: chars[..(pos + 20).min(chars.len())].iter().collect(),
                    });
                }
                None => {
                    tokens.push(self.unk_token.clone());
                    pos += 1;
                }
            }
        }
        Ok(tokens)
    }

    /// Tokens joined by single spaces (CALT's `encode` / `to_token_text`).
    pub fn token_text(&self, text: &str) -> Result<String, LexError> {
        Ok(self.tokenize(text)?.join(" "))
    }

    fn match_at(&self, chars: &[char], pos: usize) -> Option<(Rule, usize)> {
        self.priority.iter().find_map(|&rule| {
            let len = match rule {
                Rule::Number => self.number_len(chars, pos),
                Rule::Reserved => self.reserved.longest_prefix(&chars[pos..]),
                Rule::Identifier => identifier_len(&chars[pos..]),
            }?;
            Some((rule, len))
        })
    }

    /// Length of the number starting at `pos`, following CALT's pattern:
    /// `-?\d+\.?\d*` (sign only in attach mode, never right after a letter, digit or `_`),
    /// then `\.\d+`; without floats just `-?\d+`.
    fn number_len(&self, chars: &[char], pos: usize) -> Option<usize> {
        let after_word_char = pos > 0 && is_word_char(chars[pos - 1]);
        let digits = |from: usize| {
            chars[from..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        if !(self.policy.attach_sign && after_word_char) {
            let sign = usize::from(self.policy.attach_sign && chars[pos] == '-');
            let int_digits = digits(pos + sign);
            if int_digits > 0 {
                let mut len = sign + int_digits;
                if self.policy.allow_float && chars.get(pos + len) == Some(&'.') {
                    len += 1 + digits(pos + len + 1);
                }
                return Some(len);
            }
        }
        if self.policy.allow_float && chars[pos] == '.' {
            let frac = digits(pos + 1);
            if frac > 0 {
                return Some(1 + frac);
            }
        }
        None
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `[A-Za-z_][A-Za-z_0-9]*`
fn identifier_len(chars: &[char]) -> Option<usize> {
    let first = *chars.first()?;
    if !(first.is_ascii_alphabetic() || first == '_') {
        return None;
    }
    Some(1 + chars[1..].iter().take_while(|c| is_word_char(**c)).count())
}

/// Python's `str.isspace()`: Unicode White_Space plus the ASCII separators 0x1C–0x1F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[cfg(test)]
mod tests;
