//! `data.yaml`: CALT's `dataset:` block (spec §1.1) plus calt's optional `task:` block, which
//! names a built-in generator and its parameters.
//!
//! The task parameters are one flat map shared by every task, so that a misspelt key gets the
//! usual "did you mean" error; which keys a given task accepts is checked where the task is
//! built (the CLI), since this crate knows nothing of the algebra.

use serde::{Deserialize, Serialize};

/// The whole `data.yaml` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataYaml {
    pub dataset: DatasetSection,
    /// The built-in generator; absent when samples come from an external command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskSection>,
}

fn yes() -> bool {
    true
}

fn sagemath() -> Backend {
    Backend::Sagemath
}

/// `dataset:` — where samples go and how many.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasetSection {
    /// Output folder, created with its parents; relative paths are resolved beside the config.
    pub save_dir: String,
    pub num_train_samples: u64,
    pub num_test_samples: u64,
    /// Samples generated (and written) per step.
    pub batch_size: u64,
    /// Worker count; -1 = every core.
    pub n_jobs: i64,
    pub root_seed: i64,
    #[serde(default = "yes")]
    pub verbose: bool,
    /// Only changes how CALT stringifies Python objects; kept so CALT files load unchanged.
    #[serde(default = "sagemath")]
    pub backend: Backend,
    /// Write `{split}_raw.txt`.
    #[serde(default = "yes")]
    pub save_text: bool,
    /// Write `{split}_data.jsonl`.
    #[serde(default = "yes")]
    pub save_json: bool,
    /// Leave out a sample identical to an earlier one of the same split (not in CALT).
    #[serde(default)]
    pub drop_duplicates: bool,
    /// Leave out a test sample identical to a train sample (not in CALT).
    #[serde(default)]
    pub drop_test_in_train: bool,
}

/// CALT's `backend:` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sagemath,
    Sympy,
}

impl DatasetSection {
    /// Worker threads for `n_jobs` on a machine with `cores` cores.
    pub fn jobs(&self, cores: usize) -> usize {
        if self.n_jobs < 0 {
            cores.max(1)
        } else {
            (self.n_jobs as usize).max(1)
        }
    }

    /// Rejects values that parse but cannot be used, as CALT does (sizes must be positive).
    pub fn validate(&self, source: &str) -> Result<(), super::ConfigError> {
        let bad = |key: &str, message: String| {
            Err(super::ConfigError::invalid(
                source,
                &format!("dataset.{key}"),
                message,
            ))
        };
        for (key, n) in [
            ("num_train_samples", self.num_train_samples),
            ("num_test_samples", self.num_test_samples),
            ("batch_size", self.batch_size),
        ] {
            if n == 0 {
                return bad(key, "must be a positive number".into());
            }
        }
        if self.n_jobs == 0 || self.n_jobs < -1 {
            return bad(
                "n_jobs",
                format!(
                    "must be a positive number or -1 for all cores, found {}",
                    self.n_jobs
                ),
            );
        }
        Ok(())
    }
}

/// `task:` — a built-in generator and its parameters, as written. The generation library
/// reads the parameters into the named task (`calt_generate::task_spec`), where each task
/// declares its keys once; every parameter is optional (CALT's value is the default).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TaskSection {
    /// `gf17_addition`, `polynomial_addition`, `integer_factorization`,
    /// `integer_polynomial_factorization`, `rational_polynomial_factorization`,
    /// `polynomial_reduction` or `eigvec_3x3`.
    pub name: String,
    #[serde(flatten)]
    pub parameters: serde_json::Map<String, serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_yaml;

    const GF17_DATA: &str = r#"
dataset:
  save_dir: "./data"
  num_train_samples: 100000
  num_test_samples: 1000
  batch_size: 10000
  n_jobs: 4
  root_seed: 42
  verbose: true
  backend: "sagemath"
  save_text: true
  save_json: true
"#;

    #[test]
    fn reads_calt_data_yaml_with_defaults() {
        let c: DataYaml = parse_yaml(GF17_DATA, "data.yaml").unwrap();
        assert_eq!(c.dataset.num_train_samples, 100000);
        assert_eq!(c.dataset.backend, Backend::Sagemath);
        assert!(!c.dataset.drop_duplicates);
        assert!(c.task.is_none());
        let minimal = "dataset: {save_dir: d, num_train_samples: 5, num_test_samples: 1, \
                       batch_size: 2, n_jobs: -1, root_seed: 0}";
        let c: DataYaml = parse_yaml(minimal, "data.yaml").unwrap();
        assert!(c.dataset.verbose && c.dataset.save_text && c.dataset.save_json);
        assert_eq!(c.dataset.jobs(8), 8);
        c.dataset.validate("data.yaml").unwrap();
    }

    #[test]
    fn unknown_backend_and_misspelt_keys_are_reported() {
        let text = GF17_DATA.replace("\"sagemath\"", "\"maple\"");
        let err = parse_yaml::<DataYaml>(&text, "data.yaml").unwrap_err();
        assert_eq!(err.key_path, "dataset.backend");
        assert!(err.message.contains("maple"), "{err}");

        let text = GF17_DATA.replace("root_seed", "root_sed");
        let err = parse_yaml::<DataYaml>(&text, "data.yaml").unwrap_err();
        assert!(err.message.contains("did you mean `root_seed`"), "{err}");
        assert!(err.to_string().starts_with("data.yaml:"), "{err}");
    }

    #[test]
    fn task_block_keeps_its_parameters_as_written() {
        let text = format!("{GF17_DATA}task:\n  name: gf17_addition\n  prime: 7\n");
        let c: DataYaml = parse_yaml(&text, "data.yaml").unwrap();
        let task = c.task.unwrap();
        assert_eq!(task.name, "gf17_addition");
        assert_eq!(task.parameters["prime"], 7);
        assert_eq!(task.parameters.len(), 1);
    }

    #[test]
    fn sizes_must_be_positive() {
        let text = GF17_DATA.replace("num_test_samples: 1000", "num_test_samples: 0");
        let c: DataYaml = parse_yaml(&text, "data.yaml").unwrap();
        let err = c.dataset.validate("data.yaml").unwrap_err();
        assert_eq!(err.key_path, "dataset.num_test_samples");
        let text = GF17_DATA.replace("n_jobs: 4", "n_jobs: -3");
        let c: DataYaml = parse_yaml(&text, "data.yaml").unwrap();
        assert!(c.dataset.validate("data.yaml").is_err());
    }
}
