//! calt-core in headless Chromium (`wasm-pack test --headless --chrome`, driven by
//! scripts/wasm-test.sh): the lexer, the tokenizer, a bundle written and read back from
//! bytes, a forward pass, greedy generation and the corrupt-bundle error, on the CPU backend
//! compiled to wasm32.
#![cfg(target_arch = "wasm32")]

use burn::tensor::{Device, Int, Tensor, TensorData};
use calt_core::bundle::{self, BundleError, BundleMeta};
use calt_core::config::{LexerConfig, parse_yaml};
use calt_core::generation::{greedy, greedy_uncached};
use calt_core::lexer::Lexer;
use calt_core::model::{Architecture, ModelConfig, Seq2Seq};
use calt_core::tokenizer::CaltTokenizer;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const LEXER_YAML: &str = include_str!("../../../configs/gf17_addition/lexer.yaml");

fn lexer() -> (LexerConfig, Lexer) {
    let config: LexerConfig = parse_yaml(LEXER_YAML, "lexer.yaml").unwrap();
    let lexer = Lexer::new(&config).unwrap();
    (config, lexer)
}

fn tiny_model(tokenizer: &CaltTokenizer) -> (ModelConfig, Seq2Seq) {
    tiny_model_of(tokenizer, Architecture::Generic)
}

fn tiny_model_of(tokenizer: &CaltTokenizer, architecture: Architecture) -> (ModelConfig, Seq2Seq) {
    let ids = tokenizer.special_ids();
    let config = ModelConfig {
        architecture,
        max_positions: 16,
        init_std: 0.3,
        ..ModelConfig::small(tokenizer.vocab_size(), ids.pad, ids.bos, ids.eos)
    };
    let model = Seq2Seq::new(&config, &Device::flex()).unwrap();
    (config, model)
}

fn bundle_bytes() -> (Vec<u8>, Seq2Seq, CaltTokenizer, Lexer) {
    let (lexer_config, lexer) = lexer();
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
    let (config, model) = tiny_model(&tokenizer);
    let meta = BundleMeta::new(
        config,
        &lexer_config,
        &tokenizer,
        serde_json::json!({"step": 0}),
    )
    .unwrap();
    (
        bundle::to_bytes(&model, &meta).unwrap(),
        model,
        tokenizer,
        lexer,
    )
}

#[wasm_bindgen_test]
fn lexer_splits_numbers_and_symbols() {
    let (_, lexer) = lexer();
    assert_eq!(
        lexer.tokenize("6,13,15").unwrap(),
        ["6", ",", "13", ",", "15"]
    );
    assert_eq!(lexer.token_text("3 + 16").unwrap(), "3 + 16");
    assert!(
        lexer.tokenize("6;7").is_err(),
        "strict lexer accepts an unknown character"
    );
}

#[wasm_bindgen_test]
fn tokenizer_uses_calt_ids_and_round_trips_through_json() {
    let (_, lexer) = lexer();
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
    let ids = tokenizer.encode_tokens(&["6", ",", "13"]).unwrap();
    let special = tokenizer.special_ids();
    assert_eq!(ids.first(), Some(&special.bos));
    assert_eq!(ids.last(), Some(&special.eos));
    assert_eq!(ids.len(), 5);
    // The `tokenizers` pipeline itself (CALT's path) gives the same ids in the browser.
    assert_eq!(tokenizer.encode_text("6 , 13").unwrap(), ids);
    assert_eq!(tokenizer.decode(&ids), "6 , 13");
    assert_eq!(tokenizer.decode_calt(&ids), "6, 13");
    let specials = serde_json::from_str(&tokenizer.special_tokens_map_json()).unwrap();
    let again = CaltTokenizer::from_json(&tokenizer.to_json().unwrap(), specials).unwrap();
    assert_eq!(again.encode_tokens(&["6", ",", "13"]).unwrap(), ids);
    assert!(tokenizer.encode_tokens(&["99"]).is_err());
}

#[wasm_bindgen_test]
fn bundle_round_trips_from_bytes_and_the_model_runs() {
    let (bytes, model, tokenizer, lexer) = bundle_bytes();
    let device = Device::flex();
    let (loaded, meta) = bundle::from_bytes(bytes, &device).unwrap();
    assert_eq!(meta.model_config, *model.config());
    assert_eq!(meta.train_info["step"], 0);

    // Forward pass: same logits before and after the trip through bytes.
    let src = tokenizer
        .encode_tokens(&lexer.tokenize("1,2,3").unwrap())
        .unwrap();
    let to_tensor = |ids: &[u32]| {
        let v: Vec<i64> = ids.iter().map(|&i| i as i64).collect();
        Tensor::<2, Int>::from_data(TensorData::new(v, [1, ids.len()]), &device)
    };
    let dec = [tokenizer.special_ids().bos, src[1]];
    let a = model.forward(to_tensor(&src), to_tensor(&dec)).unwrap();
    let b = loaded.forward(to_tensor(&src), to_tensor(&dec)).unwrap();
    assert_eq!(a.dims(), [1, 2, tokenizer.vocab_size()]);
    let (a, b) = (
        a.into_data().try_to_vec::<f32>().unwrap(),
        b.into_data().try_to_vec::<f32>().unwrap(),
    );
    assert!(a.iter().all(|x| x.is_finite()));
    assert_eq!(a, b);

    // Greedy generation: the cached decoder equals the uncached reference, and the loaded
    // model answers exactly as the original.
    let rows: Vec<Vec<u32>> = ["1,2,3", "16", "4,4,4,4"]
        .iter()
        .map(|p| {
            tokenizer
                .encode_tokens(&lexer.tokenize(p).unwrap())
                .unwrap()
        })
        .collect();
    let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let before = greedy(&model, &rows, usize::MAX, &device).unwrap();
    let after = greedy(&loaded, &rows, usize::MAX, &device).unwrap();
    assert_eq!(before, after);
    assert_eq!(
        before,
        greedy_uncached(&loaded, &rows, usize::MAX, &device).unwrap()
    );
    assert!(before.iter().any(|g| !g.is_empty()), "vacuous: {before:?}");
    assert!(before.iter().all(|g| g.len() <= 16));
}

#[wasm_bindgen_test]
fn corrupt_bundles_are_errors() {
    let (bytes, ..) = bundle_bytes();
    let device = Device::flex();
    let err = |b: Vec<u8>| bundle::from_bytes(b, &device).err().unwrap();
    assert!(matches!(
        err(b"nonsense".to_vec()),
        BundleError::NotSafetensors(_)
    ));
    assert!(matches!(err(Vec::new()), BundleError::NotSafetensors(_)));
    // Cut inside the tensor data: the header promises more bytes than the file has.
    let cut = err(bytes[..bytes.len() - 100].to_vec());
    assert!(matches!(cut, BundleError::NotSafetensors(_)), "{cut}");
    // A flipped byte in the header length.
    let mut bad_len = bytes.clone();
    bad_len[3] ^= 0x7f;
    assert!(matches!(err(bad_len), BundleError::NotSafetensors(_)));
}

/// The decoder-only model and the classifier through a bundle's bytes and greedy decoding,
/// as the playground runs them.
#[wasm_bindgen_test]
fn every_family_round_trips_and_generates() {
    let (lexer_config, lexer) = lexer();
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
    let device = Device::flex();
    let rows: Vec<Vec<u32>> = ["1,2,3", "16", "4,4,4,4"]
        .iter()
        .map(|p| {
            tokenizer
                .encode_tokens(&lexer.tokenize(p).unwrap())
                .unwrap()
        })
        .collect();
    let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    for architecture in [Architecture::DecoderOnly, Architecture::EncoderClassifier] {
        let (config, model) = tiny_model_of(&tokenizer, architecture);
        let meta =
            BundleMeta::new(config, &lexer_config, &tokenizer, serde_json::json!({})).unwrap();
        let bytes = bundle::to_bytes(&model, &meta).unwrap();
        let (loaded, meta) = bundle::from_bytes(bytes, &device).unwrap();
        assert_eq!(meta.model_config.architecture, architecture);
        let before = greedy(&model, &rows, usize::MAX, &device).unwrap();
        assert_eq!(before, greedy(&loaded, &rows, usize::MAX, &device).unwrap());
        assert_eq!(
            before,
            greedy_uncached(&loaded, &rows, usize::MAX, &device).unwrap(),
            "{architecture:?}"
        );
        if architecture == Architecture::EncoderClassifier {
            assert!(before.iter().all(|g| g.len() <= 1), "{before:?}");
        }
    }
}
