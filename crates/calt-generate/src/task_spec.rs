//! The `task:` block of data.yaml turned into a built-in task. Each task struct in
//! `calt_algebra::tasks` declares its keys once (its fields, read with serde): CALT's
//! parameters are the defaults, each given key overrides one, and a key the task does not
//! take is an error naming the file, the line and the keys it does take.

use calt_algebra::tasks::TaskSpec;
use calt_core::config::{ConfigError, DataYaml, TaskSection, line_of_key, parse_yaml};

/// Builds and validates the task. `text` is the data.yaml the block came from (for the line
/// of a bad key); errors name `source` and the key.
pub fn task_from_section(
    section: &TaskSection,
    source: &str,
    text: Option<&str>,
) -> Result<TaskSpec, ConfigError> {
    let parameters = serde_json::Value::Object(section.parameters.clone());
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(parameters, &mut track);
    let spec = TaskSpec::from_parameters(&section.name, tracked).map_err(|e| {
        let key = track.path().to_string();
        let (path, line_path) = if key == "." {
            ("task.name".to_string(), vec!["task", "name"])
        } else {
            (format!("task.{key}"), vec!["task", key.as_str()])
        };
        let line = text.and_then(|t| line_of_key(t, &line_path));
        ConfigError::schema(source, line, &path, &e.to_string())
    })?;
    spec.validate().map_err(|e| {
        let line = text.and_then(|t| line_of_key(t, &["task"]));
        ConfigError::schema(source, line, "task", &format!("{} ({e})", spec.name()))
    })?;
    Ok(spec)
}

/// A data.yaml's text: its sections and, when it has a `task:` block, the built-in task.
pub fn parse_data_yaml(
    text: &str,
    source: &str,
) -> Result<(DataYaml, Option<TaskSpec>), ConfigError> {
    let config: DataYaml = parse_yaml(text, source)?;
    let task = config
        .task
        .as_ref()
        .map(|section| task_from_section(section, source, Some(text)))
        .transpose()?;
    Ok((config, task))
}

/// [`parse_data_yaml`] of a file.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_data_yaml(
    path: &std::path::Path,
) -> Result<(DataYaml, Option<TaskSpec>), calt_core::native::LoadError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| calt_core::native::LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(parse_data_yaml(&text, &path.display().to_string())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATASET: &str = "dataset:\n  save_dir: d\n  num_train_samples: 5\n  num_test_samples: 1\n  \
                           batch_size: 2\n  n_jobs: 1\n  root_seed: 0\n";

    fn task(block: &str) -> Result<TaskSpec, ConfigError> {
        let text = format!("{DATASET}task:\n{block}");
        parse_data_yaml(&text, "d.yaml").map(|(_, task)| task.unwrap())
    }

    #[test]
    fn defaults_and_overrides() {
        for name in TaskSpec::NAMES {
            let spec = task(&format!("  name: {name}\n")).unwrap();
            assert_eq!(spec, TaskSpec::default_for(name).unwrap());
        }
        let TaskSpec::GfAddition(g) = task("  name: gf17_addition\n  prime: 7\n").unwrap() else {
            panic!()
        };
        assert_eq!(g.prime, 7);
        let block = "  name: polynomial_reduction\n  field: QQ\n  num_bound: 4\n  order: lex\n";
        let TaskSpec::PolynomialReduction(r) = task(block).unwrap() else {
            panic!()
        };
        assert_eq!(r.coeff_bound, 4);
    }

    #[test]
    fn errors_name_the_line_and_the_key() {
        let e = task("  name: gf17_addition\n  max_lenght: 7\n").unwrap_err();
        assert_eq!((e.key_path.as_str(), e.line), ("task.max_lenght", Some(10)));
        assert!(e.message.contains("did you mean `max_length`"), "{e}");

        let e = task("  name: integer_factorization\n  prime: 7\n").unwrap_err();
        assert_eq!(e.key_path, "task.prime");
        assert!(e.message.contains("did you mean `prime_bound`"), "{e}");

        let e = task("  name: gf18_addition\n").unwrap_err();
        assert_eq!((e.key_path.as_str(), e.line), ("task.name", Some(9)));
        assert!(e.message.contains("unknown task `gf18_addition`"), "{e}");

        let e = task("  name: gf17_addition\n  prime: 8\n").unwrap_err();
        assert!(e.message.contains("prime"), "{e}");
        let e = task("  name: gf17_addition\n  max_length: 4000000000\n").unwrap_err();
        assert!(
            e.message.contains("max_length must be at most 65536"),
            "{e}"
        );

        for (block, refusal) in [
            (
                "polynomial_addition\n  max_polynomials: 4000000000",
                "max_polynomials must be at most 1000",
            ),
            (
                "polynomial_addition\n  max_num_terms: 4000000000",
                "max_num_terms must be at most 10000",
            ),
            (
                "polynomial_reduction\n  field: QQ\n  num_generators: 100000",
                "num_generators must be at most 64",
            ),
        ] {
            let e = task(&format!("  name: {block}\n")).unwrap_err();
            assert!(e.message.contains(refusal), "{e}");
        }

        let e = task("  name: polynomial_addition\n  field: GF(8)\n").unwrap_err();
        assert_eq!((e.key_path.as_str(), e.line), ("task.field", Some(10)));
        let e = task("  name: gf17_addition\n  prime: seven\n").unwrap_err();
        assert_eq!(e.key_path, "task.prime");
    }
}
