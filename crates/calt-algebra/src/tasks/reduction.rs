//! `polynomial_reduction`: `f | g1 | … | gt # r` where `g` is the reduced Gröbner basis of
//! sampled generators and `r` the normal form of `f` (CALT's training input, pattern 1).

use super::{SampleStats, Task, invalid};
use crate::coeff::{Field, FieldCoeff, Gf};
use crate::error::Result;
use crate::groebner::{groebner_basis_bounded, normal_form};
use crate::poly::{MonomialOrder, parse_symbols};
use crate::pyrandom::PyRandom;
use crate::sample::{Sample, Value};
use crate::sampler::{PolynomialSampler, SampleCoeff, SamplerOptions};
use num_rational::BigRational;
use num_traits::Zero;

/// Generators per sample: each is reduced against the others, so work grows with their square.
pub const MAX_GENERATORS: u32 = 64;

#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolynomialReduction {
    /// QQ or GF(p) (Gröbner bases are computed over a field).
    pub field: Field,
    pub symbols: String,
    pub order: MonomialOrder,
    pub num_generators: u32,
    pub max_num_terms: usize,
    pub max_degree: u32,
    pub min_degree: u32,
    /// Coefficient bound: `num_bound` (CALT's QQ name) or `max_coeff`.
    #[serde(rename = "max_coeff", alias = "num_bound")]
    pub coeff_bound: i64,
    /// Seeds where any sampled polynomial has fewer terms are skipped (CALT uses 2).
    pub min_terms: usize,
    /// Seeds whose Gröbner basis needs more S-polynomial reductions are skipped, so one
    /// pathological ideal cannot stall generation.
    pub max_pairs: usize,
}

impl Default for PolynomialReduction {
    fn default() -> Self {
        PolynomialReduction {
            field: Field::QQ,
            symbols: "x, y, z".into(),
            order: MonomialOrder::GRevLex,
            num_generators: 3,
            max_num_terms: 5,
            max_degree: 4,
            min_degree: 1,
            coeff_bound: 10,
            min_terms: 2,
            max_pairs: 500,
        }
    }
}

impl PolynomialReduction {
    fn options(&self) -> Result<SamplerOptions> {
        let vars = parse_symbols(&self.symbols)?;
        let o = SamplerOptions {
            nvars: vars.len(),
            order: self.order,
            max_num_terms: Some(self.max_num_terms),
            max_degree: self.max_degree,
            min_degree: self.min_degree,
            coeff_bound: self.coeff_bound,
            ..Default::default()
        };
        o.validate()?;
        Ok(o)
    }

    pub fn validate(&self) -> Result<()> {
        if self.field == Field::ZZ {
            return invalid("polynomial_reduction needs a field: QQ or GF(p)");
        }
        if self.num_generators == 0 {
            return invalid("num_generators must be at least 1");
        }
        if self.num_generators > MAX_GENERATORS {
            return invalid(format!("num_generators must be at most {MAX_GENERATORS}"));
        }
        self.options().map(|_| ())
    }

    fn run<C: SampleCoeff + FieldCoeff>(
        &self,
        zero: C,
        rng: &mut PyRandom,
    ) -> Result<Option<Sample>> {
        let vars = parse_symbols(&self.symbols)?;
        let sampler = PolynomialSampler::new(self.options()?, zero)?;
        let f = sampler.one(rng)?;
        let gens = sampler.sample(rng, self.num_generators as usize)?;
        if std::iter::once(&f)
            .chain(&gens)
            .any(|p| p.num_terms() < self.min_terms)
        {
            return Ok(None);
        }
        let Some(g) = groebner_basis_bounded(&gens, self.max_pairs) else {
            return Ok(None);
        };
        let r = normal_form(&f, &g);
        let mut problem = vec![f.to_text(&vars)];
        problem.extend(g.iter().map(|p| p.to_text(&vars)));
        Ok(Some(Sample::new(Value::from(problem), r.to_text(&vars))))
    }
}

impl Task for PolynomialReduction {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let sample = match self.field {
            Field::QQ => self.run(BigRational::zero(), rng)?,
            Field::GF(p) => self.run(Gf { v: 0, p }, rng)?,
            Field::ZZ => return invalid("polynomial_reduction needs a field: QQ or GF(p)"),
        };
        Ok(sample.map(|s| (s, SampleStats::default())))
    }
}
