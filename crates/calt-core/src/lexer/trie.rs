//! A character trie answering "longest inserted string that starts here".

use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub(super) struct Trie {
    children: HashMap<char, Trie>,
    terminal: bool,
}

impl Trie {
    pub(super) fn insert(&mut self, word: &str) {
        if word.is_empty() {
            return; // an empty reserved string can never be a token
        }
        let mut node = self;
        for c in word.chars() {
            node = node.children.entry(c).or_default();
        }
        node.terminal = true;
    }

    /// Length in characters of the longest inserted word that prefixes `text`.
    pub(super) fn longest_prefix(&self, text: &[char]) -> Option<usize> {
        let mut node = self;
        let mut best = None;
        for (i, c) in text.iter().enumerate() {
            match node.children.get(c) {
                Some(next) => node = next,
                None => break,
            }
            if node.terminal {
                best = Some(i + 1);
            }
        }
        best
    }
}
