//! Beam search over the cached decoder.
//!
//! Follows HF's rules with `early_stopping = true`: per step each input keeps its `K` best
//! live hypotheses out of the top `2K` extensions; an EOS extension ranked within the top `K`
//! finishes a hypothesis; an input is done once it has `K` finished hypotheses. The answer is
//! the finished hypothesis with the best `sum(log p) / length^length_penalty`, where length
//! counts the generated tokens including EOS. With `K = 1` this is exactly greedy decoding.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor};

use super::{GenerationConfig, id_tensor, pad_batch, row_budgets};
use crate::model::{DecoderCache, ModelError, Seq2Seq};

#[derive(Clone, Debug)]
struct Hypothesis {
    tokens: Vec<u32>,
    /// Sum of token log-probabilities.
    score: f64,
}

fn normalised(score: f64, len: usize, penalty: f64) -> f64 {
    score / (len.max(1) as f64).powf(penalty)
}

/// One batch under beam search, as a step machine like [`super::GreedyDecoding`]: each step's
/// log-probabilities stay on the device until the caller reads them, synchronously
/// ([`beam_search`]) or awaited (the browser's WebGPU).
pub struct BeamDecoding<'m> {
    model: &'m Seq2Seq,
    device: Device,
    cache: DecoderCache,
    beams: usize,
    length_penalty: f64,
    /// Live hypotheses per input (`beams` each; dead ones score −∞).
    live: Vec<Vec<Hypothesis>>,
    finished: Vec<Vec<Hypothesis>>,
    done: Vec<bool>,
    /// The token each of the `inputs × beams` cache rows feeds to the next step.
    current: Vec<u32>,
    budgets: Vec<usize>,
    step: usize,
}

impl<'m> BeamDecoding<'m> {
    /// Encodes `inputs` (each `[BOS, …, EOS]`) once per beam; nothing is decoded yet.
    pub fn start(
        model: &'m Seq2Seq,
        inputs: &[&[u32]],
        config: &GenerationConfig,
        device: &Device,
    ) -> Result<Self, ModelError> {
        let cfg = model.config();
        let k = config.beams.max(1);
        let n = inputs.len();
        let enc = model.encode(pad_batch(inputs, cfg.pad_id, device))?;
        let expand: Vec<u32> = (0..n as u32)
            .flat_map(|i| std::iter::repeat_n(i, k))
            .collect();
        let enc = enc.select_rows(id_tensor(&expand, device));
        // Every beam starts as BOS; only the first counts at step 0.
        let live = (0..n)
            .map(|_| {
                (0..k)
                    .map(|j| Hypothesis {
                        tokens: Vec::new(),
                        score: if j == 0 { 0.0 } else { f64::NEG_INFINITY },
                    })
                    .collect()
            })
            .collect();
        Ok(Self {
            model,
            device: device.clone(),
            cache: model.start_cache(&enc),
            beams: k,
            length_penalty: config.length_penalty,
            live,
            finished: vec![Vec::new(); n],
            done: vec![false; n],
            current: vec![cfg.bos_id; n * k],
            budgets: row_budgets(model, inputs, config.max_new_tokens),
            step: 0,
        })
    }

    /// Runs the decoder one step for every beam: log-probabilities `[inputs × beams, vocab]`
    /// on the device, for [`Self::advance`]; `None` once every input is done.
    pub fn step(&mut self) -> Result<Option<Tensor<2>>, ModelError> {
        // An input out of positions stops here; its live beams compete at the end.
        for (done, &budget) in self.done.iter_mut().zip(&self.budgets) {
            *done |= self.step >= budget;
        }
        if self.done.iter().all(|&d| d) {
            return Ok(None);
        }
        let ids = id_tensor(&self.current, &self.device).reshape([self.current.len(), 1]);
        let logits = self.model.decode_step(ids, &mut self.cache)?;
        Ok(Some(log_softmax(logits, 1)))
    }

    /// Takes the step's log-probabilities as read back on the host (row-major): each input
    /// keeps its best extensions, and the cache rows follow the beams they extend.
    pub fn advance(&mut self, logp: &[f32]) {
        let (k, eos) = (self.beams, self.model.config().eos_id);
        let vocab = self.model.config().vocab_size;
        let n = self.live.len();
        let mut source = Vec::with_capacity(n * k);
        let mut next_tokens = Vec::with_capacity(n * k);
        for i in 0..n {
            if self.done[i] {
                // Keep the rows shaped; their outputs are ignored.
                for j in 0..k {
                    source.push((i * k + j) as u32);
                    next_tokens.push(eos);
                }
                continue;
            }
            let live = &self.live[i];
            let mut cands: Vec<(f64, usize, u32)> = Vec::with_capacity(k * vocab);
            for (j, hyp) in live.iter().enumerate() {
                if hyp.score == f64::NEG_INFINITY {
                    continue;
                }
                let row = &logp[(i * k + j) * vocab..(i * k + j + 1) * vocab];
                for (t, &lp) in row.iter().enumerate() {
                    cands.push((hyp.score + lp as f64, j, t as u32));
                }
            }
            cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            let mut new_live = Vec::with_capacity(k);
            for (rank, &(score, j, t)) in cands.iter().take(2 * k).enumerate() {
                if t == eos {
                    if rank < k {
                        let mut tokens = live[j].tokens.clone();
                        tokens.push(eos);
                        self.finished[i].push(Hypothesis { tokens, score });
                    }
                } else if new_live.len() < k {
                    let mut tokens = live[j].tokens.clone();
                    tokens.push(t);
                    new_live.push((Hypothesis { tokens, score }, j));
                }
            }
            if self.finished[i].len() >= k || new_live.is_empty() {
                self.done[i] = true;
            }
            while new_live.len() < k {
                new_live.push((
                    Hypothesis {
                        tokens: Vec::new(),
                        score: f64::NEG_INFINITY,
                    },
                    0,
                ));
            }
            for (hyp, j) in &new_live {
                source.push((i * k + j) as u32);
                next_tokens.push(hyp.tokens.last().copied().unwrap_or(eos));
            }
            self.live[i] = new_live.into_iter().map(|(h, _)| h).collect();
        }
        self.step += 1;
        if self.done.iter().all(|&d| d) {
            return;
        }
        self.cache = self.cache.select_rows(id_tensor(&source, &self.device));
        self.current = next_tokens;
    }

    /// Each input's best finished hypothesis by `score / length^length_penalty` (without EOS),
    /// in input order.
    pub fn finish(self) -> Vec<Vec<u32>> {
        let (k, penalty, eos) = (self.beams, self.length_penalty, self.model.config().eos_id);
        self.finished
            .into_iter()
            .zip(self.live)
            .map(|(mut pool, live)| {
                if pool.len() < k {
                    // Ran out of positions: unfinished beams compete too.
                    pool.extend(live.into_iter().filter(|h| h.score.is_finite()));
                }
                pool.into_iter()
                    .max_by(|a, b| {
                        normalised(a.score, a.tokens.len(), penalty).total_cmp(&normalised(
                            b.score,
                            b.tokens.len(),
                            penalty,
                        ))
                    })
                    .map(|h| h.tokens.into_iter().filter(|&t| t != eos).collect())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// Beam search over one batch, reading each step's log-probabilities synchronously.
pub fn beam_search(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    config: &GenerationConfig,
    device: &Device,
) -> Result<Vec<Vec<u32>>, ModelError> {
    let mut decoding = BeamDecoding::start(model, inputs, config, device)?;
    while let Some(logp) = decoding.step()? {
        let logp = logp
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .map_err(|e| ModelError::Read(format!("{e:?}")))?;
        decoding.advance(&logp);
    }
    Ok(decoding.finish())
}
