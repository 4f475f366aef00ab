//! File-system front end for native programs (the CLI): reads configs and datasets from
//! paths, resolving relative paths beside the config first, with errors that name the file.
//! Not compiled for wasm32 (the browser hands calt-core bytes instead).

use crate::config::{self, ConfigError, DataSection, LexerConfig, TrainYaml};
use crate::data::{
    BAD_LINES_SHOWN, BadLine, DataFormat, EncodedDataset, Preprocessors, encode_file,
    format_bad_lines, read_split,
};
use crate::evaluation::{EvaluationError, LoadedModel};
use crate::lexer::{Lexer, VocabularyError};
use crate::model::{ModelConfig, PairError};
use crate::tokenizer::{CaltTokenizer, TokenizerError};
use crate::training::{TrainSettings, from_yaml};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// Anything that stops a dataset from loading.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Vocabulary {
        path: PathBuf,
        source: VocabularyError,
    },
    #[error("{path}: {source}")]
    Tokenizer {
        path: PathBuf,
        source: TokenizerError,
    },
    #[error("{0}")]
    Unsupported(String),
    #[error("{path}: {reason}")]
    Bundle {
        path: PathBuf,
        reason: EvaluationError,
    },
    #[error(
        "{count} bad line(s); fix them, or pass --skip-bad-lines (or set data.skip_bad_lines) to train without them:\n{report}"
    )]
    BadLines { count: usize, report: String },
    #[error(
        "{path}: the training split has no usable samples (the file is empty, blank or all bad lines)"
    )]
    EmptyTrainingSplit { path: PathBuf },
    #[error("{path}: {source}")]
    Recipe {
        path: PathBuf,
        source: crate::training::TrainError,
    },
    #[error(
        "{path}:{line}: the sample has {tokens} tokens, more than the model's {max} positions \
         (from model.max_sequence_length in {config}); raise max_sequence_length or shorten the sample"
    )]
    SampleTooLong {
        path: PathBuf,
        line: usize,
        tokens: usize,
        max: usize,
        config: PathBuf,
    },
    #[error(
        "{path}:{line}: the answer `{answer}` is {tokens} tokens; model_type encoder_classifier \
         (in {config}) answers exactly one token"
    )]
    MultiTokenAnswer {
        path: PathBuf,
        line: usize,
        answer: String,
        tokens: usize,
        config: PathBuf,
    },
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, then renames it into place, so
/// that a reader never sees half a file. Errors name the file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let named = |file: &Path, e: std::io::Error| {
        std::io::Error::new(e.kind(), format!("{}: {e}", file.display()))
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| named(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = std::fs::File::create(&tmp).map_err(|e| named(&tmp, e))?;
    file.write_all(bytes).map_err(|e| named(&tmp, e))?;
    file.sync_all().map_err(|e| named(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| named(path, e))
}

/// A bundle file's path: the file itself, or `model.safetensors` in a run folder.
pub fn bundle_path(model: &Path) -> PathBuf {
    if model.is_dir() {
        model.join("model.safetensors")
    } else {
        model.to_path_buf()
    }
}

/// Loads a bundle file (or a run folder's) with everything that runs it on new text.
pub fn load_bundle(model: &Path, device: &burn::tensor::Device) -> Result<LoadedModel, LoadError> {
    let path = bundle_path(model);
    let bytes = std::fs::read(&path).map_err(|source| LoadError::Io {
        path: path.clone(),
        source,
    })?;
    LoadedModel::from_bundle(bytes, device).map_err(|reason| LoadError::Bundle { path, reason })
}

/// Reads and parses a YAML config file.
pub fn load_yaml<T: DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::invalid(&source, "", format!("cannot read the file: {e}")))?;
    config::parse_yaml(&text, &source)
}

/// Resolves a path written in the config at `config_path` (beside it first, then the
/// working directory).
pub fn resolve(config_path: &Path, written: &str) -> PathBuf {
    let dir = config_path.parent().unwrap_or(Path::new(""));
    config::resolve_relative(Path::new(written), dir, Path::exists)
}

/// A lexer.yaml turned into its lexer and tokenizer.
pub fn load_lexer(path: &Path) -> Result<(LexerConfig, Lexer, CaltTokenizer), LoadError> {
    let config: LexerConfig = load_yaml(path)?;
    let lexer = Lexer::new(&config).map_err(|source| LoadError::Vocabulary {
        path: path.to_path_buf(),
        source,
    })?;
    let tokenizer = CaltTokenizer::from_vocabulary(lexer.vocabulary()).map_err(|source| {
        LoadError::Tokenizer {
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok((config, lexer, tokenizer))
}

/// One loaded split and what was wrong in it.
#[derive(Debug, Clone)]
pub struct LoadedSplit {
    pub path: PathBuf,
    pub dataset: EncodedDataset,
    pub bad_lines: Vec<BadLine>,
}

/// Everything `train.yaml` describes, loaded exactly as training uses it.
#[derive(Debug)]
pub struct TrainingData {
    pub config: TrainYaml,
    pub config_path: PathBuf,
    pub lexer_config: LexerConfig,
    pub lexer_config_path: PathBuf,
    pub lexer: Lexer,
    pub tokenizer: CaltTokenizer,
    pub preprocessors: Preprocessors,
    pub train: LoadedSplit,
    pub test: LoadedSplit,
}

impl TrainingData {
    /// Fails when any split has bad lines, unless `skip_bad_lines` (then they are left out and
    /// the caller reports the count).
    pub fn require_clean(self, skip_bad_lines: bool) -> Result<Self, LoadError> {
        let bad: Vec<BadLine> = self
            .train
            .bad_lines
            .iter()
            .chain(&self.test.bad_lines)
            .cloned()
            .collect();
        if bad.is_empty() || skip_bad_lines || self.config.data.skip_bad_lines {
            return Ok(self);
        }
        Err(LoadError::BadLines {
            count: bad.len(),
            report: format_bad_lines(&bad, BAD_LINES_SHOWN),
        })
    }

    /// What training would refuse in data that loaded cleanly: an empty training split, or a
    /// sample longer than the model's positions. `calt data check` reports the same.
    pub fn require_trainable(&self) -> Result<(), LoadError> {
        if self.train.dataset.is_empty() {
            return Err(LoadError::EmptyTrainingSplit {
                path: self.train.path.clone(),
            });
        }
        let (model, _) = self.recipe()?;
        for split in [&self.train, &self.test] {
            let d = &split.dataset;
            let samples = d.samples.iter().zip(&d.lines).zip(&d.answers);
            for ((sample, &line), answer) in samples {
                let Err(problem) =
                    model.check_pair(sample.input_ids.len(), sample.target_ids.len())
                else {
                    continue;
                };
                let (path, config) = (split.path.clone(), self.config_path.clone());
                return Err(match problem {
                    PairError::TooLong { tokens, max } => LoadError::SampleTooLong {
                        path,
                        line,
                        tokens,
                        max,
                        config,
                    },
                    PairError::NotOneToken { tokens } => LoadError::MultiTokenAnswer {
                        path,
                        line,
                        answer: answer.clone(),
                        tokens,
                        config,
                    },
                });
            }
        }
        Ok(())
    }

    /// The model and the optimisation settings the train.yaml asks for, for this vocabulary.
    pub fn recipe(&self) -> Result<(ModelConfig, TrainSettings), LoadError> {
        let recipe_error = |source| LoadError::Recipe {
            path: self.config_path.clone(),
            source,
        };
        let model = from_yaml::model_config(
            &self.config.model,
            self.tokenizer.vocab_size(),
            self.tokenizer.special_ids(),
            self.config.train.seed,
        )
        .map_err(recipe_error)?;
        let settings = from_yaml::train_settings(&self.config.train).map_err(recipe_error)?;
        Ok((model, settings))
    }

    /// The first `count` training samples as the model sees them: the line as written, after
    /// the load preprocessors, and as tokens (CALT's `display_samples`, shown before training
    /// and by `calt data check`).
    pub fn sample_preview(&self, count: usize) -> Result<String, LoadError> {
        use std::fmt::Write;
        let split = &self.train;
        let d = &split.dataset;
        let count = count.min(d.len());
        // Only the lines up to the last sample shown are read again: one sample is one line.
        let last_line = count.checked_sub(1).map_or(0, |i| d.lines[i]);
        let file = split.path.display().to_string();
        let io = |source| LoadError::Io {
            path: split.path.clone(),
            source,
        };
        let mut text = String::new();
        for line in std::io::BufRead::lines(std::io::BufReader::new(
            std::fs::File::open(&split.path).map_err(io)?,
        ))
        .take(last_line)
        {
            text.push_str(&line.map_err(io)?);
            text.push('\n');
        }
        let (raw, _) = read_split(&file, &text, DataFormat::from_path(&file), None);
        let mut out = format!("first {count} train samples (raw → preprocessed → tokens):\n");
        let tokens = |ids: &[u32]| self.tokenizer.decode(ids);
        for i in 0..count {
            let line = d.lines[i];
            let _ = writeln!(out, "  [{i}] line {line}");
            if let Some(original) = raw.iter().find(|s| s.line == line) {
                let _ = writeln!(
                    out,
                    "      raw:          {} # {}",
                    original.problem, original.answer
                );
            }
            let _ = writeln!(
                out,
                "      preprocessed: {} # {}",
                d.problems[i], d.answers[i]
            );
            let _ = writeln!(
                out,
                "      tokens:       {} # {}",
                tokens(&d.samples[i].input_ids),
                tokens(&d.samples[i].target_ids)
            );
        }
        Ok(out)
    }

    /// Number of lines left out of both splits.
    pub fn skipped_lines(&self) -> usize {
        self.train.bad_lines.len() + self.test.bad_lines.len()
    }
}

/// Loads `train.yaml`, its lexer, and both splits (bad lines collected, not fatal yet).
pub fn load_training_data(config_path: &Path) -> Result<TrainingData, LoadError> {
    let config: TrainYaml = load_yaml(config_path)?;
    load_training_data_from(config, config_path)
}

/// As [`load_training_data`], for a config already parsed (e.g. after `--dryrun` changes).
pub fn load_training_data_from(
    config: TrainYaml,
    config_path: &Path,
) -> Result<TrainingData, LoadError> {
    let source = config_path.display().to_string();
    let lexer_config_path = resolve(config_path, &config.data.lexer_config);
    let (lexer_config, lexer, tokenizer) = load_lexer(&lexer_config_path)?;
    let preprocessors = Preprocessors::from_spec(config.data.dataset_load_preprocessor.as_ref())
        .map_err(|e| ConfigError::invalid(&source, "data.dataset_load_preprocessor", e.0))?;
    let data = &config.data;
    let load = |split: &str| -> Result<LoadedSplit, LoadError> {
        let (written, limit_value, limit_key) = split_source(data, split, &source)?;
        let limit = DataSection::limit(limit_value, limit_key, &source)?;
        let path = resolve(config_path, &written);
        let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let file = path.display().to_string();
        let (dataset, bad_lines) =
            encode_file(&file, &text, limit, &preprocessors, &lexer, &tokenizer);
        Ok(LoadedSplit {
            path,
            dataset,
            bad_lines,
        })
    };
    let train = load("train")?;
    let test = load("test")?;
    Ok(TrainingData {
        config,
        config_path: config_path.to_path_buf(),
        lexer_config,
        lexer_config_path,
        lexer,
        tokenizer,
        preprocessors,
        train,
        test,
    })
}

/// Which file a split comes from (CALT's priority: pickle > jsonl > path) and its limit.
fn split_source(
    data: &DataSection,
    split: &str,
    source: &str,
) -> Result<(String, i64, &'static str), ConfigError> {
    let (pickle, jsonl, path, limit, limit_key) = if split == "train" {
        (
            &data.train_dataset_pickle,
            &data.train_dataset_jsonl,
            &data.train_dataset_path,
            data.num_train_samples,
            "num_train_samples",
        )
    } else {
        (
            &data.test_dataset_pickle,
            &data.test_dataset_jsonl,
            &data.test_dataset_path,
            data.num_test_samples,
            "num_test_samples",
        )
    };
    let pickle_requested =
        pickle.is_some() || data.use_pickle || path.as_deref().is_some_and(|p| p.ends_with(".pkl"));
    if pickle_requested {
        return Err(ConfigError::invalid(
            source,
            &format!("data.{split}_dataset_pickle"),
            "Python pickle datasets cannot be read; write the split as text (`problem # answer`) or JSONL",
        ));
    }
    let written = jsonl.clone().or_else(|| path.clone()).ok_or_else(|| {
        ConfigError::invalid(
            source,
            &format!("data.{split}_dataset_path"),
            format!("no file given for the {split} split"),
        )
    })?;
    if data.use_jsonl && !written.ends_with(".jsonl") {
        return Err(ConfigError::invalid(
            source,
            &format!("data.{split}_dataset_path"),
            format!("use_jsonl is true but `{written}` does not end in .jsonl"),
        ));
    }
    Ok((written, limit, limit_key))
}
