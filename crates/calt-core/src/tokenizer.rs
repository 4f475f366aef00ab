//! The HF `tokenizers` tokenizer CALT builds (spec §3.7): WordLevel over the extended
//! vocabulary, split on spaces, `<s> … </s>` template, right padding with the pad token.
//!
//! Ids equal CALT's: vocabulary tokens first (in [`Vocabulary`] order), then special tokens
//! not already in the vocabulary (`[PAD] <s> </s> [CLS]` by default), in role order.
//!
//! Decoding: [`CaltTokenizer::decode`] drops special tokens and joins the rest with single
//! spaces, i.e. it returns the lexer's token text, which is what calt compares and writes.
//! [`CaltTokenizer::decode_calt`] reproduces CALT's `clean_up_tokenization_spaces` text
//! (`6 , 2` → `6, 2`) for comparisons against CALT's own eval files.

use crate::lexer::Vocabulary;
use indexmap::IndexMap;
use std::collections::HashMap;
use tokenizers::models::wordlevel::WordLevel;
use tokenizers::pre_tokenizers::delimiter::CharDelimiterSplit;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, PaddingDirection, PaddingParams, PaddingStrategy, Tokenizer};

/// What went wrong building, loading or using a tokenizer.
#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    /// A token the lexer produced has no id (CALT: "Missing [UNK] token from the vocabulary").
    #[error("token `{0}` is not in the vocabulary")]
    OutOfVocabulary(String),
    #[error("the special tokens lack `{0}` (needed for generation)")]
    MissingRole(&'static str),
    #[error("tokenizer: {0}")]
    Library(String),
}

/// The unk token CALT's WordLevel model names (normally not in the vocabulary).
const WORDLEVEL_UNK: &str = "<unk>";

fn library(e: impl std::fmt::Display) -> TokenizerError {
    TokenizerError::Library(e.to_string())
}

/// Ids the model needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SpecialIds {
    pub pad: u32,
    pub bos: u32,
    pub eos: u32,
}

/// A `tokenizers::Tokenizer` plus the special-token roles CALT keeps beside it.
#[derive(Clone)]
pub struct CaltTokenizer {
    inner: Tokenizer,
    special_tokens: IndexMap<String, String>,
    special_ids: SpecialIds,
    /// token → id, for encoding lexer output without re-splitting a joined string.
    ids: HashMap<String, u32>,
    /// WordLevel's `<unk>` id when `<unk>` is in the vocabulary: then, as in CALT, unknown
    /// tokens map to it instead of failing.
    unk_id: Option<u32>,
    /// id → token (None for holes), for decoding.
    tokens: Vec<Option<String>>,
    is_special: Vec<bool>,
}

impl std::fmt::Debug for CaltTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaltTokenizer")
            .field("vocab_size", &self.vocab_size())
            .field("special_ids", &self.special_ids)
            .finish()
    }
}

impl CaltTokenizer {
    /// Builds the tokenizer exactly as CALT's `get_tokenizer` does.
    pub fn from_vocabulary(vocabulary: &Vocabulary) -> Result<Self, TokenizerError> {
        let vocab: HashMap<String, u32> = vocabulary
            .tokens()
            .enumerate()
            .map(|(i, t)| (t.to_string(), i as u32))
            .collect();
        let model = WordLevel::builder()
            .vocab(vocab.into_iter().collect())
            .unk_token(WORDLEVEL_UNK.into())
            .build()
            .map_err(library)?;
        let mut inner = Tokenizer::new(model);
        inner.with_pre_tokenizer(Some(CharDelimiterSplit::new(' ')));
        let added: Vec<AddedToken> = vocabulary
            .special_tokens()
            .values()
            .map(|t| AddedToken::from(t.clone(), true))
            .collect();
        inner.add_special_tokens(&added);
        let specials = vocabulary.special_tokens().clone();
        let special_ids = resolve_special_ids(&inner, &specials)?;
        let bos = specials["bos_token"].clone();
        let eos = specials["eos_token"].clone();
        let template = TemplateProcessing::builder()
            .try_single(format!("{bos} $A {eos}"))
            .map_err(library)?
            .special_tokens(vec![(bos, special_ids.bos), (eos, special_ids.eos)])
            .build()
            .map_err(library)?;
        inner.with_post_processor(Some(template));
        inner.with_padding(Some(PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_id: special_ids.pad,
            pad_token: specials["pad_token"].clone(),
            ..Default::default()
        }));
        Ok(Self::assemble(inner, specials, special_ids))
    }

    /// Loads a saved `tokenizer.json` (ours or CALT's) with its special-token roles
    /// (`special_tokens_map.json`: role → token text).
    pub fn from_json(
        json: &str,
        special_tokens: IndexMap<String, String>,
    ) -> Result<Self, TokenizerError> {
        let inner: Tokenizer = json.parse().map_err(library)?;
        let special_ids = resolve_special_ids(&inner, &special_tokens)?;
        Ok(Self::assemble(inner, special_tokens, special_ids))
    }

    fn assemble(
        inner: Tokenizer,
        special_tokens: IndexMap<String, String>,
        special_ids: SpecialIds,
    ) -> Self {
        let ids: HashMap<String, u32> = inner.get_vocab(true).into_iter().collect();
        let size = ids.values().max().map_or(0, |m| *m as usize + 1);
        let mut tokens = vec![None; size];
        for (token, id) in &ids {
            tokens[*id as usize] = Some(token.clone());
        }
        let mut is_special = vec![false; size];
        for token in special_tokens.values() {
            if let Some(id) = ids.get(token) {
                is_special[*id as usize] = true;
            }
        }
        let unk_id = ids.get(WORDLEVEL_UNK).copied();
        Self {
            inner,
            special_tokens,
            special_ids,
            unk_id,
            ids,
            tokens,
            is_special,
        }
    }

    /// Number of ids (the model's vocabulary size): vocabulary + new special tokens.
    pub fn vocab_size(&self) -> usize {
        self.tokens.len()
    }

    pub fn special_ids(&self) -> SpecialIds {
        self.special_ids
    }

    /// HF role → token text.
    pub fn special_tokens(&self) -> &IndexMap<String, String> {
        &self.special_tokens
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.ids.get(token).copied()
    }

    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize)?.as_deref()
    }

    /// Ids of lexer tokens as `[bos, …, eos]`. An unknown token is an error, unless
    /// `<unk>` is in the vocabulary (then it maps there, as in CALT; dataset loading still
    /// reports such tokens, see [`crate::data`]). Equivalent to CALT encoding the space-joined
    /// token text (empty tokens vanish in its split), without building that string.
    pub fn encode_tokens<S: AsRef<str>>(&self, tokens: &[S]) -> Result<Vec<u32>, TokenizerError> {
        let mut ids = Vec::with_capacity(tokens.len() + 2);
        ids.push(self.special_ids.bos);
        for token in tokens {
            let token = token.as_ref();
            if token.is_empty() {
                continue;
            }
            let id = self
                .token_to_id(token)
                .or(self.unk_id)
                .ok_or_else(|| TokenizerError::OutOfVocabulary(token.to_string()))?;
            ids.push(id);
        }
        ids.push(self.special_ids.eos);
        Ok(ids)
    }

    /// Encodes token text through the `tokenizers` pipeline itself, as CALT encodes: calt
    /// encodes through the lexer's vocabulary, and the golden tests check that the saved
    /// tokenizer.json gives the same ids to a Python user.
    pub fn encode_text(&self, token_text: &str) -> Result<Vec<u32>, TokenizerError> {
        let encoding = self.inner.encode(token_text, true).map_err(library)?;
        Ok(encoding.get_ids().to_vec())
    }

    /// `ids` without special tokens: what exact match compares.
    pub fn content_ids(&self, ids: &[u32]) -> Vec<u32> {
        ids.iter()
            .copied()
            .filter(|&id| !self.is_special.get(id as usize).copied().unwrap_or(false))
            .collect()
    }

    /// Token text of `ids`: special tokens dropped, single spaces between tokens.
    pub fn decode(&self, ids: &[u32]) -> String {
        let mut out = String::new();
        for &id in ids {
            if self.is_special.get(id as usize).copied().unwrap_or(false) {
                continue;
            }
            let Some(token) = self.id_to_token(id) else {
                continue;
            };
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(token);
        }
        out
    }

    /// CALT's decoded text: [`Self::decode`] plus HF's English clean-up of spaces.
    pub fn decode_calt(&self, ids: &[u32]) -> String {
        clean_up_tokenization(&self.decode(ids))
    }

    /// The standard `tokenizer.json`.
    pub fn to_json(&self) -> Result<String, TokenizerError> {
        self.inner.to_string(true).map_err(library)
    }

    /// `special_tokens_map.json` as CALT writes it.
    pub fn special_tokens_map_json(&self) -> String {
        serde_json::to_string_pretty(&self.special_tokens).unwrap_or_default()
    }

    /// The underlying `tokenizers` object.
    pub fn inner(&self) -> &Tokenizer {
        &self.inner
    }
}

fn resolve_special_ids(
    inner: &Tokenizer,
    special_tokens: &IndexMap<String, String>,
) -> Result<SpecialIds, TokenizerError> {
    let id = |role: &'static str| -> Result<u32, TokenizerError> {
        let text = special_tokens
            .get(role)
            .ok_or(TokenizerError::MissingRole(role))?;
        inner
            .token_to_id(text)
            .ok_or_else(|| TokenizerError::OutOfVocabulary(text.clone()))
    };
    Ok(SpecialIds {
        pad: id("pad_token")?,
        bos: id("bos_token")?,
        eos: id("eos_token")?,
    })
}

/// The tokenizer of `configs/gf17_addition/lexer.yaml`, for unit tests.
#[cfg(test)]
pub(crate) fn gf17_tokenizer() -> CaltTokenizer {
    let yaml = include_str!("../../../configs/gf17_addition/lexer.yaml");
    let config: crate::config::LexerConfig = crate::config::parse_yaml(yaml, "lexer.yaml").unwrap();
    CaltTokenizer::from_vocabulary(crate::lexer::Lexer::new(&config).unwrap().vocabulary()).unwrap()
}

/// HF's `clean_up_tokenization` (transformers 4.57).
pub fn clean_up_tokenization(text: &str) -> String {
    text.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
}
