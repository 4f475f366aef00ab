//! CALT's per-sample seed: independent of batch size, thread count and order.

use sha2::{Digest, Sha256};

/// First 16 bytes (big-endian) of SHA-256(`"{root_seed}_{split}_{index}"`), as CALT's
/// `DatasetGenerator` derives the seed handed to the instance generator.
pub fn sample_seed(root_seed: i64, split: &str, index: u64) -> u128 {
    SplitSeeds::new(root_seed, split).seed(index)
}

/// The seeds of one split: the hash of the `"{root_seed}_{split}_"` prefix is started once,
/// and each index only adds its digits (a split derives one seed per sample).
#[derive(Clone)]
pub struct SplitSeeds {
    prefix: Sha256,
}

impl SplitSeeds {
    pub fn new(root_seed: i64, split: &str) -> Self {
        let mut root = itoa::Buffer::new();
        let prefix = Sha256::new()
            .chain_update(root.format(root_seed))
            .chain_update(b"_")
            .chain_update(split)
            .chain_update(b"_");
        SplitSeeds { prefix }
    }

    /// The seed of sample `index`.
    pub fn seed(&self, index: u64) -> u128 {
        let mut number = itoa::Buffer::new();
        let digest = self
            .prefix
            .clone()
            .chain_update(number.format(index))
            .finalize();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        u128::from_be_bytes(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calt_reference_seeds() {
        assert_eq!(
            sample_seed(42, "train", 0),
            320916422754167885974825684275375124086
        );
        assert_eq!(
            sample_seed(42, "train", 1),
            70833640771474551673281816524032571370
        );
        assert_eq!(
            sample_seed(42, "train", 2),
            191806574632397110791624144828738358692
        );
        assert_eq!(
            sample_seed(42, "train", 3),
            46141762382252402041757050085975731185
        );
    }

    #[test]
    fn split_seeds_match_the_one_off_derivation() {
        // A prefix longer than a SHA-256 block as well as CALT's short ones.
        let long_split = "s".repeat(100);
        for (root, split) in [(42, "train"), (-7, "test"), (i64::MIN, long_split.as_str())] {
            let seeds = SplitSeeds::new(root, split);
            for index in [0, 1, 9, 10, 12345, u64::MAX] {
                let text = format!("{root}_{split}_{index}");
                let digest = Sha256::digest(text.as_bytes());
                let expected = u128::from_be_bytes(digest[..16].try_into().unwrap());
                assert_eq!(seeds.seed(index), expected, "{text}");
            }
        }
    }
}
