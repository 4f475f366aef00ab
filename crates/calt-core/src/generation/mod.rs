//! Autoregressive decoding: batched greedy search with a key/value cache (plus an uncached
//! reference used by tests) and beam search with a length penalty.
//!
//! Every decoder starts from BOS, stops a row at EOS and never runs past the model's position
//! table (CALT crashes there; see the README). Returned sequences hold the generated tokens
//! after BOS, without the final EOS.

mod beam;
mod greedy;

pub use beam::{BeamDecoding, beam_search};
pub use greedy::{GreedyDecoding, greedy};

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::model::{ModelError, Seq2Seq};

/// How to decode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GenerationConfig {
    /// Upper bound on generated tokens per row (clamped to the position table).
    pub max_new_tokens: usize,
    /// 1 = greedy.
    pub beams: usize,
    /// Beam scores are divided by `length^length_penalty` (HF convention).
    pub length_penalty: f64,
}

impl Default for GenerationConfig {
    fn default() -> Self {
        Self {
            max_new_tokens: 512,
            beams: 1,
            length_penalty: 1.0,
        }
    }
}

/// Right-pads token sequences into an `[B, S]` id tensor.
pub fn pad_batch(rows: &[&[u32]], pad: u32, device: &Device) -> Tensor<2, Int> {
    let width = rows.iter().map(|r| r.len()).max().unwrap_or(0).max(1);
    let mut ids = vec![pad as i64; rows.len() * width];
    for (i, row) in rows.iter().enumerate() {
        for (j, &t) in row.iter().enumerate() {
            ids[i * width + j] = t as i64;
        }
    }
    Tensor::from_data(TensorData::new(ids, [rows.len(), width]), device)
}

/// Token ids or row indices as a 1-D id tensor (the decoders' step inputs and cache row picks).
pub(crate) fn id_tensor(values: &[u32], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = values.iter().map(|&v| i64::from(v)).collect();
    let len = values.len();
    Tensor::from_data(TensorData::new(values, [len]), device)
}

/// Generates answers for a batch of encoded inputs (each `[BOS, …, EOS]`).
pub fn generate(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    config: &GenerationConfig,
    device: &Device,
) -> Result<Vec<Vec<u32>>, ModelError> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    if config.beams > 1 {
        beam_search(model, inputs, config, device)
    } else {
        greedy(model, inputs, config.max_new_tokens, device)
    }
}

/// How many tokens (EOS included) each input may generate: `max_new_tokens`, or fewer where
/// the model's position table ends first. Per row, so that an answer never depends on the
/// other problems in its batch.
pub fn row_budgets(model: &Seq2Seq, inputs: &[&[u32]], max_new_tokens: usize) -> Vec<usize> {
    inputs
        .iter()
        .map(|input| {
            model
                .config()
                .generation_budget(input.len(), max_new_tokens)
        })
        .collect()
}

pub(crate) fn ids_to_host(t: Tensor<2, Int>) -> Vec<u32> {
    t.into_data()
        .convert::<i64>()
        .try_into_vec::<i64>()
        .unwrap_or_default()
        .into_iter()
        .map(|v| v as u32)
        .collect()
}

/// Greedy decoding that re-runs the full decoder on the whole prefix at every step (what CALT
/// does). Slow; kept as the reference the cached path is tested against.
pub fn greedy_uncached(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    max_new_tokens: usize,
    device: &Device,
) -> Result<Vec<Vec<u32>>, ModelError> {
    let cfg = model.config();
    let (bos, eos) = (cfg.bos_id, cfg.eos_id);
    let n = inputs.len();
    let enc = model.encode(pad_batch(inputs, cfg.pad_id, device))?;
    let mut prefixes: Vec<Vec<u32>> = vec![vec![bos]; n];
    let mut done = vec![false; n];
    let budgets = row_budgets(model, inputs, max_new_tokens);
    for step in 0..budgets.iter().copied().max().unwrap_or(0) {
        // A row out of positions stops; like a finished row it is fed EOS from here on.
        for (i, &budget) in budgets.iter().enumerate() {
            done[i] |= step >= budget;
        }
        let rows: Vec<&[u32]> = prefixes.iter().map(|p| p.as_slice()).collect();
        let logits = model.decode(pad_batch(&rows, cfg.pad_id, device), &enc)?;
        let [b, t, v] = logits.dims();
        let last = logits.slice([0..b, t - 1..t, 0..v]).reshape([b, v]);
        let next = ids_to_host(last.argmax(1));
        for (i, &token) in next.iter().enumerate() {
            if done[i] {
                // Keeps every prefix the same length; the value is never read.
                prefixes[i].push(eos);
            } else if token == eos {
                done[i] = true;
                prefixes[i].push(eos);
            } else {
                prefixes[i].push(token);
            }
        }
        if done.iter().all(|&d| d) {
            break;
        }
    }
    Ok(prefixes
        .into_iter()
        .map(|p| p.into_iter().skip(1).take_while(|&t| t != eos).collect())
        .collect())
}
