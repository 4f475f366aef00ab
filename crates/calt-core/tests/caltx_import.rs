//! calt-x 1.5 results folders (fixtures made with calt-x itself, see
//! scripts/caltx-fixtures/) imported as bundles: the imported model computes calt-x's logits
//! and generates calt-x's answers, sample for sample; export and import again keeps every
//! weight; and bad folders are errors naming the file.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Int, Tensor, TensorData};
use calt_core::bundle;
use calt_core::caltx::{export_folder, import_folder};
use calt_core::generation::greedy;
use calt_core::training::tensor_file;
use serde_json::Value;

const FAMILIES: [&str; 4] = ["generic", "bart", "decoder_only", "encoder_classifier"];

fn results(family: &str) -> PathBuf {
    common::data(&format!("caltx/{family}/results"))
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids(value: &Value) -> Vec<u32> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as u32)
        .collect()
}

fn id_tensor(row: &[u32], device: &Device) -> Tensor<2, Int> {
    let values: Vec<i64> = row.iter().map(|&t| i64::from(t)).collect();
    Tensor::from_data(TensorData::new(values, [1, row.len()]), device)
}

/// A copy of `from` in a new temporary folder.
fn copy_folder(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

fn weights(bundle_bytes: &[u8]) -> Vec<tensor_file::NamedTensor> {
    tensor_file::read(bundle_bytes).unwrap().0
}

#[test]
fn imported_models_compute_caltx_logits() {
    let device = Device::flex();
    for family in FAMILIES {
        let bytes = import_folder(&results(family), &device).unwrap();
        let (model, _) = bundle::from_bytes(bytes, &device).unwrap();
        for record in jsonl(&common::data(&format!("caltx/{family}/logits.jsonl"))) {
            let input = ids(&record["input_ids"]);
            let mut decoder_input = ids(&record["decoder_input_ids"]);
            if family == "encoder_classifier" {
                // calt-x's classifier scores one class: the first answer position.
                decoder_input.truncate(1);
            }
            let ours = model
                .forward(
                    id_tensor(&input, &device),
                    id_tensor(&decoder_input, &device),
                )
                .unwrap();
            let ours: Vec<f32> = ours
                .into_data()
                .convert::<f32>()
                .try_to_vec::<f32>()
                .unwrap();
            let theirs: Vec<f32> = record["logits"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|row| match row {
                    Value::Array(values) => {
                        values.iter().map(|v| v.as_f64().unwrap() as f32).collect()
                    }
                    value => vec![value.as_f64().unwrap() as f32],
                })
                .collect();
            assert_eq!(ours.len(), theirs.len(), "{family}");
            let worst = ours
                .iter()
                .zip(&theirs)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(worst < 1e-4, "{family}: logits differ by up to {worst}");
        }
    }
}

#[test]
fn imported_models_generate_caltx_answers_sample_for_sample() {
    let device = Device::flex();
    for family in FAMILIES {
        let bytes = import_folder(&results(family), &device).unwrap();
        let (model, meta) = bundle::from_bytes(bytes, &device).unwrap();
        assert_eq!(meta.model_config.architecture.name(), family);
        let records = jsonl(&common::data(&format!("caltx/{family}/generations.jsonl")));
        let inputs: Vec<Vec<u32>> = records.iter().map(|r| ids(&r["input_ids"])).collect();
        let rows: Vec<&[u32]> = inputs.iter().map(|r| r.as_slice()).collect();
        let eos = model.config().eos_id;
        // calt-x generated one sample at a time; calt also in one padded batch.
        let together = greedy(&model, &rows, 24, &device).unwrap();
        for (i, record) in records.iter().enumerate() {
            let theirs: Vec<u32> = ids(&record["generated_ids"])
                .into_iter()
                .skip(1)
                .take_while(|&t| t != eos)
                .collect();
            let alone = greedy(&model, &rows[i..i + 1], 24, &device).unwrap();
            assert_eq!(alone[0], theirs, "{family} sample {i}");
            assert_eq!(together[i], theirs, "{family} sample {i} in a batch");
        }
    }
}

#[test]
fn pytorch_bin_and_safetensors_give_the_same_weights() {
    let device = Device::flex();
    for family in FAMILIES {
        let from_bin = import_folder(&results(family), &device).unwrap();
        let folder = copy_folder(&results(family));
        std::fs::remove_file(folder.path().join("pytorch_model.bin")).unwrap();
        std::fs::copy(
            common::data(&format!("caltx/{family}/hf_safetensors/model.safetensors")),
            folder.path().join("model.safetensors"),
        )
        .unwrap();
        let from_safetensors = import_folder(folder.path(), &device).unwrap();
        assert!(weights(&from_bin) == weights(&from_safetensors), "{family}");
    }
}

#[test]
fn export_then_import_keeps_every_weight() {
    let device = Device::flex();
    for family in FAMILIES {
        let imported = import_folder(&results(family), &device).unwrap();
        let out = tempfile::tempdir().unwrap();
        let train_yaml = std::fs::read_to_string(results(family).join("train.yaml")).unwrap();
        export_folder(&imported, Some(&train_yaml), out.path()).unwrap();
        for file in [
            "config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "lexer.yaml",
            "train.yaml",
        ] {
            assert!(out.path().join(file).is_file(), "{family}: {file} missing");
        }
        let again = import_folder(out.path(), &device).unwrap();
        assert!(weights(&imported) == weights(&again), "{family}");
        // The exported config.json is calt-x's own, key for key where it decides the model.
        let ours: Value =
            serde_json::from_str(&std::fs::read_to_string(out.path().join("config.json")).unwrap())
                .unwrap();
        let theirs: Value = serde_json::from_str(
            &std::fs::read_to_string(results(family).join("config.json")).unwrap(),
        )
        .unwrap();
        let keys: &[&str] = if family == "bart" {
            &[
                "model_type",
                "d_model",
                "encoder_layers",
                "decoder_layers",
                "encoder_attention_heads",
                "decoder_attention_heads",
                "encoder_ffn_dim",
                "decoder_ffn_dim",
                "max_position_embeddings",
                "activation_function",
                "decoder_start_token_id",
                "scale_embedding",
            ]
        } else {
            &[
                "model_type",
                "d_model",
                "attention_heads",
                "dim_feedforward",
                "max_input_len",
                "num_layers",
                "num_encoder_layers",
                "num_decoder_layers",
                "use_positional_embedding",
            ]
        };
        let ids = ["vocab_size", "pad_token_id", "bos_token_id", "eos_token_id"];
        for key in keys.iter().chain(&ids) {
            assert_eq!(ours.get(key), theirs.get(key), "{family}: {key}");
        }
    }
}

fn import_error(folder: &Path) -> String {
    import_folder(folder, &Device::flex())
        .unwrap_err()
        .to_string()
}

#[test]
fn a_truncated_bin_is_an_error_naming_it() {
    let folder = copy_folder(&results("decoder_only"));
    let bin = folder.path().join("pytorch_model.bin");
    let bytes = std::fs::read(&bin).unwrap();
    std::fs::write(&bin, &bytes[..bytes.len() / 2]).unwrap();
    let message = import_error(folder.path());
    assert!(message.contains("pytorch_model.bin"), "{message}");
}

#[test]
fn weights_of_another_family_are_an_error_naming_the_file() {
    let folder = copy_folder(&results("decoder_only"));
    std::fs::copy(
        results("generic").join("config.json"),
        folder.path().join("config.json"),
    )
    .unwrap();
    let message = import_error(folder.path());
    assert!(
        message.contains("pytorch_model.bin") && message.contains("missing"),
        "{message}"
    );
}

#[test]
fn a_tokenizer_that_does_not_match_the_lexer_is_an_error() {
    let folder = copy_folder(&results("decoder_only"));
    let lexer = folder.path().join("lexer.yaml");
    let text = std::fs::read_to_string(&lexer).unwrap();
    std::fs::write(&lexer, text.replace("misc: [\",\"]", "misc: [\";\"]")).unwrap();
    let message = import_error(folder.path());
    assert!(
        message.contains("tokenizer.json") && message.contains("lexer.yaml"),
        "{message}"
    );
}

/// A BART folder as Hugging Face's safetensors writer leaves it (tied copies left out), with
/// `final_logits_bias` changed by `edit`.
fn bart_safetensors_folder(edit: impl Fn(&mut Vec<f32>)) -> tempfile::TempDir {
    let folder = copy_folder(&results("bart"));
    std::fs::remove_file(folder.path().join("pytorch_model.bin")).unwrap();
    let bytes = std::fs::read(common::data("caltx/bart/hf_safetensors/model.safetensors")).unwrap();
    let (mut tensors, metadata) = tensor_file::read(&bytes).unwrap();
    for (name, _, values) in &mut tensors {
        if name == "final_logits_bias" {
            edit(values);
        }
    }
    let bytes = tensor_file::write(&tensors, &metadata).unwrap();
    std::fs::write(folder.path().join("model.safetensors"), bytes).unwrap();
    folder
}

/// Hugging Face's BART has an output bias buffer that stays zero; a model whose bias is not
/// zero would compute something calt's does not, so it is refused, naming the tensor.
#[test]
fn a_bart_output_bias_that_is_not_zero_is_refused() {
    assert!(import_folder(bart_safetensors_folder(|_| {}).path(), &Device::flex()).is_ok());
    let folder = bart_safetensors_folder(|bias| bias[3] = 0.5);
    let message = import_error(folder.path());
    assert!(
        message.contains("model.safetensors") && message.contains("final_logits_bias"),
        "{message}"
    );
}

#[test]
fn a_bart_config_calt_cannot_compute_is_refused_with_the_reason() {
    let folder = copy_folder(&results("bart"));
    let config = folder.path().join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("\"scale_embedding\": false", "\"scale_embedding\": true"),
    )
    .unwrap();
    let message = import_error(folder.path());
    assert!(
        message.contains("config.json") && message.contains("scale_embedding"),
        "{message}"
    );
}

/// calt-x's `rope` (rotated embeddings) goes out as `rope` and comes back as the same model.
#[test]
fn a_rotated_embedding_model_exports_as_caltx_rope() {
    let device = Device::flex();
    let imported = import_folder(&results("decoder_only"), &device).unwrap();
    let meta = bundle::read_meta(&imported).unwrap();
    let mut config = meta.model_config.clone();
    config.positional = calt_core::model::Positional::RotatedEmbedding;
    let model = calt_core::model::Seq2Seq::new(&config, &device).unwrap();
    let bytes = bundle::to_bytes(
        &model,
        &bundle::BundleMeta {
            model_config: config,
            ..meta
        },
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    export_folder(&bytes, None, out.path()).unwrap();
    let config_json = std::fs::read_to_string(out.path().join("config.json")).unwrap();
    assert!(
        config_json.contains("\"use_positional_embedding\": \"rope\""),
        "{config_json}"
    );
    let again = import_folder(out.path(), &device).unwrap();
    assert_eq!(
        bundle::read_meta(&again).unwrap().model_config.positional,
        calt_core::model::Positional::RotatedEmbedding
    );
    assert!(weights(&bytes) == weights(&again));
}

#[test]
fn weights_of_another_size_are_an_error_naming_the_tensor() {
    let folder = copy_folder(&results("decoder_only"));
    let config = folder.path().join("config.json");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("\"d_model\": 32", "\"d_model\": 64")).unwrap();
    let message = import_error(folder.path());
    assert!(
        message.contains("pytorch_model.bin")
            && message.contains("`embedding.weight` has shape [16, 32]")
            && message.contains("[16, 64]"),
        "{message}"
    );
}
