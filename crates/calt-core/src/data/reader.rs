//! Reading a split's text into `(problem, answer)` pairs with their line numbers.

use super::BadLine;
use crate::limits;
use serde_json::Value;

/// One usable pair before lexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextSample {
    pub line: usize,
    pub problem: String,
    pub answer: String,
}

/// File layouts CALT writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataFormat {
    /// `problem # answer` per line (`{split}_raw.txt`).
    Text,
    /// `{"problem": …, "answer": …}` per line (`{split}_data.jsonl`).
    Jsonl,
}

impl DataFormat {
    /// `.jsonl` files are JSONL, everything else text (CALT's rule).
    pub fn from_path(path: &str) -> Self {
        if path.ends_with(".jsonl") {
            Self::Jsonl
        } else {
            Self::Text
        }
    }
}

/// Parses up to `limit` usable samples from `text`; unusable lines go to the second list.
pub fn read_split(
    file: &str,
    text: &str,
    format: DataFormat,
    limit: Option<usize>,
) -> (Vec<TextSample>, Vec<BadLine>) {
    let (parsed, bad) = parse_lines(file, text, limit, |line| match format {
        DataFormat::Text => split_text_line(line),
        DataFormat::Jsonl => parse_jsonl_line(line),
    });
    let samples = parsed
        .into_iter()
        .map(|(line, (problem, answer))| TextSample {
            line,
            problem,
            answer,
        })
        .collect();
    (samples, bad)
}

/// The non-empty lines of `text` that `parse` accepts, with their 1-based numbers, up to
/// `limit` of them; the lines it refuses (and lines above the size limit) go to the second list.
pub(crate) fn parse_lines<T>(
    file: &str,
    text: &str,
    limit: Option<usize>,
    mut parse: impl FnMut(&str) -> Result<T, String>,
) -> (Vec<(usize, T)>, Vec<BadLine>) {
    let mut parsed = Vec::new();
    let mut bad = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        if limit.is_some_and(|n| parsed.len() >= n) {
            break;
        }
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let number = index + 1;
        if line.len() > limits::MAX_LINE_BYTES {
            let reason = format!(
                "the line is {} bytes, above the limit of {} bytes per sample",
                line.len(),
                limits::MAX_LINE_BYTES
            );
            bad.push(BadLine::new(file, number, reason, line));
            continue;
        }
        match parse(line) {
            Ok(value) => parsed.push((number, value)),
            Err(reason) => bad.push(BadLine::new(file, number, reason, line)),
        }
    }
    (parsed, bad)
}

/// `problem # answer`, split at the first `#`, both sides trimmed and non-empty.
fn split_text_line(line: &str) -> Result<(String, String), String> {
    let (problem, answer) = line
        .split_once('#')
        .ok_or("no `#` between problem and answer")?;
    non_empty(problem.trim(), answer.trim())
}

fn parse_jsonl_line(line: &str) -> Result<(String, String), String> {
    let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON ({e})"))?;
    let object = value.as_object().ok_or("expected a JSON object")?;
    let problem = object.get("problem").ok_or("no \"problem\" key")?;
    // CALT's legacy name for the answer; only used when "answer" is absent.
    let answer = object
        .get("answer")
        .or_else(|| object.get("solution"))
        .ok_or("no \"answer\" key")?;
    non_empty(&render_value(problem)?, &render_value(answer)?)
}

fn non_empty(problem: &str, answer: &str) -> Result<(String, String), String> {
    match (problem.is_empty(), answer.is_empty()) {
        (true, _) => Err("empty problem".into()),
        (_, true) => Err("empty answer".into()),
        _ => Ok((problem.to_string(), answer.to_string())),
    }
}

/// Renders a JSONL value as CALT's text writer does: a flat list joined with ` | `, a list of
/// lists with inner ` | ` and outer ` || `. (CALT's JSONL *reader* joins with single spaces
/// instead, so the same data lexes differently per format; we use one rule for both.)
pub fn render_value(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Array(items) if items.iter().any(Value::is_array) => {
            let parts = items
                .iter()
                .map(|item| match item {
                    Value::Array(inner) => join_leaves(inner, " | "),
                    leaf => render_leaf(leaf),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(parts.join(" || "))
        }
        Value::Array(items) => join_leaves(items, " | "),
        other => Err(format!("unsupported JSON value {other}")),
    }
}

fn join_leaves(items: &[Value], sep: &str) -> Result<String, String> {
    let parts = items
        .iter()
        .map(render_leaf)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(parts.join(sep))
}

fn render_leaf(value: &Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("lists nest at most two deep; found {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_split_at_the_first_hash_and_report_bad_lines() {
        let text = "6,13,15 # 6,2,0\n\n2*x0#5*x0 # odd\nno separator\n # 3\n4 #\n";
        let (samples, bad) = read_split("train_raw.txt", text, DataFormat::Text, None);
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[1].problem, "2*x0");
        assert_eq!(samples[1].answer, "5*x0 # odd");
        assert_eq!(samples[1].line, 3);
        let shown: Vec<String> = bad.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "train_raw.txt:4: no `#` between problem and answer: no separator",
                "train_raw.txt:5: empty problem: # 3",
                "train_raw.txt:6: empty answer: 4 #",
            ]
        );
    }

    #[test]
    fn limit_counts_usable_samples() {
        let (samples, _) = read_split("t", "1 # 1\n2 # 2\n3 # 3\n", DataFormat::Text, Some(2));
        assert_eq!(samples.len(), 2);
    }

    #[test]
    fn jsonl_uses_the_text_writer_rendering() {
        let text = r#"{"problem": [["9", "3"], "6"], "answer": ["5"]}
{"problem": "1", "solution": "2"}
{"problem": "1"}
not json"#;
        let (samples, bad) = read_split("d.jsonl", text, DataFormat::Jsonl, None);
        assert_eq!(samples[0].problem, "9 | 3 || 6");
        assert_eq!(samples[0].answer, "5");
        assert_eq!(samples[1].answer, "2");
        assert_eq!(bad.len(), 2);
        assert!(bad[0].reason.contains("no \"answer\""));
    }
}
