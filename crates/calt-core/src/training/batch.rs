//! Batches: CALT's label rule (§3.9) and length-bucketed batch order.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::model::init::SplitMix64;

/// Label value ignored by the loss (PyTorch's `ignore_index`).
pub const IGNORE: i64 = -100;

/// One padded batch on the host.
#[derive(Clone, Debug, PartialEq)]
pub struct HostBatch {
    pub batch: usize,
    /// `[B, S]`, right-padded.
    pub input_ids: Vec<i64>,
    pub input_len: usize,
    /// `[B, T-1]`: target without its last column.
    pub decoder_ids: Vec<i64>,
    /// `[B, T-1]`: target without its first column; padding → [`IGNORE`].
    pub labels: Vec<i64>,
    pub target_len: usize,
    /// Number of labels that count.
    pub label_tokens: usize,
}

/// Device tensors of a batch.
pub struct DeviceBatch {
    pub input_ids: Tensor<2, Int>,
    pub decoder_ids: Tensor<2, Int>,
    pub labels: Tensor<2, Int>,
    pub label_tokens: usize,
    pub batch: usize,
}

impl HostBatch {
    /// Pads inputs and targets (each `[BOS, …, EOS]`) and derives decoder inputs and labels:
    /// `decoder = T[:, :-1]`, `labels = T[:, 1:]` with padding masked.
    pub fn collate(pairs: &[(&[u32], &[u32])], pad: u32) -> Self {
        let b = pairs.len();
        let s = pairs.iter().map(|p| p.0.len()).max().unwrap_or(1).max(1);
        let t = pairs.iter().map(|p| p.1.len()).max().unwrap_or(2).max(2);
        let mut input_ids = vec![pad as i64; b * s];
        let mut decoder_ids = vec![pad as i64; b * (t - 1)];
        let mut labels = vec![IGNORE; b * (t - 1)];
        let mut label_tokens = 0;
        for (i, (inp, tgt)) in pairs.iter().enumerate() {
            for (j, &v) in inp.iter().enumerate() {
                input_ids[i * s + j] = v as i64;
            }
            for j in 0..t - 1 {
                if j < tgt.len() {
                    decoder_ids[i * (t - 1) + j] = tgt[j] as i64;
                }
                if j + 1 < tgt.len() {
                    labels[i * (t - 1) + j] = tgt[j + 1] as i64;
                    label_tokens += 1;
                }
            }
        }
        Self {
            batch: b,
            input_ids,
            input_len: s,
            decoder_ids,
            labels,
            target_len: t - 1,
            label_tokens,
        }
    }

    pub fn to_device(&self, device: &Device) -> DeviceBatch {
        let (b, s, t) = (self.batch, self.input_len, self.target_len);
        let mk = |v: &Vec<i64>, w: usize| {
            Tensor::<2, Int>::from_data(TensorData::new(v.clone(), [b, w]), device)
        };
        DeviceBatch {
            input_ids: mk(&self.input_ids, s),
            decoder_ids: mk(&self.decoder_ids, t),
            labels: mk(&self.labels, t),
            label_tokens: self.label_tokens,
            batch: b,
        }
    }

    /// Tokens in the batch including padding (what the model computes on).
    pub fn padded_tokens(&self) -> usize {
        self.batch * (self.input_len + self.target_len)
    }

    /// [`HostBatch::padded_tokens`] of the batch `pairs` would collate to, without collating.
    pub fn padded_tokens_of(pairs: &[(&[u32], &[u32])]) -> usize {
        let s = pairs.iter().map(|p| p.0.len()).max().unwrap_or(1).max(1);
        let t = pairs.iter().map(|p| p.1.len()).max().unwrap_or(2).max(2);
        pairs.len() * (s + t - 1)
    }
}

/// How many consecutive batches are sorted by length together: large enough to cut padding,
/// small enough that batches stay random.
const BUCKET_BATCHES: usize = 50;

/// The order of one epoch: shuffled sample indices, grouped into batches of similar length,
/// batch order shuffled again. Depends only on `(seed, epoch)`, so a resumed run replays it.
pub fn epoch_batches(
    lengths: &[usize],
    batch_size: usize,
    seed: u64,
    epoch: u64,
) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut rng = SplitMix64::stream(seed, 0x5EED_0000 + epoch);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    rng.shuffle(&mut order);
    let mut batches = Vec::with_capacity(lengths.len().div_ceil(batch_size));
    for chunk in order.chunks_mut(batch_size * BUCKET_BATCHES) {
        chunk.sort_by_key(|&i| lengths[i]);
        batches.extend(chunk.chunks(batch_size).map(|c| c.to_vec()));
    }
    rng.shuffle(&mut batches);
    batches
}

/// Plain shuffled batches (no length grouping), for comparison.
pub fn shuffled_batches(n: usize, batch_size: usize, seed: u64, epoch: u64) -> Vec<Vec<usize>> {
    let mut rng = SplitMix64::stream(seed, 0x5EED_0000 + epoch);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    order
        .chunks(batch_size.max(1))
        .map(|c| c.to_vec())
        .collect()
}

/// Sequential batches (evaluation keeps the test-set order).
pub fn sequential_batches(n: usize, batch_size: usize) -> Vec<Vec<usize>> {
    (0..n)
        .collect::<Vec<_>>()
        .chunks(batch_size.max(1))
        .map(|c| c.to_vec())
        .collect()
}
