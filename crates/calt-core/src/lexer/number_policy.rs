//! How a matched number becomes tokens (CALT's `NumberPolicy`, spec §3.5).

use crate::config::NumberPolicyConfig;

/// Sign handling, digit grouping and decimal points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberPolicy {
    /// Glue a leading `-` to the first chunk instead of emitting it alone.
    pub attach_sign: bool,
    /// Chunk size for digit runs, left to right; 0 keeps runs whole.
    pub digit_group: usize,
    pub allow_float: bool,
}

impl NumberPolicy {
    pub fn from_config(config: &NumberPolicyConfig) -> Self {
        Self {
            attach_sign: config.attach_sign,
            digit_group: config.digit_group as usize,
            allow_float: config.allow_float,
        }
    }

    /// Appends the tokens of one number (as matched by the lexer) to `out`.
    pub fn split(&self, number: &str, out: &mut Vec<String>) {
        let mut rest = number;
        let mut sign = "";
        if let Some(unsigned) = rest.strip_prefix('-') {
            if self.attach_sign {
                sign = "-";
            } else {
                out.push("-".into());
            }
            rest = unsigned;
        } else if let Some(unsigned) = rest.strip_prefix('+') {
            if !self.attach_sign {
                out.push("+".into());
            }
            rest = unsigned;
        }
        match rest.split_once('.').filter(|_| self.allow_float) {
            Some((int_part, frac_part)) => {
                let int_part = if int_part.is_empty() { "0" } else { int_part };
                self.push_chunks(int_part, sign, out);
                out.push(".".into());
                self.push_chunks(frac_part, "", out);
            }
            None => self.push_chunks(rest, sign, out),
        }
    }

    /// Left-aligned chunks (`6630` → `663 0` with groups of 3, as CALT does); the sign goes on
    /// the first one. With grouping, an empty run yields no chunk; without, one empty token
    /// (CALT's `1.` → `1 . ""` — the tokenizer later drops it).
    fn push_chunks(&self, digits: &str, sign: &str, out: &mut Vec<String>) {
        if self.digit_group == 0 {
            out.push(format!("{sign}{digits}"));
            return;
        }
        let bytes = digits.as_bytes(); // ASCII digits only
        for (i, chunk) in bytes.chunks(self.digit_group).enumerate() {
            let chunk = std::str::from_utf8(chunk).unwrap_or_default();
            out.push(if i == 0 {
                format!("{sign}{chunk}")
            } else {
                chunk.to_string()
            });
        }
    }

    /// How many tokens `digit_group` adds (10 + 100 + … + 10^group), computed without building
    /// them and saturating, so that a hostile group size can be refused before it is expanded.
    pub fn digit_group_token_count(&self) -> i128 {
        (1..=self.digit_group.min(38) as u32)
            .map(|width| 10i128.saturating_pow(width))
            .fold(0, i128::saturating_add)
    }

    /// Tokens this policy can emit that the vocabulary must contain (appended by
    /// [`super::Vocabulary`]): `.` and `-0` for floats, every zero-padded group for grouping.
    pub fn vocabulary_additions(&self) -> Vec<String> {
        let mut extra = Vec::new();
        if self.allow_float {
            extra.push(".".to_string());
            if self.attach_sign {
                extra.push("-0".to_string());
            }
        }
        for width in 1..=self.digit_group {
            let count = 10usize.pow(width as u32);
            extra.extend((0..count).map(|n| format!("{n:0width$}")));
        }
        extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(attach: bool, group: usize, float: bool, s: &str) -> Vec<String> {
        let p = NumberPolicy {
            attach_sign: attach,
            digit_group: group,
            allow_float: float,
        };
        let mut out = Vec::new();
        p.split(s, &mut out);
        out
    }

    #[test]
    fn spec_examples() {
        assert_eq!(split(false, 0, false, "-50"), ["-", "50"]);
        assert_eq!(split(false, 0, false, "+123"), ["+", "123"]);
        assert_eq!(split(true, 0, false, "-50"), ["-50"]);
        assert_eq!(split(false, 2, false, "12345"), ["12", "34", "5"]);
        assert_eq!(split(false, 1, true, "3.14"), ["3", ".", "1", "4"]);
        assert_eq!(split(false, 1, true, ".5"), ["0", ".", "5"]);
        assert_eq!(
            split(true, 2, true, "-12345.678"),
            ["-12", "34", "5", ".", "67", "8"]
        );
        assert_eq!(split(true, 0, true, "-0.5"), ["-0", ".", "5"]);
        assert_eq!(split(true, 0, true, "1."), ["1", ".", ""]);
        assert_eq!(split(true, 3, false, "10006"), ["100", "06"]);
        assert_eq!(split(true, 3, false, "-1234"), ["-123", "4"]);
    }

    #[test]
    fn vocabulary_additions_for_groups_of_two() {
        let p = NumberPolicy {
            attach_sign: true,
            digit_group: 2,
            allow_float: true,
        };
        let extra = p.vocabulary_additions();
        assert_eq!(&extra[..4], [".", "-0", "0", "1"]);
        assert_eq!(extra.len(), 2 + 10 + 100);
        assert_eq!(extra.last().unwrap(), "99");
    }
}
