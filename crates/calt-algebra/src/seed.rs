//! CALT's per-sample seed: independent of batch size, thread count and order.

use sha2::{Digest, Sha256};

/// First 16 bytes (big-endian) of SHA-256(`"{root_seed}_{split}_{index}"`), as CALT's
/// `DatasetGenerator` derives the seed handed to the instance generator.
pub fn sample_seed(root_seed: i64, split: &str, index: u64) -> u128 {
    let (mut root, mut number) = (itoa::Buffer::new(), itoa::Buffer::new());
    let digest = Sha256::new()
        .chain_update(root.format(root_seed))
        .chain_update(b"_")
        .chain_update(split)
        .chain_update(b"_")
        .chain_update(number.format(index))
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    u128::from_be_bytes(bytes)
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
}
