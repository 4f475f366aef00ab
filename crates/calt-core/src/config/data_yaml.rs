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

/// `task:` — a built-in generator and its parameters. Every parameter is optional (the task's
/// CALT value is the default); a parameter the named task does not take is an error.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSection {
    /// `gf17_addition`, `polynomial_addition`, `integer_factorization`,
    /// `integer_polynomial_factorization`, `rational_polynomial_factorization`,
    /// `polynomial_reduction` or `eigvec_3x3`.
    pub name: String,
    /// gf17_addition: the modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime: Option<u64>,
    /// gf17_addition: list length range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// integer_factorization: primes are drawn from those below this bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prime_bound: Option<u64>,
    /// integer_factorization: distinct primes per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_primes: Option<usize>,
    /// Polynomial tasks: coefficient ring, `ZZ`, `QQ` or `GF(p)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Polynomial tasks: variable names, e.g. `"x0, x1, x2"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbols: Option<String>,
    /// Univariate factorisation tasks: the variable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
    /// Polynomial tasks: `lex`, `grlex` or `grevlex`/`degrevlex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    /// polynomial_addition: how many polynomials per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_polynomials: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_polynomials: Option<u32>,
    /// polynomial_addition: answer with every running sum (true) or only the total (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cumulative: Option<bool>,
    /// polynomial_addition: coefficients drawn as CALT's `sagemath` or `sympy` sampler does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampler: Option<Backend>,
    /// integer_polynomial_factorization: polynomials multiplied per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_factors: Option<u32>,
    /// polynomial_reduction: generators of the ideal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_generators: Option<u32>,
    /// Sampler: at most this many terms per polynomial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_num_terms: Option<usize>,
    /// Sampler: total degree range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_degree: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_degree: Option<u32>,
    /// Sampler: integer coefficients lie in [-max_coeff, max_coeff] (ZZ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_coeff: Option<i64>,
    /// Sampler: rational numerators and denominators are bounded by num_bound (QQ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_bound: Option<i64>,
    /// polynomial_reduction: seeds where a sampled polynomial has fewer terms are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_terms: Option<usize>,
    /// polynomial_reduction: seeds whose Gröbner basis needs more pair reductions are skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_pairs: Option<usize>,
    /// eigvec_3x3: digits after the decimal point.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimals: Option<usize>,
}

impl TaskSection {
    /// The parameter keys that are set, in declaration order (for "does not apply" errors).
    pub fn given_keys(&self) -> Vec<&'static str> {
        let mut keys = Vec::new();
        let mut note = |set: bool, key: &'static str| {
            if set {
                keys.push(key);
            }
        };
        note(self.prime.is_some(), "prime");
        note(self.min_length.is_some(), "min_length");
        note(self.max_length.is_some(), "max_length");
        note(self.prime_bound.is_some(), "prime_bound");
        note(self.num_primes.is_some(), "num_primes");
        note(self.field.is_some(), "field");
        note(self.symbols.is_some(), "symbols");
        note(self.variable.is_some(), "variable");
        note(self.order.is_some(), "order");
        note(self.min_polynomials.is_some(), "min_polynomials");
        note(self.max_polynomials.is_some(), "max_polynomials");
        note(self.cumulative.is_some(), "cumulative");
        note(self.sampler.is_some(), "sampler");
        note(self.num_factors.is_some(), "num_factors");
        note(self.num_generators.is_some(), "num_generators");
        note(self.max_num_terms.is_some(), "max_num_terms");
        note(self.max_degree.is_some(), "max_degree");
        note(self.min_degree.is_some(), "min_degree");
        note(self.max_coeff.is_some(), "max_coeff");
        note(self.num_bound.is_some(), "num_bound");
        note(self.min_terms.is_some(), "min_terms");
        note(self.max_pairs.is_some(), "max_pairs");
        note(self.decimals.is_some(), "decimals");
        keys
    }
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
    fn task_block_and_its_errors() {
        let text = format!("{GF17_DATA}task:\n  name: gf17_addition\n  prime: 7\n");
        let c: DataYaml = parse_yaml(&text, "data.yaml").unwrap();
        let task = c.task.unwrap();
        assert_eq!(task.prime, Some(7));
        assert_eq!(task.given_keys(), vec!["prime"]);

        let text = format!("{GF17_DATA}task:\n  name: gf17_addition\n  max_lenght: 7\n");
        let err = parse_yaml::<DataYaml>(&text, "data.yaml").unwrap_err();
        assert_eq!(err.key_path, "task.max_lenght");
        assert_eq!(err.line, Some(15));
        assert!(err.message.contains("did you mean `max_length`"), "{err}");
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
