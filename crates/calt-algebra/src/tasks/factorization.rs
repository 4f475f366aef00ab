//! `integer_polynomial_factorization` (a product of sampled ZZ[x] polynomials and its
//! factorisation) and `rational_polynomial_factorization` (one QQ[x] polynomial and its
//! factorisation), printed as Sage prints `p.factor()`.

use super::{SampleStats, Task, invalid};
use crate::coeff::Coeff;
use crate::error::Result;
use crate::factor::Factorization;
use crate::factor::{factor_qq, factor_zz};
use crate::poly::{MonomialOrder, Poly, parse_symbols};
use crate::pyrandom::PyRandom;
use crate::sample::Sample;
use crate::sampler::{PolynomialSampler, SamplerOptions};
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Zero};

fn univariate_options(
    variable: &str,
    max_num_terms: usize,
    max_degree: u32,
    min_degree: u32,
    coeff_bound: i64,
) -> Result<SamplerOptions> {
    let vars = parse_symbols(variable)?;
    if vars.len() != 1 {
        return invalid(format!("variable must be one name, got `{variable}`"));
    }
    let o = SamplerOptions {
        nvars: 1,
        order: MonomialOrder::GRevLex,
        max_num_terms: Some(max_num_terms),
        max_degree,
        min_degree,
        coeff_bound,
        ..Default::default()
    };
    o.validate()?;
    Ok(o)
}

#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntegerPolynomialFactorization {
    pub variable: String,
    pub num_factors: u32,
    pub max_num_terms: usize,
    pub max_degree: u32,
    pub min_degree: u32,
    pub max_coeff: i64,
}

impl Default for IntegerPolynomialFactorization {
    fn default() -> Self {
        IntegerPolynomialFactorization {
            variable: "x".into(),
            num_factors: 3,
            max_num_terms: 4,
            max_degree: 4,
            min_degree: 1,
            max_coeff: 10,
        }
    }
}

impl IntegerPolynomialFactorization {
    pub fn validate(&self) -> Result<()> {
        if self.num_factors == 0 || self.num_factors > 16 {
            return invalid("num_factors must be between 1 and 16");
        }
        univariate_options(
            &self.variable,
            self.max_num_terms,
            self.max_degree,
            self.min_degree,
            self.max_coeff,
        )
        .map(|_| ())
    }
}

/// CALT's statistics for the factorisation tasks: terms and degree of the input, distinct and
/// total factors of the answer.
fn factor_stats<C: Coeff>(p: &Poly<C>, f: &Factorization<C>) -> SampleStats {
    let mut stats = SampleStats::default();
    let degree = f64::from(p.total_degree().unwrap_or(0));
    stats.push("problem", "num_terms", p.num_terms() as f64);
    stats.push("problem", "max_degree", degree);
    stats.push("problem", "min_degree", degree);
    let (distinct, total) = f.counts();
    stats.push("answer", "num_distinct_factors", distinct as f64);
    stats.push("answer", "total_factors", f64::from(total));
    stats
}

impl Task for IntegerPolynomialFactorization {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let vars = parse_symbols(&self.variable)?;
        let o = univariate_options(
            &self.variable,
            self.max_num_terms,
            self.max_degree,
            self.min_degree,
            self.max_coeff,
        )?;
        let sampler = PolynomialSampler::new(o, BigInt::zero())?;
        let mut p = Poly::constant(1, MonomialOrder::GRevLex, BigInt::one());
        for q in sampler.sample(rng, self.num_factors as usize)? {
            p = p.mul(&q);
        }
        let f = factor_zz(&p)?;
        let stats = factor_stats(&p, &f);
        Ok(Some((
            Sample::new(p.to_text(&vars), f.to_text(&vars)),
            stats,
        )))
    }
}

#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RationalPolynomialFactorization {
    pub variable: String,
    pub max_num_terms: usize,
    pub max_degree: u32,
    pub min_degree: u32,
    pub num_bound: i64,
}

impl Default for RationalPolynomialFactorization {
    fn default() -> Self {
        RationalPolynomialFactorization {
            variable: "x".into(),
            max_num_terms: 4,
            max_degree: 4,
            min_degree: 1,
            num_bound: 10,
        }
    }
}

impl RationalPolynomialFactorization {
    pub fn validate(&self) -> Result<()> {
        univariate_options(
            &self.variable,
            self.max_num_terms,
            self.max_degree,
            self.min_degree,
            self.num_bound,
        )
        .map(|_| ())
    }
}

impl Task for RationalPolynomialFactorization {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let vars = parse_symbols(&self.variable)?;
        let o = univariate_options(
            &self.variable,
            self.max_num_terms,
            self.max_degree,
            self.min_degree,
            self.num_bound,
        )?;
        let sampler = PolynomialSampler::new(o, BigRational::zero())?;
        let p = sampler.one(rng)?;
        let f = factor_qq(&p)?;
        let stats = factor_stats(&p, &f);
        Ok(Some((
            Sample::new(p.to_text(&vars), f.to_text(&vars)),
            stats,
        )))
    }
}
