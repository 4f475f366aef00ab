//! A generated sample and CALT's two serialisations of it: the text line
//! (`problem # answer`, lists joined with ` | ` and ` || `) and the JSON line.

use std::fmt::Write;

/// A problem or answer: a string (or a number standing for its digits), or a list of those /
/// lists of those (depth <= 2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    Str(String),
    /// A string of decimal digits, kept as the number: written exactly as `Str` of its digits
    /// (quoted in JSON), without a heap string per number.
    Int(u64),
    List(Vec<Value>),
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Self {
        Value::List(v.into_iter().map(Value::Str).collect())
    }
}

impl Value {
    /// CALT's text rendering: a flat list joins with ` | `; a list holding lists joins each
    /// inner list with ` | ` and then everything with ` || `. Deeper levels are refused.
    pub fn render(&self) -> Result<String, String> {
        let mut out = String::new();
        self.render_into(&mut out)?;
        Ok(out)
    }

    /// [`Value::render`], appended to `out` (on error `out` may hold part of the text).
    pub fn render_into(&self, out: &mut String) -> Result<(), String> {
        let items = match self {
            Value::List(items) => items,
            scalar => {
                scalar.push_scalar(out);
                return Ok(());
            }
        };
        let nested = items.iter().any(|v| matches!(v, Value::List(_)));
        for (i, v) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(if nested { " || " } else { " | " });
            }
            match v {
                Value::List(inner) => {
                    for (k, x) in inner.iter().enumerate() {
                        if k > 0 {
                            out.push_str(" | ");
                        }
                        match x {
                            Value::List(_) => return Err("nesting deeper than 2 levels".into()),
                            scalar => scalar.push_scalar(out),
                        }
                    }
                }
                scalar => scalar.push_scalar(out),
            }
        }
        Ok(())
    }

    /// Appends the text of a `Str` or `Int` (nothing for a list).
    fn push_scalar(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(s),
            Value::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
            Value::List(_) => {}
        }
    }

    /// Bytes of text in the value, a capacity hint for rendering it.
    fn text_len(&self) -> usize {
        match self {
            Value::Str(s) => s.len(),
            // At most 20 digits; a hint, so the bound will do.
            Value::Int(_) => 20,
            Value::List(items) => items.iter().map(|v| v.text_len() + 4).sum(),
        }
    }

    /// JSON as Python's `json.dumps(..., ensure_ascii=False)` writes it.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::Str(s) => write_json_string(s, out),
            // Digits need no escaping.
            Value::Int(_) => {
                out.push('"');
                self.push_scalar(out);
                out.push('"');
            }
            Value::List(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
        }
    }
}

fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// One sample: what the generator returned.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sample {
    pub problem: Value,
    pub answer: Value,
}

impl Sample {
    pub fn new(problem: impl Into<Value>, answer: impl Into<Value>) -> Self {
        Sample {
            problem: problem.into(),
            answer: answer.into(),
        }
    }

    /// `PROBLEM # ANSWER` (no newline).
    pub fn text_line(&self) -> Result<String, String> {
        let mut line = String::with_capacity(self.problem.text_len() + self.answer.text_len() + 3);
        self.write_text_line(&mut line)?;
        Ok(line)
    }

    /// Appends `PROBLEM # ANSWER` (no newline) to `out`; on an error `out` is left as it was.
    pub fn write_text_line(&self, out: &mut String) -> Result<(), String> {
        let start = out.len();
        let written = self.problem.render_into(out).and_then(|()| {
            out.push_str(" # ");
            self.answer.render_into(out)
        });
        if written.is_err() {
            out.truncate(start);
        }
        written
    }

    /// `{"problem": …, "answer": …}` (no newline).
    pub fn json_line(&self) -> String {
        let mut s = String::with_capacity(self.problem.text_len() + self.answer.text_len() + 32);
        self.write_json_line(&mut s);
        s
    }

    /// Appends `{"problem": …, "answer": …}` (no newline) to `out`.
    pub fn write_json_line(&self, out: &mut String) {
        out.push_str("{\"problem\": ");
        self.problem.write_json(out);
        out.push_str(", \"answer\": ");
        self.answer.write_json(out);
        out.push('}');
    }

    /// Room for both lines (enough when problem and answer hold numbers and strings without
    /// characters JSON escapes).
    pub fn lines_capacity(&self) -> usize {
        2 * (self.problem.text_len() + self.answer.text_len()) + 35
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(v: &[&str]) -> Value {
        Value::List(v.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn numbers_are_written_as_the_strings_of_their_digits() {
        let ints = |v: &[u64]| Value::List(v.iter().map(|&n| Value::Int(n)).collect());
        let strs = |v: &[&str]| l(v);
        for (with_ints, with_strs) in [
            (Value::Int(0), Value::from("0")),
            (
                ints(&[2, 3, u64::MAX]),
                strs(&["2", "3", "18446744073709551615"]),
            ),
            (
                Value::List(vec![ints(&[7, 11]), Value::Int(13)]),
                Value::List(vec![strs(&["7", "11"]), "13".into()]),
            ),
        ] {
            let a = Sample::new(with_ints.clone(), with_ints);
            let b = Sample::new(with_strs.clone(), with_strs);
            assert_eq!(a.text_line(), b.text_line());
            assert_eq!(a.json_line(), b.json_line());
            // Room for both lines and the newline between them.
            let lines = b.text_line().unwrap().len() + b.json_line().len();
            assert!(a.lines_capacity() > lines);
        }
    }

    #[test]
    fn calt_rendering_rules() {
        assert_eq!(Sample::new("x", "y").text_line().unwrap(), "x # y");
        assert_eq!(
            Sample {
                problem: l(&["a", "b"]),
                answer: l(&["c", "d"])
            }
            .text_line()
            .unwrap(),
            "a | b # c | d"
        );
        let p = Value::List(vec![l(&["a", "b"]), "c".into()]);
        let a = Value::List(vec![l(&["d", "e"]), "f".into()]);
        assert_eq!(
            Sample {
                problem: p.clone(),
                answer: a
            }
            .text_line()
            .unwrap(),
            "a | b || c # d | e || f"
        );
        assert_eq!(l(&["5"]).render().unwrap(), "5");
        assert_eq!(l(&[]).render().unwrap(), "");
        let deep = Value::List(vec![Value::List(vec![l(&["x"])])]);
        assert!(deep.render().is_err());
        let s = Sample {
            problem: Value::List(vec![l(&["9", "3"]), "6".into()]),
            answer: l(&["5"]),
        };
        assert_eq!(
            s.json_line(),
            r#"{"problem": [["9", "3"], "6"], "answer": ["5"]}"#
        );
        assert_eq!(
            Sample::new("a\"b\\é\n", "").json_line(),
            r#"{"problem": "a\"b\\é\n", "answer": ""}"#
        );
    }
}
