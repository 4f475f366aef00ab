//! Running generation batch by batch, in `calt eval`'s batch order, on either backend.
//!
//! The CPU backend reads results back synchronously, so it calls calt-core's own decoders
//! (greedy or beam search). WebGPU can only read back asynchronously; for it,
//! [`greedy_async`] is calt-core's cached greedy loop with the one host read awaited.

use burn::tensor::{Device, Int, Tensor, TensorData};
use calt_core::generation::{self, GenerationConfig, pad_batch};
use calt_core::model::Seq2Seq;

use crate::error::PlaygroundError;

/// A model on its device, and how that device reads results back.
#[derive(Clone, Copy)]
pub struct Runner<'a> {
    pub model: &'a Seq2Seq,
    pub device: &'a Device,
    /// WebGPU: reads must be awaited (greedy only).
    pub async_reads: bool,
}

impl Runner<'_> {
    /// Generates answers for `inputs`, `batch_size` rows at a time in the order `order` gives
    /// (sorted by length, as the CLI does), returning them in input order. `progress` gets
    /// the number of samples finished after each batch.
    pub async fn generate_batches(
        &self,
        inputs: &[&[u32]],
        order: &[usize],
        batch_size: usize,
        config: &GenerationConfig,
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<Vec<u32>>, PlaygroundError> {
        if self.async_reads && config.beams > 1 {
            return Err(PlaygroundError::Options(
                "beam search runs on the CPU backend only; choose greedy or the CPU".into(),
            ));
        }
        let mut out = vec![Vec::new(); inputs.len()];
        let mut done = 0;
        for chunk in order.chunks(batch_size.max(1)) {
            let rows: Vec<&[u32]> = chunk.iter().map(|&i| inputs[i]).collect();
            let generated = if self.async_reads {
                greedy_async(self.model, &rows, config.max_new_tokens, self.device).await?
            } else {
                generation::generate(self.model, &rows, config, self.device)
                    .map_err(|e| PlaygroundError::Generation(e.to_string()))?
            };
            for (&i, g) in chunk.iter().zip(generated) {
                out[i] = g;
            }
            done += chunk.len();
            progress(done);
        }
        Ok(out)
    }
}

/// `calt_core::generation::greedy` with an awaited read of each step's argmax: batched,
/// KV-cached, finished rows dropped, never past the position table.
pub async fn greedy_async(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    max_new_tokens: usize,
    device: &Device,
) -> Result<Vec<Vec<u32>>, PlaygroundError> {
    let failed = |e: &dyn std::fmt::Display| PlaygroundError::Generation(e.to_string());
    let cfg = model.config();
    let (bos, eos) = (cfg.bos_id, cfg.eos_id);
    let n = inputs.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let enc = model
        .encode(pad_batch(inputs, cfg.pad_id, device))
        .map_err(|e| failed(&e))?;
    let mut cache = model.start_cache(&enc);
    let mut outputs = vec![Vec::new(); n];
    let mut active: Vec<usize> = (0..n).collect();
    let mut current = vec![bos; n];
    for _ in 0..max_new_tokens.min(cfg.max_positions) {
        let ids = int_tensor(current.iter().map(|&t| t as i64).collect(), device)
            .reshape([current.len(), 1]);
        let logits = model.decode_step(ids, &mut cache).map_err(|e| failed(&e))?;
        let next = read_ids(logits.argmax(1)).await?;
        let mut keep = Vec::with_capacity(active.len());
        for (row, &token) in next.iter().enumerate() {
            if token == eos {
                continue;
            }
            outputs[active[row]].push(token);
            keep.push(row);
        }
        if keep.is_empty() {
            break;
        }
        if keep.len() < active.len() {
            let idx = int_tensor(keep.iter().map(|&r| r as i64).collect(), device);
            cache = cache.select_rows(idx);
            active = keep.iter().map(|&r| active[r]).collect();
        }
        current = keep.iter().map(|&r| next[r]).collect();
    }
    Ok(outputs)
}

fn int_tensor(values: Vec<i64>, device: &Device) -> Tensor<1, Int> {
    let len = values.len();
    Tensor::from_data(TensorData::new(values, [len]), device)
}

async fn read_ids(t: Tensor<2, Int>) -> Result<Vec<u32>, PlaygroundError> {
    let failed = |e: String| PlaygroundError::Generation(format!("reading token ids: {e}"));
    let data = t
        .into_data_async()
        .await
        .map_err(|e| failed(format!("{e:?}")))?;
    let ids = data
        .convert::<i64>()
        .try_into_vec::<i64>()
        .map_err(|e| failed(format!("{e:?}")))?;
    Ok(ids.into_iter().map(|v| v as u32).collect())
}
