//! CALT's `PolynomialSampler`, driven by [`PyRandom`]. Degree and term count are drawn
//! first, then candidates until the conditions hold. The monomial draws follow CALT's SymPy
//! sampler exactly (its demo dataset is reproduced byte for byte); coefficients are drawn in
//! the SymPy or the SageMath style ([`CoeffStyle`]).

use crate::coeff::Coeff;
use crate::error::{AlgebraError, Result};
use crate::poly::{Monomial, MonomialOrder, Poly};
use crate::pyrandom::PyRandom;
use crate::pyset::PySet;
use num_bigint::BigInt;
use num_rational::BigRational;

/// Sampler options, with CALT's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplerOptions {
    pub nvars: usize,
    pub order: MonomialOrder,
    /// `None` = no limit beyond the number of monomials of the chosen degree.
    pub max_num_terms: Option<usize>,
    pub max_degree: u32,
    pub min_degree: u32,
    /// `true` = degree uniform in [min, max] ("uniform"); `false` = always max ("fixed").
    pub degree_uniform: bool,
    /// `true` = term count uniform in [1, max_terms]; `false` = always max_terms.
    pub term_uniform: bool,
    /// Coefficient bound for ZZ (`max_coeff`) and QQ (`num_bound`).
    pub coeff_bound: i64,
    pub strictly_conditioned: bool,
    pub nonzero_instance: bool,
    pub nonzero_coeff: bool,
    pub max_attempts: u32,
    pub coeff_style: CoeffStyle,
}

/// How coefficients are drawn, after CALT's two samplers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CoeffStyle {
    /// SageMath: ZZ/QQ numerators ±[1, c] with probability 1/2 each; GF(p) in [1, p-1].
    #[default]
    Sage,
    /// SymPy: ZZ/QQ numerators uniform in [-c, c], GF(p) in [0, p-1], redrawn while zero.
    SymPy,
}

impl CoeffStyle {
    /// CALT's backend names: `sagemath` or `sympy`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        match s.trim() {
            "sagemath" => Ok(CoeffStyle::Sage),
            "sympy" => Ok(CoeffStyle::SymPy),
            other => Err(crate::AlgebraError::InvalidParameter(format!(
                "unknown sampler `{other}`; expected sagemath or sympy"
            ))),
        }
    }
}

impl std::fmt::Display for CoeffStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CoeffStyle::Sage => "sagemath",
            CoeffStyle::SymPy => "sympy",
        })
    }
}

crate::serde_as_text!(CoeffStyle, CoeffStyle::parse);

impl Default for SamplerOptions {
    fn default() -> Self {
        SamplerOptions {
            nvars: 1,
            order: MonomialOrder::GRevLex,
            max_num_terms: Some(10),
            max_degree: 5,
            min_degree: 0,
            degree_uniform: true,
            term_uniform: true,
            coeff_bound: 10,
            strictly_conditioned: true,
            nonzero_instance: true,
            nonzero_coeff: true,
            max_attempts: 1000,
            coeff_style: CoeffStyle::Sage,
        }
    }
}

impl SamplerOptions {
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(AlgebraError::InvalidParameter(m.to_string()));
        if self.nvars == 0 {
            return bad("a polynomial ring needs at least one variable");
        }
        if self.min_degree > self.max_degree {
            return bad("min_degree must not exceed max_degree");
        }
        if self.max_degree > 1000 {
            return bad("max_degree must be at most 1000");
        }
        if self.coeff_bound < 1 {
            return bad("coefficient bounds must be at least 1");
        }
        if self.nvars > MAX_VARIABLES {
            return bad(&format!(
                "a polynomial ring takes at most {MAX_VARIABLES} variables"
            ));
        }
        match self.max_num_terms {
            Some(0) => return bad("max_num_terms must be at least 1"),
            Some(n) if n > MAX_TERMS => {
                return bad(&format!("max_num_terms must be at most {MAX_TERMS}"));
            }
            _ => {}
        }
        if self.max_attempts == 0 {
            return bad("max_attempts must be at least 1");
        }
        Ok(())
    }
}

/// Bounds on what a task block can ask the sampler for: a polynomial's term count and its
/// ring's size are allocated per sample, so a typo must not ask for billions.
pub const MAX_TERMS: usize = 10_000;
pub const MAX_VARIABLES: usize = 64;

/// Draws one coefficient of a ring; implemented for ZZ, QQ and GF(p).
pub trait SampleCoeff: Coeff {
    fn sample(
        zero: &Self,
        rng: &mut PyRandom,
        bound: i64,
        nonzero: bool,
        style: CoeffStyle,
    ) -> Self;
}

/// ±[1, c] with probability 1/2 each (or [-c, c] when zero is allowed), as Sage's sampler.
fn signed_int(rng: &mut PyRandom, c: i64, nonzero: bool) -> i64 {
    if nonzero {
        if rng.randbelow(2) == 0 {
            rng.randint(1, c)
        } else {
            rng.randint(-c, -1)
        }
    } else {
        rng.randint(-c, c)
    }
}

/// Uniform in [lo, hi], redrawn while zero when `nonzero`, as SymPy's sampler.
fn redrawn_int(rng: &mut PyRandom, lo: i64, hi: i64, nonzero: bool) -> i64 {
    loop {
        let v = rng.randint(lo, hi);
        if v != 0 || !nonzero {
            return v;
        }
    }
}

impl SampleCoeff for BigInt {
    fn sample(_: &Self, rng: &mut PyRandom, c: i64, nonzero: bool, style: CoeffStyle) -> Self {
        BigInt::from(match style {
            CoeffStyle::Sage => signed_int(rng, c, nonzero),
            CoeffStyle::SymPy => redrawn_int(rng, -c, c, nonzero),
        })
    }
}

impl SampleCoeff for BigRational {
    fn sample(_: &Self, rng: &mut PyRandom, b: i64, nonzero: bool, style: CoeffStyle) -> Self {
        let (n, d) = match style {
            CoeffStyle::Sage => (signed_int(rng, b, nonzero), rng.randint(1, b)),
            CoeffStyle::SymPy => loop {
                let n = rng.randint(-b, b);
                let d = rng.randint(1, b);
                if n != 0 || !nonzero {
                    break (n, d);
                }
            },
        };
        BigRational::new(n.into(), d.into())
    }
}

impl SampleCoeff for crate::coeff::Gf {
    fn sample(zero: &Self, rng: &mut PyRandom, _: i64, nonzero: bool, style: CoeffStyle) -> Self {
        let p = zero.p as i64;
        let v = match style {
            CoeffStyle::Sage if nonzero => rng.randint(1, p - 1),
            CoeffStyle::Sage => rng.randint(0, p - 1),
            CoeffStyle::SymPy => redrawn_int(rng, 0, p - 1, nonzero),
        };
        zero.from_i64_like(v)
    }
}

fn binomial(n: u64, k: u64) -> u64 {
    let k = k.min(n - k);
    let mut r: u128 = 1;
    for i in 0..k {
        r = r * u128::from(n - i) / u128::from(i + 1);
        if r > u128::from(u64::MAX) {
            return u64::MAX;
        }
    }
    r as u64
}

/// Number of monomials of degree exactly `d` in `n` variables.
fn count_degree(n: usize, d: u32) -> u64 {
    binomial(d as u64 + n as u64 - 1, n as u64 - 1)
}

/// The `rank`-th monomial of degree `d` in `n` variables, in ascending lexicographic order of
/// exponent vectors (`x_{n-1}^d` first), as CALT's sampler unranks.
fn unrank(n: usize, d: u32, mut rank: u64) -> Monomial {
    let mut m = vec![0u32; n];
    let mut left = d;
    for (i, slot) in m.iter_mut().enumerate().take(n - 1) {
        // Exponent e for variable i, smallest first; count the monomials of the rest.
        let rest_vars = n - i - 1;
        let mut e = 0;
        loop {
            let c = count_degree(rest_vars, left - e);
            if rank < c {
                break;
            }
            rank -= c;
            e += 1;
        }
        *slot = e;
        left -= e;
    }
    m[n - 1] = left;
    m
}

/// Every monomial of degree `d`, in descending lexicographic order (Sage's `IntegerVectors`).
fn all_of_degree(n: usize, d: u32) -> Vec<Monomial> {
    let mut all: Vec<Monomial> = (0..count_degree(n, d)).map(|r| unrank(n, d, r)).collect();
    all.reverse();
    all
}

/// A polynomial sampler over the ring of `zero`.
#[derive(Clone, Debug)]
pub struct PolynomialSampler<C: SampleCoeff> {
    opts: SamplerOptions,
    zero: C,
}

impl<C: SampleCoeff> PolynomialSampler<C> {
    pub fn new(opts: SamplerOptions, zero: C) -> Result<Self> {
        opts.validate()?;
        Ok(PolynomialSampler { opts, zero })
    }

    /// `sample(num_samples)`: independent polynomials.
    pub fn sample(&self, rng: &mut PyRandom, n: usize) -> Result<Vec<Poly<C>>> {
        (0..n).map(|_| self.one(rng)).collect()
    }

    /// One polynomial satisfying the options.
    pub fn one(&self, rng: &mut PyRandom) -> Result<Poly<C>> {
        let o = &self.opts;
        let d = if o.degree_uniform {
            rng.randint(i64::from(o.min_degree), i64::from(o.max_degree)) as u32
        } else {
            o.max_degree
        };
        let total = binomial(u64::from(d) + o.nvars as u64, o.nvars as u64);
        let max_terms = o
            .max_num_terms
            .map_or(total, |m| (m as u64).min(total))
            .max(1);
        let t = if o.term_uniform {
            rng.randint(1, max_terms as i64) as u64
        } else {
            max_terms
        };
        for _ in 0..o.max_attempts {
            let p = self.candidate(rng, d, t, total);
            if o.nonzero_instance && p.is_zero() {
                continue;
            }
            let deg = p.total_degree().unwrap_or(0);
            if deg < o.min_degree {
                continue;
            }
            if !o.strictly_conditioned || (deg == d && p.num_terms() as u64 == t) {
                return Ok(p);
            }
        }
        Err(AlgebraError::SamplerExhausted(o.max_attempts))
    }

    fn candidate(&self, rng: &mut PyRandom, d: u32, t: u64, total: u64) -> Poly<C> {
        let o = &self.opts;
        let n = o.nvars;
        let coeff = |rng: &mut PyRandom| {
            C::sample(
                &self.zero,
                rng,
                o.coeff_bound,
                o.nonzero_coeff,
                o.coeff_style,
            )
        };
        if d == 0 {
            // A constant: one coefficient, no monomial draws.
            let c = coeff(rng);
            return Poly::constant(n, o.order, c);
        }
        let t = t.min(total);
        let monos: Vec<Monomial> = if 2 * t < total {
            // Few terms: rejection-sample distinct monomials into a (Python) set, either a
            // degree uniform in [0, d] then a monomial of that degree, or a monomial uniform
            // over all of degree <= d. Coefficients pair with the set's iteration order.
            let mut set = PySet::default();
            while (set.len() as u64) < t {
                let m = if o.degree_uniform {
                    let k = rng.randint(0, i64::from(d)) as u32;
                    unrank(n, k, rng.randbelow(count_degree(n, k)))
                } else {
                    let mut r = rng.randbelow(total);
                    let mut k = 0;
                    while r >= count_degree(n, k) {
                        r -= count_degree(n, k);
                        k += 1;
                    }
                    unrank(n, k, r)
                };
                set.insert(m);
            }
            set.into_iteration_order()
        } else if o.degree_uniform {
            // Many terms: per term, a random degree class that still has monomials, then a
            // random monomial of it, removed so that it is not drawn again.
            let mut classes: Vec<Vec<Monomial>> = (0..=d).map(|k| all_of_degree(n, k)).collect();
            let mut chosen = Vec::with_capacity(t as usize);
            for _ in 0..t {
                let ci = rng.randbelow(classes.len() as u64) as usize;
                let mi = rng.randbelow(classes[ci].len() as u64) as usize;
                chosen.push(classes[ci].remove(mi));
                if classes[ci].is_empty() {
                    classes.remove(ci);
                }
            }
            chosen
        } else {
            // Many terms, uniform: all monomials, then random ones removed until t are left.
            let mut all: Vec<Monomial> = (0..=d).flat_map(|k| all_of_degree(n, k)).collect();
            while all.len() as u64 > t {
                let i = rng.randbelow(all.len() as u64) as usize;
                all.remove(i);
            }
            all
        };
        let terms = monos.into_iter().map(|m| (m, coeff(rng))).collect();
        Poly::from_terms(n, o.order, self.zero.clone(), terms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::Zero;

    #[test]
    fn unrank_is_a_bijection() {
        for n in 1..4 {
            for d in 0..5 {
                let mut seen: Vec<Monomial> =
                    (0..count_degree(n, d)).map(|r| unrank(n, d, r)).collect();
                assert!(seen.iter().all(|m| m.iter().sum::<u32>() == d));
                seen.sort();
                seen.dedup();
                assert_eq!(seen.len() as u64, count_degree(n, d));
            }
        }
    }

    #[test]
    fn respects_conditions() {
        let opts = SamplerOptions {
            nvars: 3,
            max_num_terms: Some(3),
            max_degree: 3,
            min_degree: 1,
            ..Default::default()
        };
        let s = PolynomialSampler::new(opts, BigInt::zero()).unwrap();
        for seed in 0..200u128 {
            let mut rng = PyRandom::new(seed);
            let p = s.one(&mut rng).unwrap();
            let d = p.total_degree().unwrap();
            assert!((1..=3).contains(&d));
            assert!((1..=3).contains(&p.num_terms()));
            for (_, c) in p.terms() {
                let v = i64::try_from(c).unwrap();
                assert!(v != 0 && v.abs() <= 10);
            }
        }
        let bad = SamplerOptions {
            min_degree: 4,
            max_degree: 2,
            ..Default::default()
        };
        assert!(PolynomialSampler::new(bad, BigInt::zero()).is_err());
    }
}
