//! Load preprocessors: rewrite each `(problem, answer)` pair once, before lexing (spec §3.3).
//! CALT builds these in Python only; here `train.yaml` selects them by name
//! (`data.dataset_load_preprocessor`).

use super::expanded_form::{ExpandedForm, MonomialOrder};
use crate::config::{LoadPreprocessorSpec, LoadPreprocessorStep};

/// Why a pair could not be preprocessed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PreprocessError(pub String);

/// One rewriting step.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadPreprocessor {
    /// Keep only the last `delimiter`-separated item of the answer (`11,15,9,13` → `13`).
    LastElement { delimiter: String },
    /// Reverse the answer's items (`11,15,9,13` → `13,9,15,11`).
    ReversedOrder { delimiter: String },
    /// Rewrite polynomials on both sides as `C<coeff> E<e1> … + …` terms.
    ExpandedForm(ExpandedForm),
}

impl LoadPreprocessor {
    pub fn name(&self) -> &'static str {
        match self {
            Self::LastElement { .. } => "last_element",
            Self::ReversedOrder { .. } => "reversed_order",
            Self::ExpandedForm(_) => "expanded_form",
        }
    }

    pub fn apply(&self, problem: &str, answer: &str) -> Result<(String, String), PreprocessError> {
        match self {
            Self::LastElement { delimiter } => {
                let pieces = items(answer, delimiter);
                let last = pieces.last().copied().unwrap_or(answer.trim());
                Ok((problem.to_string(), last.to_string()))
            }
            Self::ReversedOrder { delimiter } => {
                let mut pieces = items(answer, delimiter);
                pieces.reverse();
                Ok((problem.to_string(), pieces.join(delimiter)))
            }
            Self::ExpandedForm(form) => Ok((form.rewrite(problem)?, form.rewrite(answer)?)),
        }
    }
}

fn items<'a>(text: &'a str, delimiter: &str) -> Vec<&'a str> {
    text.split(delimiter)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A chain of steps applied in order (empty = identity).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Preprocessors(pub Vec<LoadPreprocessor>);

impl Preprocessors {
    /// Builds the chain from `train.yaml`; unknown names and missing options are errors.
    pub fn from_spec(spec: Option<&LoadPreprocessorSpec>) -> Result<Self, PreprocessError> {
        let Some(spec) = spec else {
            return Ok(Self::default());
        };
        let steps = spec
            .steps()
            .iter()
            .map(build_step)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(steps))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn apply(&self, problem: &str, answer: &str) -> Result<(String, String), PreprocessError> {
        let mut pair = (problem.to_string(), answer.to_string());
        for step in &self.0 {
            pair = step.apply(&pair.0, &pair.1)?;
        }
        Ok(pair)
    }

    /// `last_element -> reversed_order`, for reports.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "none".into();
        }
        let names: Vec<&str> = self.0.iter().map(LoadPreprocessor::name).collect();
        names.join(" -> ")
    }
}

fn build_step(step: &LoadPreprocessorStep) -> Result<LoadPreprocessor, PreprocessError> {
    let (name, options) = match step {
        LoadPreprocessorStep::Name(name) => (name.as_str(), None),
        LoadPreprocessorStep::WithOptions(o) => (o.name.as_str(), Some(o)),
    };
    let delimiter = |default: &str| {
        options
            .and_then(|o| o.delimiter.clone())
            .unwrap_or_else(|| default.to_string())
    };
    let reject_polynomial_options = |name: &str| match options {
        Some(o) if o.variables.is_some() || o.order.is_some() || o.output_delimiter.is_some() => {
            Err(PreprocessError(format!(
                "{name} takes only `delimiter` (variables/order/output_delimiter are for expanded_form)"
            )))
        }
        _ => Ok(()),
    };
    match name {
        "last_element" => {
            reject_polynomial_options(name)?;
            Ok(LoadPreprocessor::LastElement {
                delimiter: delimiter(","),
            })
        }
        "reversed_order" => {
            reject_polynomial_options(name)?;
            Ok(LoadPreprocessor::ReversedOrder {
                delimiter: delimiter(","),
            })
        }
        "expanded_form" => {
            let variables = options.and_then(|o| o.variables.clone()).ok_or_else(|| {
                PreprocessError(
                    "expanded_form needs `variables`, e.g. {name: expanded_form, variables: [x0, x1, x2]}"
                        .into(),
                )
            })?;
            let order = match options.and_then(|o| o.order.as_deref()) {
                None => MonomialOrder::Grevlex,
                Some(text) => MonomialOrder::parse(text).ok_or_else(|| {
                    PreprocessError(format!("unknown order `{text}` (grevlex, grlex or lex)"))
                })?,
            };
            let input_delimiter = delimiter(" | ");
            let output_delimiter = options
                .and_then(|o| o.output_delimiter.clone())
                .unwrap_or_else(|| input_delimiter.clone());
            Ok(LoadPreprocessor::ExpandedForm(ExpandedForm {
                variables,
                order,
                delimiter: input_delimiter,
                output_delimiter,
            }))
        }
        other => {
            let known = ["last_element", "reversed_order", "expanded_form"];
            let best = known
                .iter()
                .max_by(|a, b| {
                    strsim::jaro_winkler(other, a).total_cmp(&strsim::jaro_winkler(other, b))
                })
                .copied()
                .unwrap_or("last_element");
            Err(PreprocessError(format!(
                "unknown load preprocessor `{other}` (did you mean `{best}`? known: {})",
                known.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> LoadPreprocessor {
        LoadPreprocessor::LastElement {
            delimiter: ",".into(),
        }
    }

    #[test]
    fn calt_examples() {
        let pair = last().apply("11,4,11,4", "11,15,9,13").unwrap();
        assert_eq!(pair, ("11,4,11,4".into(), "13".into()));
        let rev = LoadPreprocessor::ReversedOrder {
            delimiter: ",".into(),
        };
        assert_eq!(rev.apply("p", "11,15,9,13").unwrap().1, "13,9,15,11");
        assert_eq!(rev.apply("p", "7").unwrap().1, "7");
    }

    #[test]
    fn chains_apply_in_order() {
        let rev = LoadPreprocessor::ReversedOrder {
            delimiter: ",".into(),
        };
        let chain = Preprocessors(vec![rev, last()]);
        assert_eq!(chain.apply("p", "1,2,3").unwrap().1, "1");
        assert_eq!(chain.describe(), "reversed_order -> last_element");
    }

    #[test]
    fn unknown_name_suggests() {
        let spec = LoadPreprocessorSpec::One(LoadPreprocessorStep::Name("last_elem".into()));
        let err = Preprocessors::from_spec(Some(&spec)).unwrap_err();
        assert!(err.0.contains("did you mean `last_element`"), "{err}");
    }
}
