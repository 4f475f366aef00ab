//! Typed versions of CALT's three config files (`data.yaml`, `lexer.yaml`, `train.yaml`).
//!
//! Every struct denies unknown keys: a misspelt key is an error naming the file, the line,
//! the key path and the closest known key, instead of being silently ignored. Parsing takes
//! text (so it works in the browser); reading files lives in [`crate::native`].

mod data_yaml;
mod error;
mod lexer_yaml;
mod model_section;
mod numbers;
mod paths;
mod train_section;
mod train_yaml;

pub use data_yaml::{Backend, DataYaml, DatasetSection, TaskSection};
pub use error::{ConfigError, line_of_key};
pub use lexer_yaml::{LexerConfig, NumberPolicyConfig, VocabFlags, VocabSection};
pub use model_section::{ModelSection, ModelType, PositionalEmbedding};
/// CALT's `model:` defaults, shared with the calt-x `config.json` reader.
pub(crate) use model_section::{
    default_activation, default_dropout, default_init_std, default_true,
};
pub use paths::resolve_relative;
pub use train_section::{LrSchedulerType, Strategy, TrainSection, WandbSection};
pub use train_yaml::{
    DataSection, LoadPreprocessorOptions, LoadPreprocessorSpec, LoadPreprocessorStep, TrainYaml,
};

use serde::de::DeserializeOwned;

/// Parses YAML text into a typed config. `source` names the file in error messages.
pub fn parse_yaml<T: DeserializeOwned>(text: &str, source: &str) -> Result<T, ConfigError> {
    // Two passes: YAML → generic value (syntax errors carry saphyr's line/column), then
    // value → typed struct through serde_path_to_error, which knows the key path.
    let value: serde_json::Value =
        serde_saphyr::from_str(text).map_err(|e| ConfigError::syntax(source, &e.to_string()))?;
    // An empty file (or one of comments only) is almost always the wrong file, not a wish for
    // every default: CALT itself fails on it, later and less clearly.
    if value.is_null() {
        return Err(ConfigError::invalid(
            source,
            "",
            "the file is empty (no keys); write the config's keys, or `{}` for all defaults",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        // The direct typed parse (only on this error path) tells the line of the key.
        let line = serde_saphyr::from_str::<T>(text)
            .err()
            .and_then(|e| error::line_of(&e.to_string()));
        ConfigError::schema(source, line, &path, &message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_file_is_an_error_naming_it() {
        for text in ["", "\n\n", "# only a comment\n"] {
            let err = parse_yaml::<LexerConfig>(text, "exp/lexer.yaml").unwrap_err();
            assert!(
                err.to_string()
                    .starts_with("exp/lexer.yaml: the file is empty"),
                "{text:?}: {err}"
            );
        }
        // An explicit empty map still means every default.
        let config: LexerConfig = parse_yaml("{}", "lexer.yaml").unwrap();
        assert_eq!(config, LexerConfig::default());
    }
}
