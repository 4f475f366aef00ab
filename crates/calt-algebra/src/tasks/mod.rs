//! The built-in generators: one module per CALT example task. Each task turns a per-sample
//! seed into a [`Sample`] (or `None` when the task rejects that seed, as polynomial_reduction
//! does for degenerate draws).

mod eigvec;
mod factorization;
mod gf_addition;
mod integer_factorization;
mod polynomial_addition;
mod reduction;
mod stats;

pub use eigvec::Eigvec3x3;
pub use factorization::{IntegerPolynomialFactorization, RationalPolynomialFactorization};
pub use gf_addition::GfAddition;
pub use integer_factorization::IntegerFactorization;
pub use polynomial_addition::PolynomialAddition;
pub use reduction::PolynomialReduction;
pub use stats::{SampleStats, StatEntry};

use crate::error::Result;
use crate::pyrandom::PyRandom;
use crate::sample::Sample;

/// A dataset generator: deterministic in the seed, callable from many threads.
pub trait Task: Send + Sync {
    /// The sample and its statistics (empty for tasks CALT keeps no statistics for), drawn
    /// from `rng` — Python's `random` after `random.seed(seed)` with the sample's seed, as every
    /// CALT example generator starts — or `None` when this seed is skipped.
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>>;

    /// The sample for `seed`, or `None` when this seed is skipped.
    fn generate(&self, seed: u128) -> Result<Option<Sample>> {
        Ok(self.generate_with_stats(seed)?.map(|(s, _)| s))
    }

    /// The sample for `seed` with its statistics. Batches are faster through
    /// [`PyRandom::new_many`] and [`Task::draw`].
    fn generate_with_stats(&self, seed: u128) -> Result<Option<(Sample, SampleStats)>> {
        self.draw(&mut PyRandom::new(seed))
    }
}

/// Every built-in task, with its parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum TaskSpec {
    GfAddition(GfAddition),
    PolynomialAddition(PolynomialAddition),
    IntegerFactorization(IntegerFactorization),
    IntegerPolynomialFactorization(IntegerPolynomialFactorization),
    RationalPolynomialFactorization(RationalPolynomialFactorization),
    PolynomialReduction(PolynomialReduction),
    Eigvec3x3(Eigvec3x3),
}

impl TaskSpec {
    /// Names accepted in `task: {name: …}`.
    pub const NAMES: [&'static str; 7] = [
        "gf17_addition",
        "polynomial_addition",
        "integer_factorization",
        "integer_polynomial_factorization",
        "rational_polynomial_factorization",
        "polynomial_reduction",
        "eigvec_3x3",
    ];

    /// The task with CALT's parameters.
    pub fn default_for(name: &str) -> Result<TaskSpec> {
        if !Self::NAMES.contains(&name) {
            return Err(crate::AlgebraError::UnknownTask(name.to_string()));
        }
        let no_parameters = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(
            std::iter::empty::<(&str, &str)>(),
        );
        Self::from_parameters(name, no_parameters)
            .map_err(|e| crate::AlgebraError::InvalidParameter(e.to_string()))
    }

    /// The task `name` with the parameters `parameters` gives, CALT's values for the rest.
    /// Each task's fields are its keys: a key the task does not take is an error listing the
    /// ones it does. The values are not validated yet ([`TaskSpec::validate`]).
    pub fn from_parameters<'de, D: serde::Deserializer<'de>>(
        name: &str,
        parameters: D,
    ) -> std::result::Result<TaskSpec, D::Error> {
        use serde::Deserialize;
        Ok(match name {
            "gf17_addition" => TaskSpec::GfAddition(GfAddition::deserialize(parameters)?),
            "polynomial_addition" => {
                TaskSpec::PolynomialAddition(PolynomialAddition::deserialize(parameters)?)
            }
            "integer_factorization" => {
                TaskSpec::IntegerFactorization(IntegerFactorization::deserialize(parameters)?)
            }
            "integer_polynomial_factorization" => TaskSpec::IntegerPolynomialFactorization(
                IntegerPolynomialFactorization::deserialize(parameters)?,
            ),
            "rational_polynomial_factorization" => TaskSpec::RationalPolynomialFactorization(
                RationalPolynomialFactorization::deserialize(parameters)?,
            ),
            "polynomial_reduction" => {
                TaskSpec::PolynomialReduction(PolynomialReduction::deserialize(parameters)?)
            }
            "eigvec_3x3" => TaskSpec::Eigvec3x3(Eigvec3x3::deserialize(parameters)?),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown task `{other}`; built-in tasks: {}",
                    Self::NAMES.join(", ")
                )));
            }
        })
    }

    /// Checks the parameters once, before any sample is drawn.
    pub fn validate(&self) -> Result<()> {
        match self {
            TaskSpec::GfAddition(t) => t.validate(),
            TaskSpec::PolynomialAddition(t) => t.validate(),
            TaskSpec::IntegerFactorization(t) => t.validate(),
            TaskSpec::IntegerPolynomialFactorization(t) => t.validate(),
            TaskSpec::RationalPolynomialFactorization(t) => t.validate(),
            TaskSpec::PolynomialReduction(t) => t.validate(),
            TaskSpec::Eigvec3x3(t) => t.validate(),
        }
    }

    /// The name used in `task: {name: …}`.
    pub fn name(&self) -> &'static str {
        match self {
            TaskSpec::GfAddition(_) => Self::NAMES[0],
            TaskSpec::PolynomialAddition(_) => Self::NAMES[1],
            TaskSpec::IntegerFactorization(_) => Self::NAMES[2],
            TaskSpec::IntegerPolynomialFactorization(_) => Self::NAMES[3],
            TaskSpec::RationalPolynomialFactorization(_) => Self::NAMES[4],
            TaskSpec::PolynomialReduction(_) => Self::NAMES[5],
            TaskSpec::Eigvec3x3(_) => Self::NAMES[6],
        }
    }

    pub fn as_task(&self) -> &dyn Task {
        match self {
            TaskSpec::GfAddition(t) => t,
            TaskSpec::PolynomialAddition(t) => t,
            TaskSpec::IntegerFactorization(t) => t,
            TaskSpec::IntegerPolynomialFactorization(t) => t,
            TaskSpec::RationalPolynomialFactorization(t) => t,
            TaskSpec::PolynomialReduction(t) => t,
            TaskSpec::Eigvec3x3(t) => t,
        }
    }
}

/// A task as a `task:` block writes it: `name` and every parameter (defaults included), so
/// that [`TaskSpec::from_parameters`] reads it back to the same task.
impl serde::Serialize for TaskSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Named<'a, T> {
            name: &'static str,
            #[serde(flatten)]
            parameters: &'a T,
        }
        let name = self.name();
        match self {
            TaskSpec::GfAddition(parameters) => Named { name, parameters }.serialize(s),
            TaskSpec::PolynomialAddition(parameters) => Named { name, parameters }.serialize(s),
            TaskSpec::IntegerFactorization(parameters) => Named { name, parameters }.serialize(s),
            TaskSpec::IntegerPolynomialFactorization(parameters) => {
                Named { name, parameters }.serialize(s)
            }
            TaskSpec::RationalPolynomialFactorization(parameters) => {
                Named { name, parameters }.serialize(s)
            }
            TaskSpec::PolynomialReduction(parameters) => Named { name, parameters }.serialize(s),
            TaskSpec::Eigvec3x3(parameters) => Named { name, parameters }.serialize(s),
        }
    }
}

fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(crate::AlgebraError::InvalidParameter(msg.into()))
}
