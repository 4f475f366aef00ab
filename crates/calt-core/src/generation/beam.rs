//! Beam search over the cached decoder.
//!
//! Follows HF's rules with `early_stopping = true`: per step each input keeps its `K` best
//! live hypotheses out of the top `2K` extensions; an EOS extension ranked within the top `K`
//! finishes a hypothesis; an input is done once it has `K` finished hypotheses. The answer is
//! the finished hypothesis with the best `sum(log p) / length^length_penalty`, where length
//! counts the generated tokens including EOS. With `K = 1` this is exactly greedy decoding.

use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::{GenerationConfig, pad_batch, row_budgets};
use crate::model::{ModelError, Seq2Seq};

#[derive(Clone, Debug)]
struct Hypothesis {
    tokens: Vec<u32>,
    /// Sum of token log-probabilities.
    score: f64,
}

fn normalised(score: f64, len: usize, penalty: f64) -> f64 {
    score / (len.max(1) as f64).powf(penalty)
}

pub fn beam_search(
    model: &Seq2Seq,
    inputs: &[&[u32]],
    config: &GenerationConfig,
    device: &Device,
) -> Result<Vec<Vec<u32>>, ModelError> {
    let cfg = model.config();
    let (bos, eos) = (cfg.bos_id, cfg.eos_id);
    let k = config.beams.max(1);
    let n = inputs.len();
    let vocab = cfg.vocab_size;

    let enc = model.encode(pad_batch(inputs, cfg.pad_id, device))?;
    let expand: Vec<i64> = (0..n)
        .flat_map(|i| std::iter::repeat_n(i as i64, k))
        .collect();
    let enc = enc.select_rows(Tensor::from_data(TensorData::new(expand, [n * k]), device));
    let mut cache = model.start_cache(&enc);

    // Live beams per input; all start as BOS, only the first counts at step 0.
    let mut live: Vec<Vec<Hypothesis>> = (0..n)
        .map(|_| {
            (0..k)
                .map(|j| Hypothesis {
                    tokens: Vec::new(),
                    score: if j == 0 { 0.0 } else { f64::NEG_INFINITY },
                })
                .collect()
        })
        .collect();
    let mut finished: Vec<Vec<Hypothesis>> = vec![Vec::new(); n];
    let mut done = vec![false; n];
    let mut current = vec![bos; n * k];

    let budgets = row_budgets(model, inputs, config.max_new_tokens);
    for step in 0..budgets.iter().copied().max().unwrap_or(0) {
        // An input out of positions stops here; its live beams compete at the end.
        for (i, &budget) in budgets.iter().enumerate() {
            done[i] |= step >= budget;
        }
        if done.iter().all(|&d| d) {
            break;
        }
        let ids = Tensor::<1, Int>::from_data(
            TensorData::new(current.iter().map(|&t| t as i64).collect(), [n * k]),
            device,
        )
        .reshape([n * k, 1]);
        let logits = model.decode_step(ids, &mut cache)?;
        let logp: Vec<f32> = log_softmax(logits, 1)
            .into_data()
            .convert::<f32>()
            .try_into_vec::<f32>()
            .unwrap_or_default();

        let mut source = Vec::with_capacity(n * k);
        let mut next_tokens = Vec::with_capacity(n * k);
        for i in 0..n {
            if done[i] {
                // Keep the rows shaped; their outputs are ignored.
                for j in 0..k {
                    source.push((i * k + j) as i64);
                    next_tokens.push(eos);
                }
                continue;
            }
            let mut cands: Vec<(f64, usize, u32)> = Vec::with_capacity(k * vocab);
            for (j, hyp) in live[i].iter().enumerate() {
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
                        let mut tokens = live[i][j].tokens.clone();
                        tokens.push(eos);
                        finished[i].push(Hypothesis { tokens, score });
                    }
                } else if new_live.len() < k {
                    let mut tokens = live[i][j].tokens.clone();
                    tokens.push(t);
                    new_live.push((Hypothesis { tokens, score }, j));
                }
            }
            if finished[i].len() >= k || new_live.is_empty() {
                done[i] = true;
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
                source.push((i * k + j) as i64);
                next_tokens.push(hyp.tokens.last().copied().unwrap_or(eos));
            }
            live[i] = new_live.into_iter().map(|(h, _)| h).collect();
        }
        if done.iter().all(|&d| d) {
            break;
        }
        let idx = Tensor::<1, Int>::from_data(TensorData::new(source, [n * k]), device);
        cache = cache.select_rows(idx);
        current = next_tokens;
    }

    let penalty = config.length_penalty;
    Ok((0..n)
        .map(|i| {
            let mut pool = finished[i].clone();
            if pool.len() < k {
                // Ran out of positions: unfinished beams compete too.
                pool.extend(live[i].iter().filter(|h| h.score.is_finite()).cloned());
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
        .collect())
}
