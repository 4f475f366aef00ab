//! calt-x's decoder-only model: one causal stack over `problem ++ answer`, the answer opening
//! with BOS right after the problem's last real token.
//!
//! Batches hold right-padded problems, so the answer cannot simply follow the padded problem:
//! its positions would depend on the batch's longest problem. Instead the padded problem
//! comes first and each row's answer tokens carry the positions they have in the row's own
//! packed sequence (problem length + index), while the problem's padding is masked from every
//! query. Attention sees keys as a set, so this computes exactly what packing the row computes,
//! and a sample's answer does not depend on its batch. The problem's keys and values are
//! computed once and cached; each step appends one position per row.

use burn::tensor::{Device, Int, Tensor, TensorData};

use super::layers::LayerCache;
use super::{DecoderCache, Encoded, Seq2Seq, causal_bias};

fn range(len: usize, device: &Device) -> Tensor<2, Int> {
    let values: Vec<i64> = (0..len as i64).collect();
    Tensor::<1, Int>::from_data(TensorData::new(values, [len]), device).reshape([1, len])
}

impl Seq2Seq {
    /// The problems `[B, S]` (right-padded) as a prompt to continue.
    pub(super) fn prompt(&self, ids: Tensor<2, Int>) -> Encoded {
        let [b, _] = ids.dims();
        let pad_bias = self.padding_bias(&ids);
        let lengths = ids
            .clone()
            .equal_elem(self.config.pad_id as i64)
            .bool_not()
            .int()
            .sum_dim(1)
            .reshape([b]);
        Encoded::Prompt {
            ids,
            pad_bias,
            lengths,
        }
    }

    /// Positions of `t` answer tokens per row: `start + 0..t`, kept within the table (a row's
    /// own answer always fits; only its padding can reach past it).
    fn answer_positions(&self, start: &Tensor<1, Int>, t: usize) -> Tensor<2, Int> {
        let [b] = start.dims();
        let last = self.config.max_positions as i64 - 1;
        (start.clone().reshape([b, 1]) + range(t, &start.device())).clamp_max(last)
    }

    /// Teacher-forced logits `[B, T, V]` of answers `decoder_ids` (`[B, T]`, opening with
    /// BOS) continuing the prompt.
    pub(super) fn continue_prompt(
        &self,
        ids: &Tensor<2, Int>,
        pad_bias: &Tensor<4>,
        lengths: &Tensor<1, Int>,
        decoder_ids: Tensor<2, Int>,
    ) -> Tensor<3> {
        let [b, s] = ids.dims();
        let [_, t] = decoder_ids.dims();
        let device = ids.device();
        let positions = Tensor::cat(
            vec![
                range(s, &device).expand([b, s]),
                self.answer_positions(lengths, t),
            ],
            1,
        );
        let answer_keys = Tensor::<4>::zeros([b, 1, 1, t], &device);
        let bias =
            Tensor::cat(vec![pad_bias.clone(), answer_keys], 3) + causal_bias(s + t, &device);
        let rope = self.rope_at(&positions, self.config.decoder_heads);
        let sequence = Tensor::cat(vec![ids.clone(), decoder_ids], 1);
        let mut x = self.embed_at(sequence, &positions);
        for layer in &self.causal {
            x = layer.forward(x, &bias, rope.as_ref());
        }
        let [_, _, d] = x.dims();
        let mut answer = x.slice([0..b, s..s + t, 0..d]);
        if let Some(norm) = &self.decoder_norm {
            answer = norm.forward(answer);
        }
        self.project(answer)
    }

    /// Runs the stack over the prompt once, keeping every layer's keys and values.
    pub(super) fn prompt_cache(
        &self,
        ids: &Tensor<2, Int>,
        pad_bias: &Tensor<4>,
        lengths: &Tensor<1, Int>,
    ) -> DecoderCache {
        let [_, s] = ids.dims();
        let device = ids.device();
        let bias = pad_bias.clone() + causal_bias(s, &device);
        let rope = self.rope(0, s, self.config.decoder_heads, &device);
        let mut x = self.embed(ids.clone(), 0);
        let mut layers = Vec::with_capacity(self.causal.len());
        for layer in &self.causal {
            let mut self_kv = None;
            x = layer.forward_cached(x, &mut self_kv, &bias, rope.as_ref());
            layers.push(LayerCache {
                self_kv,
                cross_kv: None,
            });
        }
        DecoderCache {
            layers,
            key_bias: pad_bias.clone(),
            answer_start: Some(lengths.clone()),
            class_logits: None,
            len: 0,
        }
    }

    /// One answer token per row (`ids`: `[B, 1]`) at its row's next position: logits `[B, V]`.
    /// `answer_start` is the cache's own.
    pub(super) fn prompt_step(
        &self,
        ids: Tensor<2, Int>,
        answer_start: &Tensor<1, Int>,
        cache: &mut DecoderCache,
    ) -> Tensor<2> {
        let [b, _] = ids.dims();
        let device = ids.device();
        let start = answer_start;
        let positions = self.answer_positions(&start.clone().add_scalar(cache.len as i64), 1);
        let new_key = Tensor::<4>::zeros([b, 1, 1, 1], &device);
        cache.key_bias = Tensor::cat(vec![cache.key_bias.clone(), new_key], 3);
        let rope = self.rope_at(&positions, self.config.decoder_heads);
        let mut x = self.embed_at(ids, &positions);
        for (layer, lc) in self.causal.iter().zip(cache.layers.iter_mut()) {
            x = layer.forward_cached(x, &mut lc.self_kv, &cache.key_bias, rope.as_ref());
        }
        if let Some(norm) = &self.decoder_norm {
            x = norm.forward(x);
        }
        cache.len += 1;
        self.project(x).reshape([b, self.config.vocab_size])
    }
}
