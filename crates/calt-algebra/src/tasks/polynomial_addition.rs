//! `polynomial_addition`: polynomials `p1 | … | pL` and their running sums
//! `p1 | p1+p2 | …` (Sage printing), or only the total (CALT's SymPy demo task).

use super::{SampleStats, Task, invalid};
use crate::coeff::{Field, Gf};
use crate::error::Result;
use crate::poly::{MonomialOrder, Poly, parse_symbols};
use crate::pyrandom::PyRandom;
use crate::sample::{Sample, Value};
use crate::sampler::{CoeffStyle, PolynomialSampler, SampleCoeff, SamplerOptions};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Zero;

/// Polynomials per sample: each becomes a line part, so a sample stays a few MB at most.
pub const MAX_POLYNOMIALS: u32 = 1000;

#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolynomialAddition {
    pub field: Field,
    pub symbols: String,
    pub order: MonomialOrder,
    pub min_polynomials: u32,
    pub max_polynomials: u32,
    pub max_num_terms: usize,
    pub max_degree: u32,
    pub min_degree: u32,
    /// Coefficient bound: `max_coeff` (CALT's ZZ name) or `num_bound` (its QQ name).
    #[serde(rename = "max_coeff", alias = "num_bound")]
    pub coeff_bound: i64,
    /// Answer with every running sum (CALT's task) or only the total (CALT's demo).
    pub cumulative: bool,
    /// Coefficients drawn as CALT's `sagemath` or `sympy` sampler does.
    #[serde(rename = "sampler")]
    pub coeff_style: CoeffStyle,
}

impl Default for PolynomialAddition {
    fn default() -> Self {
        PolynomialAddition {
            field: Field::ZZ,
            symbols: "x0, x1, x2".into(),
            order: MonomialOrder::GRevLex,
            min_polynomials: 3,
            max_polynomials: 6,
            max_num_terms: 3,
            max_degree: 3,
            min_degree: 1,
            coeff_bound: 10,
            cumulative: true,
            coeff_style: CoeffStyle::Sage,
        }
    }
}

impl PolynomialAddition {
    fn options(&self) -> Result<SamplerOptions> {
        let vars = parse_symbols(&self.symbols)?;
        let o = SamplerOptions {
            nvars: vars.len(),
            order: self.order,
            max_num_terms: Some(self.max_num_terms),
            max_degree: self.max_degree,
            min_degree: self.min_degree,
            coeff_bound: self.coeff_bound,
            coeff_style: self.coeff_style,
            ..Default::default()
        };
        o.validate()?;
        Ok(o)
    }

    pub fn validate(&self) -> Result<()> {
        if self.min_polynomials == 0 || self.min_polynomials > self.max_polynomials {
            return invalid("need 1 <= min_polynomials <= max_polynomials");
        }
        if self.max_polynomials > MAX_POLYNOMIALS {
            return invalid(format!("max_polynomials must be at most {MAX_POLYNOMIALS}"));
        }
        self.options().map(|_| ())
    }

    fn run<C: SampleCoeff>(&self, zero: C, rng: &mut PyRandom) -> Result<Sample> {
        let vars = parse_symbols(&self.symbols)?;
        let sampler = PolynomialSampler::new(self.options()?, zero.clone())?;
        // A fixed count draws nothing (as a generator with a constant count does).
        let len = if self.min_polynomials == self.max_polynomials {
            i64::from(self.min_polynomials)
        } else {
            rng.randint(
                i64::from(self.min_polynomials),
                i64::from(self.max_polynomials),
            )
        };
        let polys = sampler.sample(rng, len as usize)?;
        let mut sum = Poly::zero(vars.len(), self.order, zero);
        let mut problem = Vec::with_capacity(polys.len());
        let mut answer = Vec::with_capacity(polys.len());
        for p in &polys {
            sum = sum.add(p);
            problem.push(p.to_text(&vars));
            if self.cumulative {
                answer.push(sum.to_text(&vars));
            }
        }
        if !self.cumulative {
            return Ok(Sample::new(Value::from(problem), sum.to_text(&vars)));
        }
        Ok(Sample::new(Value::from(problem), Value::from(answer)))
    }
}

impl Task for PolynomialAddition {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let s = match self.field {
            Field::ZZ => self.run(BigInt::zero(), rng)?,
            Field::QQ => self.run(BigRational::zero(), rng)?,
            Field::GF(p) => self.run(Gf { v: 0, p }, rng)?,
        };
        Ok(Some((s, SampleStats::default())))
    }
}
