//! Config errors that say where the problem is and what was probably meant.

use std::fmt;

/// A config file that cannot be used, with everything needed to fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigError {
    /// The file (or other source) the text came from.
    pub source: String,
    /// 1-based line of the offending key or value, when known.
    pub line: Option<usize>,
    /// Dotted key path such as `train.learning_rate` (empty for syntax errors).
    pub key_path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl std::error::Error for ConfigError {}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if !self.key_path.is_empty() && self.key_path != "." {
            write!(f, ": {}", self.key_path)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigError {
    pub(crate) fn syntax(source: &str, saphyr_message: &str) -> Self {
        let first = saphyr_message.lines().next().unwrap_or(saphyr_message);
        Self {
            source: source.to_string(),
            line: line_of(first),
            key_path: String::new(),
            message: format!(
                "invalid YAML: {}",
                first.trim_start_matches("error: ").trim()
            ),
        }
    }

    /// A value that does not fit the schema at `path`; serde's "unknown field" wording
    /// becomes a suggestion of the closest known key.
    pub fn schema(source: &str, line: Option<usize>, path: &str, message: &str) -> Self {
        Self {
            source: source.to_string(),
            line,
            key_path: path.to_string(),
            message: friendly_message(message),
        }
    }

    /// An error about a value that parsed but is not acceptable (e.g. a negative size).
    pub fn invalid(source: &str, key_path: &str, message: impl Into<String>) -> Self {
        Self {
            source: source.to_string(),
            line: None,
            key_path: key_path.to_string(),
            message: message.into(),
        }
    }
}

/// The 1-based line of the key at `path` (e.g. `["task", "prime"]`) in block-style YAML
/// `text`: each key is looked for among the lines indented under the previous one.
pub fn line_of_key(text: &str, path: &[&str]) -> Option<usize> {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let lines: Vec<&str> = text.lines().collect();
    let (mut from, mut parent_indent, mut found) = (0, None, None);
    for key in path {
        let mut hit = None;
        for (i, line) in lines.iter().enumerate().skip(from) {
            let body = line.trim_start();
            if body.is_empty() || body.starts_with('#') {
                continue;
            }
            if parent_indent.is_some_and(|p| indent(line) <= p) {
                break; // past the end of the parent's block
            }
            if parent_indent.is_none() && indent(line) > 0 {
                continue; // the first key is a top-level one
            }
            let named = body
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'));
            if named {
                hit = Some(i);
                break;
            }
        }
        let hit = hit?;
        parent_indent = Some(indent(lines[hit]));
        from = hit + 1;
        found = Some(hit + 1);
    }
    found
}

/// Extracts `N` from saphyr's "line N column M" wording.
pub(crate) fn line_of(message: &str) -> Option<usize> {
    let rest = &message[message.find("line ")? + 5..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Rewrites serde's "unknown field" message into one with a suggestion.
fn friendly_message(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message.to_string();
    };
    let Some(end) = rest.find('`') else {
        return message.to_string();
    };
    let key = &rest[..end];
    // The rest reads "`, expected one of `a`, `b`" (or "expected `a`"): take the quoted names.
    let known: Vec<&str> = rest[end + 1..]
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|k| !k.is_empty())
        .collect();
    let suggestion = known
        .iter()
        .map(|k| (strsim::jaro_winkler(key, k), *k))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.7);
    match suggestion {
        Some((_, best)) => format!("unknown key `{key}` (did you mean `{best}`?)"),
        None if known.is_empty() => format!("unknown key `{key}` (this section takes no keys)"),
        None => format!("unknown key `{key}`; known keys: {}", known.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_line_of_a_nested_key() {
        let text = "dataset:\n  prime: 1\ntask:\n  # a comment\n  name: x\n  prime: 7\n";
        assert_eq!(line_of_key(text, &["task", "prime"]), Some(6));
        assert_eq!(line_of_key(text, &["dataset", "prime"]), Some(2));
        assert_eq!(line_of_key(text, &["task", "absent"]), None);
        // A key of another block is not taken for the one asked about.
        assert_eq!(line_of_key(text, &["dataset", "name"]), None);
    }

    #[test]
    fn suggests_the_closest_key() {
        let m = friendly_message(
            "unknown field `lerning_rate`, expected one of `learning_rate`, `batch_size`",
        );
        assert_eq!(
            m,
            "unknown key `lerning_rate` (did you mean `learning_rate`?)"
        );
    }

    #[test]
    fn lists_keys_when_nothing_is_close() {
        let m = friendly_message("unknown field `zzz`, expected one of `learning_rate`, `seed`");
        assert_eq!(m, "unknown key `zzz`; known keys: learning_rate, seed");
    }
}
