//! CALT's `ExpandedForm` preprocessor: polynomials as `C<coeff> E<e1> … E<en>` terms joined by
//! ` + ` (spec §3.3), e.g. `5*x0^2*x2 - 3*x1 + 7` → `C5 E2 E0 E1 + C-3 E0 E1 E0 + C7 E0 E0 E0`.
//!
//! Differences from CALT, on purpose: a non-integer coefficient is an error (CALT truncates
//! 1/2 to `C0` silently), and the zero polynomial is `C0 E0 … E0` like every other term.

use super::preprocess::PreprocessError;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Term order, leading term first in the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonomialOrder {
    Lex,
    Grlex,
    Grevlex,
}

impl MonomialOrder {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "lex" => Some(Self::Lex),
            "grlex" | "deglex" => Some(Self::Grlex),
            "grevlex" | "degrevlex" => Some(Self::Grevlex),
            _ => None,
        }
    }

    /// Compares exponent vectors; `Greater` = leads.
    pub fn compare(self, a: &[u32], b: &[u32]) -> Ordering {
        let degree = |e: &[u32]| e.iter().map(|&x| u64::from(x)).sum::<u64>();
        match self {
            Self::Lex => a.cmp(b),
            Self::Grlex => degree(a).cmp(&degree(b)).then_with(|| a.cmp(b)),
            Self::Grevlex => degree(a).cmp(&degree(b)).then_with(|| {
                // The smaller exponent in the last differing variable wins.
                a.iter()
                    .rev()
                    .zip(b.iter().rev())
                    .find(|(x, y)| x != y)
                    .map_or(Ordering::Equal, |(x, y)| y.cmp(x))
            }),
        }
    }
}

/// Settings of one `expanded_form` step.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpandedForm {
    pub variables: Vec<String>,
    pub order: MonomialOrder,
    /// Separates polynomials in the input side.
    pub delimiter: String,
    /// Separates rewritten polynomials in the output.
    pub output_delimiter: String,
}

impl ExpandedForm {
    /// Rewrites every `delimiter`-separated polynomial of one side.
    pub fn rewrite(&self, side: &str) -> Result<String, PreprocessError> {
        let parts = side
            .split(self.delimiter.as_str())
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| self.rewrite_polynomial(p))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(parts.join(&self.output_delimiter))
    }

    fn rewrite_polynomial(&self, text: &str) -> Result<String, PreprocessError> {
        let terms = parse_polynomial(text, &self.variables)?;
        let mut terms: Vec<(Vec<u32>, i128)> = terms.into_iter().filter(|(_, c)| *c != 0).collect();
        if terms.is_empty() {
            terms.push((vec![0; self.variables.len()], 0));
        }
        terms.sort_by(|a, b| self.order.compare(&b.0, &a.0));
        let rendered: Vec<String> = terms
            .iter()
            .map(|(exponents, coeff)| {
                let mut term = format!("C{coeff}");
                for e in exponents {
                    term.push_str(&format!(" E{e}"));
                }
                term
            })
            .collect();
        Ok(rendered.join(" + "))
    }
}

/// Parses a sum of terms like `-3*x0^2*x1 + 7 - x2` into exponent vector → integer coefficient.
fn parse_polynomial(
    text: &str,
    variables: &[String],
) -> Result<BTreeMap<Vec<u32>, i128>, PreprocessError> {
    let err = |why: String| PreprocessError(format!("cannot read polynomial `{text}`: {why}"));
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let mut terms: BTreeMap<Vec<u32>, i128> = BTreeMap::new();
    let mut rest = compact.as_str();
    while !rest.is_empty() {
        let (sign, body) = match rest.as_bytes()[0] {
            b'-' => (-1i128, &rest[1..]),
            b'+' => (1, &rest[1..]),
            _ => (1, rest),
        };
        let end = body.find(['+', '-']).unwrap_or(body.len());
        let (term, next) = body.split_at(end);
        if term.is_empty() {
            return Err(err("a sign without a term".into()));
        }
        let mut coeff: i128 = sign;
        let mut exponents = vec![0u32; variables.len()];
        for factor in term.split('*') {
            let (base, power) = match factor.split_once('^') {
                Some((b, p)) => (
                    b,
                    p.parse::<u32>()
                        .map_err(|_| err(format!("bad exponent in `{factor}`")))?,
                ),
                None => (factor, 1),
            };
            if let Some(i) = variables.iter().position(|v| v == base) {
                exponents[i] += power;
            } else if base.contains('/') {
                return Err(err(format!(
                    "coefficient `{base}` is not an integer (CALT would silently truncate it)"
                )));
            } else {
                let value: i128 = base.parse().map_err(|_| {
                    err(format!(
                        "`{base}` is neither a number nor one of the variables {variables:?}"
                    ))
                })?;
                coeff = value
                    .checked_pow(power)
                    .and_then(|v| v.checked_mul(coeff))
                    .ok_or_else(|| err("coefficient too large".into()))?;
            }
        }
        *terms.entry(exponents).or_insert(0) += coeff;
        rest = next;
    }
    Ok(terms)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(vars: &[&str]) -> ExpandedForm {
        ExpandedForm {
            variables: vars.iter().map(|s| s.to_string()).collect(),
            order: MonomialOrder::Grevlex,
            delimiter: " | ".into(),
            output_delimiter: " | ".into(),
        }
    }

    #[test]
    fn calt_example() {
        let f = form(&["x0", "x1", "x2"]);
        assert_eq!(
            f.rewrite("5*x0^2*x2 - 3*x1 + 7 | x0").unwrap(),
            "C5 E2 E0 E1 + C-3 E0 E1 E0 + C7 E0 E0 E0 | C1 E1 E0 E0"
        );
    }

    #[test]
    fn grevlex_orders_ties_by_last_variable() {
        let f = form(&["x", "y", "z"]);
        // degree 2: x^2 > x*y > y^2 > x*z > y*z > z^2
        assert_eq!(
            f.rewrite("z^2 + y*z + x*z + y^2 + x*y + x^2").unwrap(),
            "C1 E2 E0 E0 + C1 E1 E1 E0 + C1 E0 E2 E0 + C1 E1 E0 E1 + C1 E0 E1 E1 + C1 E0 E0 E2"
        );
    }

    #[test]
    fn rational_coefficients_are_an_error_not_truncated() {
        let err = form(&["x"]).rewrite("1/2*x").unwrap_err();
        assert!(err.0.contains("not an integer"), "{err}");
        assert_eq!(form(&["x"]).rewrite("x - x").unwrap(), "C0 E0");
    }
}
