//! The arithmetic of the model's matrix products for a given workload: the part of the work
//! that no implementation can skip. `calt bench` divides it by the device's measured
//! matrix-product rate to show the fastest that generation and training could possibly run on
//! that device, next to what they do run at.
//!
//! Counted: every projection (attention, feed-forward, output head) and the attention products
//! (scores and weighted values) over real tokens only, 2 FLOP per multiply-add. Not counted:
//! element-wise work (norms, softmax, biases, activations), which a floor may leave out
//! because it only makes the floor lower.

use super::{Architecture, ModelConfig};

/// Multiply-adds of one `[1, k] × [k, n]` product.
fn mac(k: usize, n: usize) -> f64 {
    (k * n) as f64
}

impl ModelConfig {
    /// Per encoder token, all layers: Q/K/V/O projections and the feed-forward.
    fn encoder_token_macs(&self) -> f64 {
        let d = self.d_model;
        self.encoder_layers as f64 * (4.0 * mac(d, d) + 2.0 * mac(d, self.encoder_ffn_dim))
    }

    /// Per encoder token, all decoder layers: its cross-attention key and value.
    fn cross_memory_token_macs(&self) -> f64 {
        self.decoder_layers as f64 * 2.0 * mac(self.d_model, self.d_model)
    }

    /// Per position of the decoder-only stack, all layers: Q/K/V/O and the feed-forward.
    fn causal_token_macs(&self) -> f64 {
        let d = self.d_model;
        self.decoder_layers as f64 * (4.0 * mac(d, d) + 2.0 * mac(d, self.decoder_ffn_dim))
    }

    /// Per decoder position, all layers: self-attention Q/K/V/O, cross-attention Q/O, the
    /// feed-forward, and the output head (the decoder-only stack has no cross-attention; the
    /// classifier has no decoder positions).
    fn decoder_token_macs(&self) -> f64 {
        let d = self.d_model;
        let head = mac(d, self.vocab_size);
        match self.architecture {
            Architecture::DecoderOnly => self.causal_token_macs() + head,
            Architecture::EncoderClassifier => 0.0,
            Architecture::Generic | Architecture::Bart => {
                self.decoder_layers as f64 * (6.0 * mac(d, d) + 2.0 * mac(d, self.decoder_ffn_dim))
                    + head
            }
        }
    }

    /// Scores and weighted values of one query over `keys` keys, for `layers` layers.
    fn attention_macs(&self, layers: usize, keys: usize) -> f64 {
        layers as f64 * 2.0 * mac(self.d_model, keys)
    }

    /// FLOP of reading `s` problem tokens: the encoder plus the cross-attention keys/values of
    /// every decoder layer; the decoder-only stack over the problem (each token attending to
    /// those before it); the classifier's encoder and its one head product.
    fn encode_flops(&self, s: usize) -> f64 {
        let macs = match self.architecture {
            Architecture::DecoderOnly => (1..=s)
                .map(|p| self.causal_token_macs() + self.attention_macs(self.decoder_layers, p))
                .sum(),
            Architecture::EncoderClassifier => {
                s as f64 * (self.encoder_token_macs() + self.attention_macs(self.encoder_layers, s))
                    + mac(self.d_model, self.vocab_size)
            }
            Architecture::Generic | Architecture::Bart => {
                s as f64
                    * (self.encoder_token_macs()
                        + self.cross_memory_token_macs()
                        + self.attention_macs(self.encoder_layers, s))
            }
        };
        2.0 * macs
    }

    /// FLOP of greedy generation with a key/value cache: for each row, its input length and
    /// the number of decoder steps it ran (generated tokens plus the step that produced EOS,
    /// when it stopped there).
    pub fn generation_flops(&self, rows: impl IntoIterator<Item = (usize, usize)>) -> f64 {
        rows.into_iter()
            .map(|(s, steps)| {
                // Step t (1-based) attends to t cached positions and to the s memory tokens.
                let steps = if self.architecture == Architecture::EncoderClassifier {
                    0
                } else {
                    steps
                };
                let decoder: f64 = (1..=steps)
                    .map(|t| {
                        self.decoder_token_macs() + self.attention_macs(self.decoder_layers, t + s)
                    })
                    .sum();
                self.encode_flops(s) + 2.0 * decoder
            })
            .sum()
    }

    /// FLOP of one teacher-forced forward pass over an input of `s` tokens and a decoder input
    /// of `t` tokens (full `t × t` self-attention scores, as they are computed).
    pub fn forward_flops(&self, s: usize, t: usize) -> f64 {
        if self.architecture == Architecture::EncoderClassifier {
            return self.encode_flops(s);
        }
        let per_position =
            self.decoder_token_macs() + self.attention_macs(self.decoder_layers, t + s);
        self.encode_flops(s) + 2.0 * t as f64 * per_position
    }

    /// FLOP of one training step's forward and backward pass over a sample: the backward pass
    /// multiplies twice per forward product (gradients of both operands).
    pub fn training_flops(&self, s: usize, t: usize) -> f64 {
        3.0 * self.forward_flops(s, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// d_model 4, one layer each side, feed-forward 8, vocabulary 10.
    fn config() -> ModelConfig {
        ModelConfig {
            d_model: 4,
            encoder_ffn_dim: 8,
            decoder_ffn_dim: 8,
            ..ModelConfig::small(10, 0, 1, 2)
        }
    }

    #[test]
    fn generation_counts_every_product_by_hand() {
        let c = config();
        // Encoder, 2 tokens: per token Q/K/V/O 4·16 + FFN 2·32 = 128, cross K/V 2·16 = 32,
        // attention over 2 keys 2·4·2 = 16 → 176 MACs per token, 352 for both.
        // Decoder, 3 steps: per step 6·16 + 2·32 + head 4·10 = 200, attention over t + 2 keys
        // 8·(t + 2): steps 1..3 → 224 + 232 + 240 = 696 MACs.
        let flops = c.generation_flops([(2, 3)]);
        assert_eq!(flops, 2.0 * (352.0 + 696.0));
    }

    #[test]
    fn training_is_three_forward_passes_and_rows_add_up() {
        let c = config();
        // Teacher forcing over 3 decoder positions attends to all 3 (plus the 2 memory
        // tokens) at every position: 3 · (200 + 8·5) = 720 MACs.
        assert_eq!(c.forward_flops(2, 3), 2.0 * (352.0 + 720.0));
        assert_eq!(c.training_flops(2, 3), 3.0 * c.forward_flops(2, 3));
        let both = c.generation_flops([(2, 3), (5, 1)]);
        assert_eq!(
            both,
            c.generation_flops([(2, 3)]) + c.generation_flops([(5, 1)])
        );
    }

    #[test]
    fn decoder_only_and_classifier_count_their_own_stacks() {
        let decoder_only = ModelConfig {
            architecture: Architecture::DecoderOnly,
            encoder_layers: 0,
            ..config()
        };
        // Problem of 2 tokens through the causal stack: per token 4·16 + 2·32 = 128, attention
        // over 1 and 2 keys 8 + 16 → 280 MACs. One step: 128 + head 40 + 8·3 keys = 192.
        assert_eq!(
            decoder_only.generation_flops([(2, 1)]),
            2.0 * (280.0 + 192.0)
        );
        let classifier = ModelConfig {
            architecture: Architecture::EncoderClassifier,
            decoder_layers: 0,
            ..config()
        };
        // Encoder over 2 tokens (2 · (128 + 16)) and the head once (40): steps cost nothing.
        assert_eq!(classifier.generation_flops([(2, 2)]), 2.0 * (288.0 + 40.0));
        assert_eq!(classifier.training_flops(2, 2), 3.0 * 2.0 * (288.0 + 40.0));
    }
}
