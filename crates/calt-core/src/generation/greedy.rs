//! Batched greedy decoding with a key/value cache, as a step machine: each step's argmax
//! stays on the device until the caller reads it, synchronously ([`greedy`]) or awaited (the
//! browser's WebGPU, whose reads cannot block). Finished rows are dropped from the batch, so
//! a batch costs what its still-running rows cost.

use burn::tensor::{Device, Int, Tensor};

use super::{id_tensor, ids_to_host, pad_batch, row_budgets};
use crate::model::{DecoderCache, ModelError, Seq2Seq};

/// One batch being decoded greedily.
pub struct GreedyDecoding<'m> {
    model: &'m Seq2Seq,
    device: Device,
    cache: DecoderCache,
    outputs: Vec<Vec<u32>>,
    /// `active[i]` = original row index of cache row i.
    active: Vec<usize>,
    /// The token each active row feeds to the next step.
    current: Vec<u32>,
    /// Tokens each row may generate (EOS included), by original row.
    budgets: Vec<usize>,
}

impl<'m> GreedyDecoding<'m> {
    /// Encodes `inputs` (each `[BOS, …, EOS]`); nothing is decoded yet.
    pub fn start(
        model: &'m Seq2Seq,
        inputs: &[&[u32]],
        max_new_tokens: usize,
        device: &Device,
    ) -> Result<Self, ModelError> {
        let cfg = model.config();
        let n = inputs.len();
        let enc = model.encode(pad_batch(inputs, cfg.pad_id, device))?;
        let budgets = row_budgets(model, inputs, max_new_tokens);
        let active: Vec<usize> = (0..n).filter(|&i| budgets[i] > 0).collect();
        let mut cache = model.start_cache(&enc);
        if active.len() < n && !active.is_empty() {
            let rows: Vec<u32> = active.iter().map(|&i| i as u32).collect();
            cache = cache.select_rows(id_tensor(&rows, device));
        }
        Ok(Self {
            model,
            device: device.clone(),
            cache,
            outputs: vec![Vec::new(); n],
            current: vec![cfg.bos_id; active.len()],
            active,
            budgets,
        })
    }

    /// Runs the decoder one step for the active rows: their next tokens as `[rows, 1]` ids
    /// on the device, for [`Self::advance`]; `None` once every row has finished.
    pub fn step(&mut self) -> Result<Option<Tensor<2, Int>>, ModelError> {
        if self.active.is_empty() {
            return Ok(None);
        }
        let ids = id_tensor(&self.current, &self.device).reshape([self.current.len(), 1]);
        let logits = self.model.decode_step(ids, &mut self.cache)?;
        Ok(Some(logits.argmax(1)))
    }

    /// Takes the step's tokens as read back on the host: EOS finishes a row, the others are
    /// appended and fed to the next step; a row that has used its budget finishes too.
    pub fn advance(&mut self, next: &[u32]) {
        let eos = self.model.config().eos_id;
        let mut keep = Vec::with_capacity(self.active.len());
        for (row, &token) in next.iter().enumerate() {
            let original = self.active[row];
            if token == eos {
                continue;
            }
            self.outputs[original].push(token);
            if self.outputs[original].len() < self.budgets[original] {
                keep.push(row);
            }
        }
        if !keep.is_empty() && keep.len() < self.active.len() {
            let rows: Vec<u32> = keep.iter().map(|&r| r as u32).collect();
            self.cache = self.cache.select_rows(id_tensor(&rows, &self.device));
        }
        self.active = keep.iter().map(|&r| self.active[r]).collect();
        self.current = keep.iter().map(|&r| next[r]).collect();
    }

    /// The generated tokens of every row, in input order (without BOS and EOS).
    pub fn finish(self) -> Vec<Vec<u32>> {
        self.outputs
    }
}

/// Greedy decoding of one batch, reading each step's tokens synchronously.
pub fn greedy(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    max_new_tokens: usize,
    device: &Device,
) -> Result<Vec<Vec<u32>>, ModelError> {
    let mut decoding = GreedyDecoding::start(model, inputs, max_new_tokens, device)?;
    while let Some(next) = decoding.step()? {
        decoding.advance(&ids_to_host(next));
    }
    Ok(decoding.finish())
}
