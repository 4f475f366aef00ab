//! Reading a calt-x results folder into a bundle, and writing a bundle as one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use burn::store::ModuleSnapshot;
use burn::tensor::Device;
use indexmap::IndexMap;

use super::hf_config::{config_json_of, model_config_of};
use super::links::links;
use super::weights::{self, Shapes, StateDict};
use crate::bundle::{self, BundleMeta};
use crate::model::{ModelConfig, Seq2Seq};
use crate::native::{load_lexer, write_atomically};
use crate::tokenizer::CaltTokenizer;
use crate::training::tensor_file::{self, NamedTensor};

/// What went wrong, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum CaltxError {
    #[error("{path}: {reason}")]
    File { path: PathBuf, reason: String },
    #[error("{0}")]
    Other(String),
}

fn file_error(path: &Path, reason: impl ToString) -> CaltxError {
    CaltxError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn read_text(path: &Path) -> Result<String, CaltxError> {
    std::fs::read_to_string(path).map_err(|e| file_error(path, e))
}

/// The special-token roles of a calt-x tokenizer folder (`special_tokens_map.json`, whose
/// values may be strings or `{"content": …}` objects).
fn special_tokens(path: &Path) -> Result<IndexMap<String, String>, CaltxError> {
    let json: serde_json::Value =
        serde_json::from_str(&read_text(path)?).map_err(|e| file_error(path, e))?;
    let roles = json
        .as_object()
        .ok_or_else(|| file_error(path, "not a JSON object"))?;
    Ok(roles
        .iter()
        .filter_map(|(role, value)| {
            let token = value
                .as_str()
                .or_else(|| value.get("content").and_then(|c| c.as_str()))?;
            Some((role.clone(), token.to_string()))
        })
        .collect())
}

/// calt-x's weights: `model.safetensors` when present, else `pytorch_model.bin`.
fn read_state_dict(dir: &Path) -> Result<(PathBuf, StateDict), CaltxError> {
    let safetensors = dir.join("model.safetensors");
    if safetensors.exists() {
        let bytes = std::fs::read(&safetensors).map_err(|e| file_error(&safetensors, e))?;
        return Ok((safetensors.clone(), read_safetensors(&safetensors, &bytes)?));
    }
    let bin = dir.join("pytorch_model.bin");
    if bin.exists() {
        return Ok((bin.clone(), read_pytorch(&bin)?));
    }
    Err(file_error(
        dir,
        "holds neither model.safetensors nor pytorch_model.bin (is it a calt-x results folder?)",
    ))
}

fn read_safetensors(path: &Path, bytes: &[u8]) -> Result<StateDict, CaltxError> {
    let (tensors, _) = tensor_file::read(bytes).map_err(|e| file_error(path, e))?;
    Ok(tensors
        .into_iter()
        .map(|(name, shape, values)| (name, (shape, values)))
        .collect())
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// PyTorch's `torch.save` zip (a pickle naming each tensor's storage), read with burn's own
/// reader; nothing is executed.
fn read_pytorch(path: &Path) -> Result<StateDict, CaltxError> {
    let file_len = std::fs::metadata(path)
        .map_err(|e| file_error(path, e))?
        .len();
    let reader = pytorch_reader::PytorchReader::new(path).map_err(|e| file_error(path, e))?;
    let mut dict = StateDict::new();
    for (name, tensor) in reader.tensors() {
        if tensor.dtype() != pytorch_reader::DType::F32 {
            return Err(file_error(
                path,
                format!("tensor `{name}` is {:?}, not float32", tensor.dtype()),
            ));
        }
        let shape = tensor.shape().to_vec();
        // torch.save stores tensors uncompressed: a tensor larger than the file is a damaged
        // or hostile header, refused before anything is allocated for it.
        let claimed = shape
            .iter()
            .try_fold(4u64, |bytes, &n| bytes.checked_mul(n as u64));
        if claimed.is_none_or(|bytes| bytes > file_len) {
            return Err(file_error(
                path,
                format!("tensor `{name}` claims shape {shape:?}, more than the file holds"),
            ));
        }
        let bytes = tensor.read().map_err(|e| file_error(path, e))?;
        if bytes.len() != 4 * shape.iter().product::<usize>() {
            return Err(file_error(path, format!("tensor `{name}` is truncated")));
        }
        dict.insert(name.clone(), (shape, f32s(&bytes)));
    }
    Ok(dict)
}

/// Reads the calt-x results folder `dir` (config.json, its weights, tokenizer.json,
/// special_tokens_map.json, lexer.yaml) into bundle bytes for a model on `device`.
pub fn import_folder(dir: &Path, device: &Device) -> Result<Vec<u8>, CaltxError> {
    let config_path = dir.join("config.json");
    let config = model_config_of(&read_text(&config_path)?)
        .map_err(|reason| file_error(&config_path, reason))?;

    let tokenizer_path = dir.join("tokenizer.json");
    let tokenizer = CaltTokenizer::from_json(
        &read_text(&tokenizer_path)?,
        special_tokens(&dir.join("special_tokens_map.json"))?,
    )
    .map_err(|e| file_error(&tokenizer_path, e))?;
    check_tokenizer(&tokenizer, &config).map_err(|reason| file_error(&tokenizer_path, reason))?;
    let lexer_path = dir.join("lexer.yaml");
    let (lexer_config, _, lexer_tokenizer) =
        load_lexer(&lexer_path).map_err(|e| CaltxError::Other(e.to_string()))?;
    if let Some(reason) = vocabulary_difference(&lexer_tokenizer, &tokenizer) {
        return Err(file_error(
            &tokenizer_path,
            format!("does not match lexer.yaml's vocabulary: {reason}"),
        ));
    }

    let (weights_path, torch) = read_state_dict(dir)?;
    let table = links(&config).ok_or_else(|| {
        file_error(
            &config_path,
            format!("{} models are not imported", config.architecture.name()),
        )
    })?;
    let mut model = Seq2Seq::new(&config, device).map_err(|e| file_error(&config_path, e))?;
    let ours = weights::import(&table, &torch, &shapes(&model))
        .map_err(|reason| file_error(&weights_path, reason))?;
    load(&mut model, &ours).map_err(|reason| file_error(&weights_path, reason))?;
    let train_info = serde_json::json!({ "imported_from": dir.display().to_string() });
    let meta = BundleMeta::new(config, &lexer_config, &lexer_tokenizer, train_info)
        .map_err(|e| CaltxError::Other(e.to_string()))?;
    bundle::to_bytes(&model, &meta).map_err(|e| CaltxError::Other(e.to_string()))
}

/// The tokenizer's size and special ids must be the ones the model was built with.
fn check_tokenizer(tokenizer: &CaltTokenizer, config: &ModelConfig) -> Result<(), String> {
    if tokenizer.vocab_size() != config.vocab_size {
        return Err(format!(
            "{} ids, but config.json's model has vocab_size {}",
            tokenizer.vocab_size(),
            config.vocab_size
        ));
    }
    let ids = tokenizer.special_ids();
    if (ids.pad, ids.bos, ids.eos) != (config.pad_id, config.bos_id, config.eos_id) {
        return Err(format!(
            "pad/bos/eos ids {}/{}/{} differ from config.json's {}/{}/{}",
            ids.pad, ids.bos, ids.eos, config.pad_id, config.bos_id, config.eos_id
        ));
    }
    Ok(())
}

/// The first token whose id differs between two tokenizers, if any.
fn vocabulary_difference(a: &CaltTokenizer, b: &CaltTokenizer) -> Option<String> {
    if a.vocab_size() != b.vocab_size() {
        return Some(format!("{} ids against {}", b.vocab_size(), a.vocab_size()));
    }
    (0..a.vocab_size() as u32).find_map(|id| {
        let (x, y) = (a.id_to_token(id), b.id_to_token(id));
        (x != y).then(|| format!("id {id} is {y:?}, lexer.yaml makes it {x:?}"))
    })
}

/// The shape of each of the model's tensors, by name (read from the module, no data copied).
fn shapes(model: &Seq2Seq) -> Shapes {
    model
        .collect(None, None, false)
        .into_iter()
        .map(|tensor| (tensor.name, tensor.shape.to_vec()))
        .collect()
}

/// Loads the named tensors `ours` into `model`.
fn load(model: &mut Seq2Seq, ours: &StateDict) -> Result<(), String> {
    let tensors: Vec<NamedTensor> = ours
        .iter()
        .map(|(name, (shape, values))| (name.clone(), shape.clone(), values.clone()))
        .collect();
    let bytes = tensor_file::write(&tensors, &BTreeMap::new()).map_err(|e| e.to_string())?;
    bundle::load_weights(model, bytes).map_err(|e| e.to_string())
}

/// Writes the bundle `bundle_bytes` as a calt-x model folder in `out` (config.json,
/// model.safetensors, the tokenizer files, lexer.yaml, and `train_yaml` when given), each file
/// atomically. Everything is computed before the first file is written.
pub fn export_folder(
    bundle_bytes: &[u8],
    train_yaml: Option<&str>,
    out: &Path,
) -> Result<Vec<PathBuf>, CaltxError> {
    let other = |e: &dyn std::fmt::Display| CaltxError::Other(e.to_string());
    let meta = bundle::read_meta(bundle_bytes).map_err(|e| other(&e))?;
    let config = &meta.model_config;
    let config_json = config_json_of(config).map_err(CaltxError::Other)?;
    let table = links(config).ok_or_else(|| {
        CaltxError::Other(format!(
            "{} models are not exported",
            config.architecture.name()
        ))
    })?;
    let (tensors, _) = tensor_file::read(bundle_bytes).map_err(|e| other(&e))?;
    let ours: StateDict = tensors
        .into_iter()
        .map(|(name, shape, values)| (name, (shape, values)))
        .collect();
    let torch = weights::export(&table, &ours).map_err(CaltxError::Other)?;
    let torch: Vec<NamedTensor> = torch
        .into_iter()
        .map(|(name, (shape, values))| (name, shape, values))
        .collect();
    let metadata = BTreeMap::from([("format".to_string(), "pt".to_string())]);
    let weights = tensor_file::write(&torch, &metadata).map_err(|e| other(&e))?;

    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("config.json", pretty(&config_json)),
        ("model.safetensors", weights),
        ("tokenizer.json", meta.tokenizer_json.clone().into_bytes()),
        ("special_tokens_map.json", pretty(&meta.special_tokens)),
        (
            "tokenizer_config.json",
            pretty(&tokenizer_config(&meta.special_tokens)),
        ),
        // JSON is YAML: the lexer config as the bundle holds it.
        ("lexer.yaml", pretty(&meta.lexer_config)),
    ];
    if let Some(text) = train_yaml {
        files.push(("train.yaml", text.as_bytes().to_vec()));
    }
    std::fs::create_dir_all(out).map_err(|e| file_error(out, e))?;
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = out.join(name);
        write_atomically(&path, &bytes).map_err(|e| file_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}

fn pretty(value: &serde_json::Value) -> Vec<u8> {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text.into_bytes()
}

/// What `AutoTokenizer.from_pretrained` needs to load `tokenizer.json` as a fast tokenizer
/// with calt's special tokens.
fn tokenizer_config(special_tokens: &serde_json::Value) -> serde_json::Value {
    let mut config = serde_json::json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "clean_up_tokenization_spaces": false,
        "padding_side": "right",
        "model_max_length": 1_000_000_000_000_000_000u64,
    });
    if let (Some(fields), Some(roles)) = (config.as_object_mut(), special_tokens.as_object()) {
        for (role, token) in roles {
            fields.insert(role.clone(), token.clone());
        }
    }
    config
}
