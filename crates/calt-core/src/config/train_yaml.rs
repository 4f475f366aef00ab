//! `train.yaml`: the `data`, `model`, `train` and optional `wandb` blocks (spec §3.1, §4.2, §5.2).

use super::{ModelSection, TrainSection, WandbSection};
use serde::{Deserialize, Serialize};

/// The whole `train.yaml` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainYaml {
    pub data: DataSection,
    pub model: ModelSection,
    pub train: TrainSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wandb: Option<WandbSection>,
}

impl TrainYaml {
    /// The wandb block, top level first, then under `train:` (CALT accepts both).
    pub fn wandb(&self) -> Option<&WandbSection> {
        self.wandb.as_ref().or(self.train.wandb.as_ref())
    }

    /// CALT's `apply_dryrun_settings` (without forcing wandb on): one epoch, at most 1000
    /// train / 100 test samples, batches of at most 8, evaluate and save every 10 steps.
    pub fn apply_dryrun(&mut self) {
        let t = &mut self.train;
        t.num_train_epochs = 1.0;
        t.batch_size = t.batch_size.min(8);
        t.test_batch_size = t.test_batch_size.min(8);
        t.eval_steps = 10;
        t.save_steps = 10;
        let limit = |v: i64, cap: i64| if v < 0 || v > cap { cap } else { v };
        self.data.num_train_samples = limit(self.data.num_train_samples, 1000);
        self.data.num_test_samples = limit(self.data.num_test_samples, 100);
    }
}

fn minus_one() -> i64 {
    -1
}
fn yes() -> bool {
    true
}

/// The `data:` block. Paths are as written; resolve them with
/// [`crate::config::resolve_relative`] against the config's folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    pub lexer_config: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_dataset_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_dataset_path: Option<String>,
    /// Samples to read from the train split (-1 = all).
    #[serde(default = "minus_one")]
    pub num_train_samples: i64,
    #[serde(default = "minus_one")]
    pub num_test_samples: i64,
    /// CALT's switches for its vocabulary check. Accepted so CALT configs load, but the check
    /// always runs on both splits: ids are computed once at load time, so an out-of-vocabulary
    /// token is found for free and reported as a bad line (README, "Differences from CALT").
    #[serde(default)]
    pub validate_train_tokens: bool,
    #[serde(default = "yes")]
    pub validate_test_tokens: bool,
    #[serde(default)]
    pub use_jsonl: bool,
    /// Python pickles cannot be read here; `true` is an error that says so.
    #[serde(default)]
    pub use_pickle: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_dataset_jsonl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_dataset_jsonl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub train_dataset_pickle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_dataset_pickle: Option<String>,
    /// Load preprocessor(s) applied before lexing. CALT can only set this from Python; here
    /// it is a name, a `{name: …, options}` map, or a list of those applied in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataset_load_preprocessor: Option<LoadPreprocessorSpec>,
    /// Leave out lines that cannot be used instead of failing (the count is reported).
    #[serde(default)]
    pub skip_bad_lines: bool,
    /// Print this many samples raw → preprocessed → tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_samples: Option<usize>,
}

impl DataSection {
    /// A sample limit as `Option<usize>` (None = all), rejecting 0 and negatives other than -1.
    pub fn limit(value: i64, key: &str, source: &str) -> Result<Option<usize>, super::ConfigError> {
        match value {
            -1 => Ok(None),
            n if n > 0 => Ok(Some(n as usize)),
            n => Err(super::ConfigError::invalid(
                source,
                &format!("data.{key}"),
                format!("must be a positive number of samples or -1 for all, found {n}"),
            )),
        }
    }
}

/// `dataset_load_preprocessor:` as written in YAML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LoadPreprocessorSpec {
    One(LoadPreprocessorStep),
    Chain(Vec<LoadPreprocessorStep>),
}

impl LoadPreprocessorSpec {
    pub fn steps(&self) -> Vec<LoadPreprocessorStep> {
        match self {
            Self::One(step) => vec![step.clone()],
            Self::Chain(steps) => steps.clone(),
        }
    }
}

/// One preprocessor: a bare name, or a map with `name` and its options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum LoadPreprocessorStep {
    Name(String),
    WithOptions(LoadPreprocessorOptions),
}

/// Options of a preprocessor step; which ones apply depends on `name`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadPreprocessorOptions {
    pub name: String,
    /// Item delimiter (`,` for last_element/reversed_order, ` | ` for expanded_form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// expanded_form: ring variables in order, e.g. `[x0, x1, x2]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variables: Option<Vec<String>>,
    /// expanded_form: term order `grevlex` (default), `grlex` or `lex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// expanded_form: delimiter between polynomials in the output (default: `delimiter`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_delimiter: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;

    const GF17_TRAIN: &str = r#"
model:
  model_type: generic
  num_encoder_layers: 6
  num_encoder_heads: 8
  num_decoder_layers: 6
  num_decoder_heads: 8
  d_model: 512
  encoder_ffn_dim: 2048
  decoder_ffn_dim: 2048
  max_sequence_length: 512

train:
  save_dir: ./results
  num_train_epochs: 100
  learning_rate: 1e-4
  weight_decay: 0.01
  warmup_ratio: 0.1
  batch_size: 16
  test_batch_size: 16
  lr_scheduler_type: linear
  max_grad_norm: 1.0
  optimizer: adamw_torch
  num_workers: 2
  seed: 42
  wandb:
    project: calt
    group: gf17_addition
    name: gf17_addition
    no_wandb: True

data:
  train_dataset_path: ./data/train_raw.txt
  test_dataset_path: ./data/test_raw.txt
  lexer_config: ./configs/lexer.yaml
  num_train_samples: -1  # -1 means all samples
  num_test_samples: -1
  validate_train_tokens: true
  validate_test_tokens: true
  display_samples: 5
"#;

    #[test]
    fn reads_calt_train_yaml_with_defaults() {
        let c: TrainYaml = parse_yaml(GF17_TRAIN, "train.yaml").unwrap();
        assert_eq!(c.train.learning_rate, 1e-4);
        assert_eq!(c.train.eval_steps, 1000);
        assert_eq!(c.train.logging_steps, 50);
        assert_eq!(c.train.save_total_limit, 1);
        assert_eq!(c.model.dropout, 0.1);
        assert_eq!(c.train.run_dir(), "./results");
        assert!(c.wandb().unwrap().no_wandb);
        assert_eq!(c.data.display_samples, Some(5));
    }

    #[test]
    fn misspelt_train_key_is_reported_with_suggestion() {
        let text = GF17_TRAIN.replace("  learning_rate: 1e-4", "  learnig_rate: 1e-4");
        let err = parse_yaml::<TrainYaml>(&text, "exp/train.yaml").unwrap_err();
        assert_eq!(err.key_path, "train.learnig_rate");
        assert_eq!(err.line, Some(16));
        assert!(
            err.message.contains("did you mean `learning_rate`"),
            "{err}"
        );
    }

    #[test]
    fn unknown_scheduler_is_rejected_not_silently_linear() {
        let text = GF17_TRAIN.replace("lr_scheduler_type: linear", "lr_scheduler_type: cosine");
        let err = parse_yaml::<TrainYaml>(&text, "train.yaml").unwrap_err();
        assert_eq!(err.key_path, "train.lr_scheduler_type");
        assert!(err.message.contains("cosine"), "{err}");
    }

    #[test]
    fn load_preprocessors_from_yaml() {
        let text = GF17_TRAIN.replace(
            "  display_samples: 5",
            "  dataset_load_preprocessor: [reversed_order, {name: last_element, delimiter: \",\"}]",
        );
        let c: TrainYaml = parse_yaml(&text, "train.yaml").unwrap();
        let steps = c.data.dataset_load_preprocessor.unwrap().steps();
        assert_eq!(
            steps[0],
            LoadPreprocessorStep::Name("reversed_order".into())
        );
        assert!(
            matches!(&steps[1], LoadPreprocessorStep::WithOptions(o) if o.name == "last_element")
        );
    }

    #[test]
    fn sample_limits() {
        assert_eq!(
            DataSection::limit(-1, "num_train_samples", "t").unwrap(),
            None
        );
        assert_eq!(
            DataSection::limit(5, "num_train_samples", "t").unwrap(),
            Some(5)
        );
        assert!(DataSection::limit(0, "num_train_samples", "t").is_err());
    }
}
