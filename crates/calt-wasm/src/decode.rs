//! Running generation batch by batch, in `calt eval`'s batch order, on either backend.
//!
//! The CPU backend reads results back synchronously, so it calls calt-core's own decoders
//! (greedy or beam search). WebGPU can only read back asynchronously; for it, [`greedy_async`]
//! and [`beam_async`] drive calt-core's step machines with each host read awaited.

use burn::tensor::{Device, Int, Tensor};
use calt_core::generation::{self, BeamDecoding, GenerationConfig, GreedyDecoding};
use calt_core::model::{ModelError, Seq2Seq};

use crate::error::PlaygroundError;

/// A model on its device, and how that device reads results back.
#[derive(Clone, Copy)]
pub struct Runner<'a> {
    pub model: &'a Seq2Seq,
    pub device: &'a Device,
    /// WebGPU: reads must be awaited.
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
        let mut out = vec![Vec::new(); inputs.len()];
        let mut done = 0;
        for chunk in order.chunks(batch_size.max(1)) {
            let rows: Vec<&[u32]> = chunk.iter().map(|&i| inputs[i]).collect();
            let generated = if !self.async_reads {
                generation::generate(self.model, &rows, config, self.device)
                    .map_err(|e| PlaygroundError::Generation(e.to_string()))?
            } else if config.beams > 1 {
                beam_async(self.model, &rows, config, self.device).await?
            } else {
                greedy_async(self.model, &rows, config.max_new_tokens, self.device).await?
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

/// calt-core's greedy decoding with each step's tokens read back by an awaited read.
pub async fn greedy_async(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    max_new_tokens: usize,
    device: &Device,
) -> Result<Vec<Vec<u32>>, PlaygroundError> {
    let failed = |e: ModelError| PlaygroundError::Generation(e.to_string());
    let mut decoding =
        GreedyDecoding::start(model, inputs, max_new_tokens, device).map_err(failed)?;
    while let Some(next) = decoding.step().map_err(failed)? {
        decoding.advance(&read_ids(next).await?);
    }
    Ok(decoding.finish())
}

/// calt-core's beam search with each step's log-probabilities read back by an awaited read.
pub async fn beam_async(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    config: &GenerationConfig,
    device: &Device,
) -> Result<Vec<Vec<u32>>, PlaygroundError> {
    let failed = |e: ModelError| PlaygroundError::Generation(e.to_string());
    let mut decoding = BeamDecoding::start(model, inputs, config, device).map_err(failed)?;
    while let Some(logp) = decoding.step().map_err(failed)? {
        decoding.advance(&read_floats(logp).await?);
    }
    Ok(decoding.finish())
}

async fn read_floats(t: Tensor<2>) -> Result<Vec<f32>, PlaygroundError> {
    let failed = |e: String| PlaygroundError::Generation(format!("reading log-probabilities: {e}"));
    let data = t
        .into_data_async()
        .await
        .map_err(|e| failed(format!("{e:?}")))?;
    data.convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| failed(format!("{e:?}")))
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
