//! Which of calt-x's PyTorch tensors holds which of our model's, and how the layouts differ.
//! One table serves both directions: import reads calt-x's tensors into ours, export writes
//! ours back in calt-x's names and layouts.

use crate::model::{Architecture, ModelConfig, Positional};

/// How our tensor is laid out relative to calt-x's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Same shape and order.
    Same,
    /// A Linear weight: PyTorch keeps `[out, in]`, burn `[in, out]`.
    Transposed,
    /// One of `count` equal row blocks of a packed tensor (PyTorch's `in_proj_weight` holds
    /// query, key and value as `[3d, d]`, `in_proj_bias` as `[3d]`), transposed when 2-D.
    Part { index: usize, count: usize },
    /// calt-x's table has `rows` leading rows more than ours, never looked up (BART's position
    /// tables start at row 2); export writes them as zeros.
    Offset { rows: usize },
    /// A copy of a tensor linked elsewhere (Hugging Face ties BART's encoder and decoder token
    /// embeddings and its output projection to `model.shared`): read only for its shape,
    /// never written (`from_pretrained` ties them again).
    TiedCopy,
    /// A `[rows, cols]` buffer calt has no counterpart for, zero in every calt-x model (BART's
    /// `final_logits_bias`): import checks it is zero, export writes zeros.
    Zero { rows: usize, cols: usize },
}

impl Layout {
    /// calt-x's shape of a tensor that has `ours` in our model.
    pub fn torch_shape(self, ours: &[usize]) -> Vec<usize> {
        match (self, ours) {
            (Layout::Transposed, [rows, cols]) => vec![*cols, *rows],
            (Layout::Part { count, .. }, [rows, cols]) => vec![cols * count, *rows],
            (Layout::Part { count, .. }, [len]) => vec![len * count],
            (Layout::Offset { rows }, [len, cols]) => vec![len + rows, *cols],
            (Layout::Zero { rows, cols }, _) => vec![rows, cols],
            _ => ours.to_vec(),
        }
    }
}

/// One of our tensors and where it lives in a calt-x state dict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub torch: String,
    pub ours: String,
    pub layout: Layout,
}

#[derive(Default)]
struct Links(Vec<Link>);

impl Links {
    fn add(&mut self, torch: impl Into<String>, ours: impl Into<String>, layout: Layout) {
        self.0.push(Link {
            torch: torch.into(),
            ours: ours.into(),
            layout,
        });
    }

    fn linear(&mut self, torch: &str, ours: &str, bias: bool) {
        self.add(
            format!("{torch}.weight"),
            format!("{ours}.weight"),
            Layout::Transposed,
        );
        if bias {
            self.add(
                format!("{torch}.bias"),
                format!("{ours}.bias"),
                Layout::Same,
            );
        }
    }

    fn norm(&mut self, torch: &str, ours: &str) {
        self.add(
            format!("{torch}.weight"),
            format!("{ours}.gamma"),
            Layout::Same,
        );
        self.add(
            format!("{torch}.bias"),
            format!("{ours}.beta"),
            Layout::Same,
        );
    }

    /// PyTorch's `nn.MultiheadAttention`: packed query/key/value, separate output.
    fn attention(&mut self, torch: &str, ours: &str) {
        for (index, part) in ["query", "key", "value"].into_iter().enumerate() {
            let layout = Layout::Part { index, count: 3 };
            self.add(
                format!("{torch}.in_proj_weight"),
                format!("{ours}.{part}.weight"),
                layout,
            );
            self.add(
                format!("{torch}.in_proj_bias"),
                format!("{ours}.{part}.bias"),
                layout,
            );
        }
        self.linear(
            &format!("{torch}.out_proj"),
            &format!("{ours}.output"),
            true,
        );
    }

    /// `nn.TransformerEncoderLayer` (self-attention, feed-forward, two norms).
    fn encoder_layer(&mut self, torch: &str, ours: &str) {
        self.attention(&format!("{torch}.self_attn"), &format!("{ours}.self_attn"));
        self.feed_forward(torch, ours);
        self.norm(&format!("{torch}.norm1"), &format!("{ours}.norm1"));
        self.norm(&format!("{torch}.norm2"), &format!("{ours}.norm2"));
    }

    /// `nn.TransformerDecoderLayer` (adds cross-attention and a third norm).
    fn decoder_layer(&mut self, torch: &str, ours: &str) {
        self.attention(&format!("{torch}.self_attn"), &format!("{ours}.self_attn"));
        self.attention(
            &format!("{torch}.multihead_attn"),
            &format!("{ours}.cross_attn"),
        );
        self.feed_forward(torch, ours);
        for norm in ["norm1", "norm2", "norm3"] {
            self.norm(&format!("{torch}.{norm}"), &format!("{ours}.{norm}"));
        }
    }

    fn feed_forward(&mut self, torch: &str, ours: &str) {
        self.linear(&format!("{torch}.linear1"), &format!("{ours}.ffn.up"), true);
        self.linear(
            &format!("{torch}.linear2"),
            &format!("{ours}.ffn.down"),
            true,
        );
    }

    fn embeddings(&mut self, config: &ModelConfig, norm: Option<&str>) {
        self.add("embedding.weight", "embedding.weight", Layout::Same);
        if config.positional == Positional::Learned {
            self.add(
                "positional_embedding.embedding.weight",
                "positions",
                Layout::Same,
            );
        }
        if let Some(norm) = norm.filter(|_| config.embedding_layer_norm) {
            self.norm(norm, "embed_norm");
        }
    }
}

/// Hugging Face's `BartAttention`: separate projections, all with biases.
fn bart_attention(links: &mut Links, torch: &str, ours: &str) {
    for (theirs, part) in [
        ("q_proj", "query"),
        ("k_proj", "key"),
        ("v_proj", "value"),
        ("out_proj", "output"),
    ] {
        links.linear(
            &format!("{torch}.{theirs}"),
            &format!("{ours}.{part}"),
            true,
        );
    }
}

/// One stack of `BartForConditionalGeneration` (`model.encoder` or `model.decoder`).
fn bart_stack(links: &mut Links, config: &ModelConfig, decoder: bool) {
    let (torch, layers, positions, norm) = if decoder {
        (
            "model.decoder",
            config.decoder_layers,
            "decoder_positions",
            "decoder_embed_norm",
        )
    } else {
        (
            "model.encoder",
            config.encoder_layers,
            "positions",
            "embed_norm",
        )
    };
    links.add(
        format!("{torch}.embed_tokens.weight"),
        "embedding.weight",
        Layout::TiedCopy,
    );
    links.add(
        format!("{torch}.embed_positions.weight"),
        positions,
        Layout::Offset { rows: 2 },
    );
    links.norm(&format!("{torch}.layernorm_embedding"), norm);
    let ours_stack = if decoder { "decoder" } else { "encoder" };
    for i in 0..layers {
        let (torch, ours) = (format!("{torch}.layers.{i}"), format!("{ours_stack}.{i}"));
        bart_attention(
            links,
            &format!("{torch}.self_attn"),
            &format!("{ours}.self_attn"),
        );
        links.norm(
            &format!("{torch}.self_attn_layer_norm"),
            &format!("{ours}.norm1"),
        );
        let last_norm = if decoder {
            bart_attention(
                links,
                &format!("{torch}.encoder_attn"),
                &format!("{ours}.cross_attn"),
            );
            links.norm(
                &format!("{torch}.encoder_attn_layer_norm"),
                &format!("{ours}.norm2"),
            );
            "norm3"
        } else {
            "norm2"
        };
        links.linear(&format!("{torch}.fc1"), &format!("{ours}.ffn.up"), true);
        links.linear(&format!("{torch}.fc2"), &format!("{ours}.ffn.down"), true);
        links.norm(
            &format!("{torch}.final_layer_norm"),
            &format!("{ours}.{last_norm}"),
        );
    }
}

/// The links of a calt-x model of `config`'s family; `None` for a model calt-x has no
/// counterpart of (a BART without learned positions).
pub fn links(config: &ModelConfig) -> Option<Vec<Link>> {
    let mut links = Links::default();
    match config.architecture {
        Architecture::Generic => {
            links.embeddings(config, Some("embedding_layer_norm"));
            for i in 0..config.encoder_layers {
                links.encoder_layer(
                    &format!("transformer.encoder.layers.{i}"),
                    &format!("encoder.{i}"),
                );
            }
            links.norm("transformer.encoder.norm", "encoder_norm");
            for i in 0..config.decoder_layers {
                links.decoder_layer(
                    &format!("transformer.decoder.layers.{i}"),
                    &format!("decoder.{i}"),
                );
            }
            links.norm("transformer.decoder.norm", "decoder_norm");
            links.linear("lm_head", "lm_head", false);
        }
        Architecture::DecoderOnly => {
            links.embeddings(config, Some("emb_norm"));
            for i in 0..config.decoder_layers {
                links.encoder_layer(&format!("transformer.layers.{i}"), &format!("causal.{i}"));
            }
            links.norm("transformer.norm", "decoder_norm");
            links.linear("lm_head", "lm_head", false);
        }
        Architecture::EncoderClassifier => {
            links.embeddings(config, None);
            for i in 0..config.encoder_layers {
                links.encoder_layer(&format!("encoder.layers.{i}"), &format!("encoder.{i}"));
            }
            links.linear("classifier", "lm_head", true);
        }
        Architecture::Bart => {
            if config.positional != Positional::Learned {
                return None;
            }
            links.add("model.shared.weight", "embedding.weight", Layout::Same);
            bart_stack(&mut links, config, false);
            bart_stack(&mut links, config, true);
            links.add("lm_head.weight", "embedding.weight", Layout::TiedCopy);
            links.add(
                "final_logits_bias",
                "",
                Layout::Zero {
                    rows: 1,
                    cols: config.vocab_size,
                },
            );
        }
    }
    Some(links.0)
}
