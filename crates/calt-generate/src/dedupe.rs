//! Options CALT lacks: leave out samples identical to an earlier one of the same split, and
//! test samples identical to a train sample. Samples compare by their JSON line, which keeps
//! list structure (so `a | b` as one string differs from the list `[a, b]`).

use std::collections::HashSet;

#[derive(Debug, Default)]
pub struct Dedupe {
    drop_duplicates: bool,
    drop_test_in_train: bool,
    split: String,
    seen: HashSet<String>,
    train: HashSet<String>,
    duplicates: u64,
    in_train: u64,
}

impl Dedupe {
    pub fn new(drop_duplicates: bool, drop_test_in_train: bool) -> Self {
        Dedupe {
            drop_duplicates,
            drop_test_in_train,
            ..Default::default()
        }
    }

    pub fn enabled(&self) -> bool {
        self.drop_duplicates || self.drop_test_in_train
    }

    /// Starts counting for a new split. The train split's samples are remembered for the test
    /// split's comparison.
    pub fn start_split(&mut self, split: &str) {
        if self.split == "train" {
            self.train = std::mem::take(&mut self.seen);
        }
        self.seen.clear();
        self.split = split.to_string();
        self.duplicates = 0;
        self.in_train = 0;
    }

    /// Whether the sample with this key is written.
    pub fn admit(&mut self, key: &str) -> bool {
        if !self.enabled() {
            return true;
        }
        let remember = self.drop_duplicates || (self.drop_test_in_train && self.split == "train");
        if remember && !self.seen.insert(key.to_string()) && self.drop_duplicates {
            self.duplicates += 1;
            return false;
        }
        if self.drop_test_in_train && self.split == "test" && self.train.contains(key) {
            self.in_train += 1;
            return false;
        }
        true
    }

    /// The counts for the stats file of the current split (only the enabled options).
    pub fn counts(&self) -> Vec<(&'static str, u64)> {
        let mut out = Vec::new();
        if self.drop_duplicates {
            out.push(("duplicates_dropped", self.duplicates));
        }
        if self.drop_test_in_train && self.split == "test" {
            out.push(("test_in_train_dropped", self.in_train));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_repeats_and_train_overlap() {
        let mut d = Dedupe::new(true, true);
        d.start_split("train");
        assert!(d.admit("a") && d.admit("b") && !d.admit("a"));
        assert_eq!(d.counts(), vec![("duplicates_dropped", 1)]);
        d.start_split("test");
        assert!(!d.admit("a") && d.admit("c") && !d.admit("c"));
        assert_eq!(
            d.counts(),
            vec![("duplicates_dropped", 1), ("test_in_train_dropped", 1)]
        );
    }

    #[test]
    fn overlap_only_keeps_train_duplicates() {
        let mut d = Dedupe::new(false, true);
        d.start_split("train");
        assert!(d.admit("a") && d.admit("a"));
        d.start_split("test");
        assert!(!d.admit("a") && d.admit("b") && d.admit("b"));
        assert_eq!(d.counts(), vec![("test_in_train_dropped", 1)]);
    }
}
