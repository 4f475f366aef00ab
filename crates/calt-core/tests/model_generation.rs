//! Decoding invariants on untrained (randomly initialised) models of every family: the KV
//! cache changes nothing, one beam is greedy, and padding in a batch does not change a
//! sample's answer.

// Reads files or runs long native checks; the browser tests are browser_core.rs.
#![cfg(not(target_arch = "wasm32"))]

use burn::tensor::Device;
use calt_core::generation::{GenerationConfig, beam_search, greedy, greedy_uncached, pad_batch};
use calt_core::model::{Architecture, ModelConfig, Positional, Seq2Seq};

const PAD: u32 = 0;
const BOS: u32 = 1;
const EOS: u32 = 2;

fn config(arch: Architecture, positional: Positional) -> ModelConfig {
    ModelConfig {
        architecture: arch,
        positional,
        d_model: 32,
        encoder_layers: 2,
        decoder_layers: 2,
        encoder_heads: 4,
        decoder_heads: 2,
        encoder_ffn_dim: 48,
        decoder_ffn_dim: 40,
        max_positions: 24,
        // Larger init so the untrained model produces varied tokens rather than one repeat.
        init_std: 0.3,
        ..ModelConfig::small(14, PAD, BOS, EOS)
    }
}

fn inputs() -> Vec<Vec<u32>> {
    vec![
        vec![BOS, 3, 4, 5, EOS],
        vec![BOS, 7, EOS],
        vec![BOS, 9, 10, 11, 12, 13, 3, 4, EOS],
        vec![BOS, 6, 6, 8, 3, EOS],
    ]
}

/// Every way positions enter the decoder-only model.
const DECODER_ONLY_POSITIONS: [Positional; 5] = [
    Positional::Learned,
    Positional::Sinusoidal,
    Positional::Rope,
    Positional::RotatedEmbedding,
    Positional::None,
];

fn all_configs() -> Vec<ModelConfig> {
    let mut out = Vec::new();
    for arch in [Architecture::Generic, Architecture::Bart] {
        for pos in [
            Positional::Learned,
            Positional::Sinusoidal,
            Positional::Rope,
            Positional::None,
        ] {
            out.push(config(arch, pos));
        }
    }
    for pos in DECODER_ONLY_POSITIONS {
        out.push(config(Architecture::DecoderOnly, pos));
    }
    out.push(config(Architecture::Generic, Positional::RotatedEmbedding));
    out.push(config(Architecture::EncoderClassifier, Positional::Learned));
    for arch in [Architecture::Generic, Architecture::DecoderOnly] {
        let mut with_norm = config(arch, Positional::Learned);
        with_norm.embedding_layer_norm = true;
        out.push(with_norm);
    }
    out
}

#[test]
fn cached_greedy_equals_uncached_greedy() {
    let device = Device::flex();
    for cfg in all_configs() {
        let model = Seq2Seq::new(&cfg, &device).unwrap();
        let inputs = inputs();
        let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
        let cached = greedy(&model, &rows, 30, &device).unwrap();
        let uncached = greedy_uncached(&model, &rows, 30, &device).unwrap();
        assert_eq!(
            cached, uncached,
            "{:?}/{:?}",
            cfg.architecture, cfg.positional
        );
        // Never past the position table, even with a larger request: the decoder-only model's
        // answer shares the table with its problem.
        for (input, generated) in rows.iter().zip(&cached) {
            assert!(generated.len() <= cfg.generation_budget(input.len(), 30));
        }
    }
}

#[test]
fn some_untrained_generations_are_nontrivial() {
    // Guards the other tests against passing vacuously on empty outputs.
    let device = Device::flex();
    let inputs = inputs();
    let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
    for arch in [Architecture::Generic, Architecture::DecoderOnly] {
        let model = Seq2Seq::new(&config(arch, Positional::Learned), &device).unwrap();
        let out = greedy(&model, &rows, 8, &device).unwrap();
        assert!(out.iter().any(|g| g.len() >= 2), "{arch:?}: {out:?}");
    }
}

#[test]
fn one_beam_equals_greedy() {
    let device = Device::flex();
    for cfg in all_configs() {
        let model = Seq2Seq::new(&cfg, &device).unwrap();
        let inputs = inputs();
        let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
        let g = greedy(&model, &rows, 12, &device).unwrap();
        let b = beam_search(
            &model,
            &rows,
            &GenerationConfig {
                max_new_tokens: 12,
                beams: 1,
                length_penalty: 1.0,
            },
            &device,
        )
        .unwrap();
        assert_eq!(g, b, "{:?}/{:?}", cfg.architecture, cfg.positional);
    }
}

#[test]
fn wider_beams_run_and_stay_bounded() {
    let device = Device::flex();
    let cfg = config(Architecture::Generic, Positional::Learned);
    let model = Seq2Seq::new(&cfg, &device).unwrap();
    let inputs = inputs();
    let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
    let out = beam_search(
        &model,
        &rows,
        &GenerationConfig {
            max_new_tokens: 10,
            beams: 3,
            length_penalty: 1.0,
        },
        &device,
    )
    .unwrap();
    assert_eq!(out.len(), rows.len());
    assert!(out.iter().all(|g| g.len() <= 10 && !g.contains(&EOS)));
}

#[test]
fn a_sample_alone_equals_the_sample_in_a_padded_batch() {
    let device = Device::flex();
    for cfg in all_configs() {
        let model = Seq2Seq::new(&cfg, &device).unwrap();
        let inputs = inputs();
        let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
        let batch = greedy(&model, &rows, 12, &device).unwrap();
        for (i, row) in rows.iter().enumerate() {
            let alone = greedy(&model, &[row], 12, &device).unwrap();
            assert_eq!(
                alone[0], batch[i],
                "row {i}, {:?}/{:?}",
                cfg.architecture, cfg.positional
            );
        }
    }
}

#[test]
fn same_seed_same_weights_other_seed_other_weights() {
    let device = Device::flex();
    let cfg = config(Architecture::Generic, Positional::Learned);
    let bytes = |c: &ModelConfig| {
        let m = Seq2Seq::new(c, &device).unwrap();
        let meta = calt_core::bundle::BundleMeta::model_only(c.clone());
        let bytes = calt_core::bundle::to_bytes(&m, &meta).unwrap();
        calt_core::training::tensor_file::read(&bytes).unwrap().0
    };
    let (a, b) = (bytes(&cfg), bytes(&cfg));
    assert!(a == b, "same seed gave different weights");
    let other = ModelConfig {
        seed: 7,
        ..cfg.clone()
    };
    assert!(bytes(&other) != a, "different seeds gave the same weights");
}

#[test]
fn too_long_inputs_are_an_error_not_a_panic() {
    let device = Device::flex();
    let cfg = config(Architecture::Generic, Positional::Learned);
    let model = Seq2Seq::new(&cfg, &device).unwrap();
    let long: Vec<u32> = std::iter::once(BOS)
        .chain(std::iter::repeat_n(5, 40))
        .chain(std::iter::once(EOS))
        .collect();
    assert!(greedy(&model, &[long.as_slice()], 5, &device).is_err());
}

#[test]
fn invalid_configs_are_rejected() {
    let device = Device::flex();
    let mut cfg = config(Architecture::Generic, Positional::Learned);
    cfg.decoder_heads = 5;
    assert!(Seq2Seq::new(&cfg, &device).is_err());
    let mut cfg = config(Architecture::Generic, Positional::Learned);
    cfg.eos_id = 99;
    assert!(Seq2Seq::new(&cfg, &device).is_err());
}

/// The cached decoder-only steps compute what the teacher-forced pass over the whole answer
/// computes, position by position, with problems of different lengths in one batch.
#[test]
fn decoder_only_steps_equal_the_teacher_forced_pass() {
    let device = Device::flex();
    for pos in DECODER_ONLY_POSITIONS {
        let model = Seq2Seq::new(&config(Architecture::DecoderOnly, pos), &device).unwrap();
        let inputs = inputs();
        let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
        // Answers up to the end of the position table of the longest problem (9 tokens).
        let answers: Vec<Vec<u32>> = (0..rows.len())
            .map(|i| {
                std::iter::once(BOS)
                    .chain((0..14).map(|j| 3 + ((i + j) % 10) as u32))
                    .collect()
            })
            .collect();
        let answer_rows: Vec<&[u32]> = answers.iter().map(|a| a.as_slice()).collect();
        let enc = model.encode(pad_batch(&rows, PAD, &device)).unwrap();
        let full = model
            .decode(pad_batch(&answer_rows, PAD, &device), &enc)
            .unwrap();
        let mut cache = model.start_cache(&enc);
        for step in 0..answers[0].len() {
            let column: Vec<&[u32]> = answers.iter().map(|a| &a[step..step + 1]).collect();
            let logits = model
                .decode_step(pad_batch(&column, PAD, &device), &mut cache)
                .unwrap();
            let [b, _, v] = full.dims();
            let expected = full
                .clone()
                .slice([0..b, step..step + 1, 0..v])
                .reshape([b, v]);
            let diff: f32 = (logits - expected).abs().max().into_scalar();
            assert!(diff < 1e-4, "{pos:?} step {step}: max difference {diff}");
        }
    }
}

/// The classifier answers one token: the argmax of its class scores.
#[test]
fn the_classifier_answers_one_token() {
    let device = Device::flex();
    let model = Seq2Seq::new(
        &config(Architecture::EncoderClassifier, Positional::Learned),
        &device,
    )
    .unwrap();
    let inputs = inputs();
    let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
    let out = greedy(&model, &rows, 30, &device).unwrap();
    let enc = model.encode(pad_batch(&rows, PAD, &device)).unwrap();
    let bos = vec![[BOS]; rows.len()];
    let bos_rows: Vec<&[u32]> = bos.iter().map(|b| b.as_slice()).collect();
    let scores = model
        .decode(pad_batch(&bos_rows, PAD, &device), &enc)
        .unwrap();
    let [b, _, _] = scores.dims();
    let classes: Vec<i64> = scores
        .argmax(2)
        .reshape([b])
        .into_data()
        .convert::<i64>()
        .try_to_vec::<i64>()
        .unwrap();
    for (generated, class) in out.iter().zip(classes) {
        let expected: Vec<u32> = if class as u32 == EOS {
            vec![]
        } else {
            vec![class as u32]
        };
        assert_eq!(generated, &expected);
    }
}
