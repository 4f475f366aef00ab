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

use super::attention::{KeyValue, RopeTables};
use super::positions::{FixedTables, rotary_rows, rows_at};
use super::{CacheState, DecoderCache, Encoded, Seq2Seq, Stack, causal_bias, rotate_embedding};

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

    /// The fixed position tables of positions `0..len` (the stack's heads for `rope`).
    fn fixed_tables(&self, len: usize, device: &Device) -> FixedTables {
        let c = &self.config;
        FixedTables::new(
            c.positional,
            len,
            c.d_model,
            c.d_model / c.decoder_heads,
            device,
        )
    }

    /// Token embedding + per-row absolute `positions` (`[B, L]`, each below the tables' length).
    fn embed_at(
        &self,
        ids: Tensor<2, Int>,
        positions: &Tensor<2, Int>,
        tables: &FixedTables,
    ) -> Tensor<3> {
        let x = self.embedding.forward(ids);
        let x = match tables {
            FixedTables::Sinusoidal(table) => x + rows_at(table.clone(), positions),
            FixedTables::EmbeddingRotation { cos, sin } => {
                let (cos, sin) = rotary_rows(cos, sin, positions);
                rotate_embedding(x, &cos, &sin)
            }
            // Learned positions are the one table that is a parameter.
            FixedTables::HeadRotation { .. } | FixedTables::Nothing => match &self.positions {
                Some(table) => x + rows_at(table.val(), positions),
                None => x,
            },
        };
        self.finish_embedding(x, Stack::Decoder)
    }

    /// The attention's rotary tables at per-row `positions`, for `rope`.
    fn rope_at(&self, positions: &Tensor<2, Int>, tables: &FixedTables) -> Option<RopeTables> {
        match tables {
            FixedTables::HeadRotation { cos, sin } => Some(rotary_rows(cos, sin, positions)),
            _ => None,
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
        // No position exceeds s + t - 1 (nor the table's end, where they are clamped).
        let tables = self.fixed_tables((s + t).min(self.config.max_positions), &device);
        let rope = self.rope_at(&positions, &tables);
        let sequence = Tensor::cat(vec![ids.clone(), decoder_ids], 1);
        let mut x = self.embed_at(sequence, &positions, &tables);
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
        let [b, s] = ids.dims();
        let device = ids.device();
        let bias = pad_bias.clone() + causal_bias(s, &device);
        // The whole table, built once: the prompt and every answer step look their rows up.
        let tables = self.fixed_tables(self.config.max_positions, &device);
        let positions = range(s, &device).expand([b, s]);
        let rope = self.rope_at(&positions, &tables);
        let mut x = self.embed_at(ids.clone(), &positions, &tables);
        let mut self_kv = vec![None; self.causal.len()];
        for (layer, kv) in self.causal.iter().zip(self_kv.iter_mut()) {
            x = layer.forward_cached(x, kv, &bias, rope.as_ref());
        }
        DecoderCache {
            self_kv,
            state: CacheState::Prompt {
                key_bias: pad_bias.clone(),
                answer_start: lengths.clone(),
                tables,
            },
            len: 0,
        }
    }

    /// One answer token per row (`ids`: `[B, 1]`) at answer position `step` of its row:
    /// logits `[B, V]`. The arguments are the cache's own ([`CacheState::Prompt`]).
    pub(super) fn prompt_step(
        &self,
        ids: Tensor<2, Int>,
        self_kv: &mut [Option<KeyValue>],
        key_bias: &mut Tensor<4>,
        answer_start: &Tensor<1, Int>,
        tables: &FixedTables,
        step: usize,
    ) -> Tensor<2> {
        let [b, _] = ids.dims();
        let device = ids.device();
        let positions = self.answer_positions(&answer_start.clone().add_scalar(step as i64), 1);
        let new_key = Tensor::<4>::zeros([b, 1, 1, 1], &device);
        *key_bias = Tensor::cat(vec![key_bias.clone(), new_key], 3);
        let rope = self.rope_at(&positions, tables);
        let mut x = self.embed_at(ids, &positions, tables);
        for (layer, kv) in self.causal.iter().zip(self_kv.iter_mut()) {
            x = layer.forward_cached(x, kv, key_bias, rope.as_ref());
        }
        if let Some(norm) = &self.decoder_norm {
            x = norm.forward(x);
        }
        self.project(x).reshape([b, self.config.vocab_size])
    }
}
