//! A tiny untrained bundle for the tests: the gf17_addition lexer and a small model, written
//! with calt-core's bundle writer exactly as `calt train` writes it.
#![allow(dead_code)]

use burn::tensor::Device;
use calt_core::bundle::{self, BundleMeta};
use calt_core::config::{LexerConfig, parse_yaml};
use calt_core::lexer::Lexer;
use calt_core::model::{ModelConfig, Seq2Seq};
use calt_core::tokenizer::CaltTokenizer;

pub const LEXER_YAML: &str = include_str!("../../../../configs/gf17_addition/lexer.yaml");

pub struct Fixture {
    pub bytes: Vec<u8>,
    pub model: Seq2Seq,
    pub lexer: Lexer,
    pub tokenizer: CaltTokenizer,
}

pub fn bundle() -> Fixture {
    let device = Device::flex();
    let lexer_config: LexerConfig = parse_yaml(LEXER_YAML, "lexer.yaml").unwrap();
    let lexer = Lexer::new(&lexer_config).unwrap();
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).unwrap();
    let ids = tokenizer.special_ids();
    let config = ModelConfig {
        max_positions: 16,
        // Larger than training's init so an untrained model emits varied tokens.
        init_std: 0.3,
        ..ModelConfig::small(tokenizer.vocab_size(), ids.pad, ids.bos, ids.eos)
    };
    let model = Seq2Seq::new(&config, &device).unwrap();
    let meta = BundleMeta::new(config, &lexer_config, &tokenizer, serde_json::json!({})).unwrap();
    let bytes = bundle::to_bytes(&model, &meta).unwrap();
    Fixture {
        bytes,
        model,
        lexer,
        tokenizer,
    }
}

/// A small gf17_addition-style test file.
pub const TEST_TEXT: &str = "3,4 # 3,7\n1,2,3 # 1,3,6\n16,1 # 16,0\n5 # 5\n2,2,2,2 # 2,4,6,8\n";

/// What calt-core's own greedy decoder answers for each line of `text`, CALT-decoded.
pub fn expected_generations(f: &Fixture, text: &str) -> Vec<String> {
    let device = Device::flex();
    text.lines()
        .map(|line| {
            let problem = line.split('#').next().unwrap().trim();
            let tokens = f.lexer.tokenize(problem).unwrap();
            let ids = f.tokenizer.encode_tokens(&tokens).unwrap();
            let out =
                calt_core::generation::greedy(&f.model, &[ids.as_slice()], usize::MAX, &device)
                    .unwrap();
            f.tokenizer.decode_calt(&out[0])
        })
        .collect()
}
