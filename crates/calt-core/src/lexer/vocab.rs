//! The extended vocabulary: CALT's `VocabConfig` list plus what the number policy adds
//! (spec §3.4, §3.6). Its order fixes the token ids.

use super::NumberPolicy;
use crate::config::VocabSection;
use crate::limits;
use indexmap::{IndexMap, IndexSet};

/// A vocabulary that cannot be built without shifting CALT's ids or losing tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VocabularyError {
    /// CALT keeps duplicates, which leaves id holes and makes a special token collide with a
    /// real one; we refuse instead.
    #[error("vocab: token `{token}` is listed twice ({first} and {second}); remove one")]
    Duplicate {
        token: String,
        first: String,
        second: String,
    },
    #[error("vocab.range.{name}: min {min} is greater than max {max}")]
    EmptyRange { name: String, min: i64, max: i64 },
    #[error("vocab: the empty string cannot be a token ({origin})")]
    EmptyToken { origin: String },
    #[error(
        "vocab: {what} would make at least {count} tokens, more than the limit of {limit}; \
         a vocabulary that large cannot be a CALT task's"
    )]
    TooLarge {
        what: String,
        count: i128,
        limit: usize,
    },
}

/// Ordered token list (ids = positions) and the special-token map (HF role → text).
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    tokens: IndexSet<String>,
    special_tokens: IndexMap<String, String>,
}

impl Vocabulary {
    pub fn from_config(
        config: &VocabSection,
        policy: &NumberPolicy,
    ) -> Result<Self, VocabularyError> {
        let mut origins: IndexMap<String, String> = IndexMap::new();
        let mut add = |token: String, origin: String| -> Result<(), VocabularyError> {
            if token.is_empty() {
                return Err(VocabularyError::EmptyToken { origin });
            }
            if let Some(first) = origins.get(&token) {
                return Err(VocabularyError::Duplicate {
                    token,
                    first: first.clone(),
                    second: origin,
                });
            }
            origins.insert(token, origin);
            Ok(())
        };
        // Sized before anything is expanded: a range such as 0..=1e11 must be refused at once,
        // not after minutes of allocation.
        let mut total: i128 = config.misc.len() as i128;
        for (name, (_, min, max)) in &config.range {
            if min > max {
                return Err(VocabularyError::EmptyRange {
                    name: name.clone(),
                    min: *min,
                    max: *max,
                });
            }
            let count = i128::from(*max) - i128::from(*min) + 1;
            total += count;
            let (what, count) = if count > limits::MAX_VOCABULARY as i128 {
                (format!("vocab.range.{name} ({min}..={max})"), count)
            } else if total > limits::MAX_VOCABULARY as i128 {
                ("the ranges and misc together".to_string(), total)
            } else {
                continue;
            };
            return Err(VocabularyError::TooLarge {
                what,
                count,
                limit: limits::MAX_VOCABULARY,
            });
        }
        let group_tokens = policy.digit_group_token_count();
        if total.saturating_add(group_tokens) > limits::MAX_VOCABULARY as i128 {
            return Err(VocabularyError::TooLarge {
                what: format!("number_policy.digit_group {}", policy.digit_group),
                count: total.saturating_add(group_tokens),
                limit: limits::MAX_VOCABULARY,
            });
        }
        if config.include_base_vocab() {
            add("[SEP]".into(), "the base vocabulary".into())?;
        }
        for (name, (prefix, min, max)) in &config.range {
            for i in *min..=*max {
                add(format!("{prefix}{i}"), format!("range `{name}`"))?;
            }
        }
        for token in &config.misc {
            add(token.clone(), "misc".into())?;
        }
        let mut tokens: IndexSet<String> = origins.into_keys().collect();
        // Policy tokens are appended only when missing (CALT does the same).
        for extra in policy.vocabulary_additions() {
            tokens.insert(extra);
        }

        let mut special_tokens = IndexMap::new();
        if config.include_base_special_tokens() {
            for (role, text) in [
                ("pad_token", "[PAD]"),
                ("bos_token", "<s>"),
                ("eos_token", "</s>"),
                ("cls_token", "[CLS]"),
            ] {
                special_tokens.insert(role.to_string(), text.to_string());
            }
        }
        for (role, text) in &config.special_tokens {
            special_tokens.insert(role.clone(), text.clone());
        }
        Ok(Self {
            tokens,
            special_tokens,
        })
    }

    /// Tokens in id order.
    pub fn tokens(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    pub fn contains(&self, token: &str) -> bool {
        self.tokens.contains(token) || self.special_tokens.values().any(|t| t == token)
    }

    /// HF role → token text, base roles first (`pad_token`, `bos_token`, `eos_token`, `cls_token`).
    pub fn special_tokens(&self) -> &IndexMap<String, String> {
        &self.special_tokens
    }
}
