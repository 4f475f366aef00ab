//! calt-x's encoder classifier: the encoder's output, mean-pooled over each row's real tokens,
//! is scored over the vocabulary, so the predicted class is the answer's one token. Its
//! answer is presented to the decoders as `[class, EOS]`, so greedy and beam decoding,
//! evaluation and the browser treat it like any other family.

use burn::tensor::{Int, Tensor, TensorData};

use super::{MASKED, Seq2Seq};

impl Seq2Seq {
    /// Class scores `[B, V]` of right-padded problems `[B, S]`.
    pub(super) fn classify(&self, input_ids: Tensor<2, Int>) -> Tensor<2> {
        let [b, s] = input_ids.dims();
        let real = input_ids
            .clone()
            .equal_elem(self.config.pad_id as i64)
            .bool_not()
            .float()
            .reshape([b, s, 1]);
        let (encoded, _) = self.run_encoder(input_ids);
        let [_, _, d] = encoded.dims();
        let summed = (encoded * real.clone()).sum_dim(1).reshape([b, d]);
        let counts = real.sum_dim(1).reshape([b, 1]).clamp_min(1.0);
        let pooled = (summed / counts).reshape([b, 1, d]);
        self.project(pooled).reshape([b, self.config.vocab_size])
    }

    /// Logits of answer position `step`: the class scores first, then EOS for certain.
    pub(super) fn class_step(&self, class_logits: &Tensor<2>, step: usize) -> Tensor<2> {
        if step == 0 {
            return class_logits.clone();
        }
        let [b, v] = class_logits.dims();
        let mut eos = vec![MASKED; v];
        eos[self.config.eos_id as usize] = 0.0;
        Tensor::<1>::from_data(TensorData::new(eos, [v]), &class_logits.device())
            .reshape([1, v])
            .expand([b, v])
    }

    /// Teacher-forced logits `[B, T, V]` of a `T`-token answer: [`Self::class_step`] at each.
    pub(super) fn class_answer(&self, class_logits: &Tensor<2>, t: usize) -> Tensor<3> {
        let [b, v] = class_logits.dims();
        let steps = (0..t)
            .map(|step| self.class_step(class_logits, step).reshape([b, 1, v]))
            .collect();
        Tensor::cat(steps, 1)
    }
}
