//! Univariate factorisation over ZZ and QQ into irreducibles (square-free part, then
//! Zassenhaus: factor modulo a prime above the Mignotte bound and recombine), and Sage's
//! printing of the result (`(x - 8) * (x - 6)`, `(5/3) * x`, `(-1) * 2 * (x + 1)^2`).

use crate::coeff::{Coeff, is_prime_u64};
use crate::error::{AlgebraError, Result};
use crate::intfactor::factor_integer;
use crate::modp;
use crate::poly::{MonomialOrder, Poly};
use crate::zpoly::{self, ZPoly};
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;

/// A factorisation `unit * prod f_i^e_i`, as Sage's `Factorization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Factorization<C: Coeff> {
    pub unit: C,
    pub factors: Vec<(Poly<C>, u32)>,
}

impl<C: Coeff> Factorization<C> {
    /// Multiplies everything back out.
    pub fn expand(&self, nvars: usize, order: MonomialOrder) -> Poly<C> {
        let mut acc = Poly::constant(nvars, order, self.unit.clone());
        for (f, e) in &self.factors {
            acc = acc.mul(&f.pow(*e));
        }
        acc
    }

    /// Number of distinct factors and total factors counted with multiplicity.
    pub fn counts(&self) -> (usize, u32) {
        (
            self.factors.len(),
            self.factors.iter().map(|(_, e)| *e).sum(),
        )
    }

    /// Sorts as Sage does: by (degree, exponent, polynomial), polynomials compared by degree
    /// then coefficients from the highest degree down.
    fn sort(&mut self) {
        self.factors.sort_by(|(f, e), (g, d)| {
            let df = f.total_degree().unwrap_or(0);
            let dg = g.total_degree().unwrap_or(0);
            df.cmp(&dg)
                .then(e.cmp(d))
                .then_with(|| cmp_univariate(f, g))
        });
    }

    /// Sage's `repr`: unit in parentheses when it is not 1; factors with `+`, `-` or a space in
    /// parentheses when there is more than one thing to show.
    pub fn to_text(&self, vars: &[String]) -> String {
        if self.factors.is_empty() {
            return self.unit.to_string();
        }
        let unit_is_one = self.unit.is_one();
        let mut parts = Vec::with_capacity(self.factors.len() + 1);
        if !unit_is_one {
            parts.push(format!("({})", self.unit));
        }
        for (f, e) in &self.factors {
            let mut t = f.to_text(vars);
            if (*e != 1 || self.factors.len() > 1 || !unit_is_one)
                && (t.contains('+') || t.contains('-') || t.contains(' '))
            {
                t = format!("({t})");
            }
            if *e != 1 {
                t.push_str(&format!("^{e}"));
            }
            parts.push(t);
        }
        parts.join(" * ")
    }
}

fn cmp_univariate<C: Coeff>(f: &Poly<C>, g: &Poly<C>) -> Ordering {
    let df = dense(f);
    let dg = dense(g);
    df.len().cmp(&dg.len()).then_with(|| {
        for (a, b) in df.iter().rev().zip(dg.iter().rev()) {
            let o = a.cmp_value(b);
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    })
}

/// Dense coefficients (lowest degree first) of a univariate polynomial.
fn dense<C: Coeff>(f: &Poly<C>) -> Vec<C> {
    let n = f.total_degree().map_or(0, |d| d as usize + 1);
    let mut v = vec![f.ring_zero().clone(); n];
    for (m, c) in f.terms() {
        v[m[0] as usize] = c.clone();
    }
    v
}

fn check_univariate<C: Coeff>(f: &Poly<C>) -> Result<()> {
    if f.nvars() != 1 {
        return Err(AlgebraError::InvalidParameter(
            "factorisation is implemented for univariate polynomials only".into(),
        ));
    }
    if f.is_zero() {
        return Err(AlgebraError::InvalidParameter(
            "the zero polynomial has no factorisation".into(),
        ));
    }
    Ok(())
}

fn from_dense_zz(a: &ZPoly, order: MonomialOrder) -> Poly<BigInt> {
    let terms = a
        .iter()
        .enumerate()
        .map(|(i, c)| (vec![i as u32], c.clone()))
        .collect();
    Poly::from_terms(1, order, BigInt::zero(), terms)
}

/// Factors `f` in ZZ[x]: unit ±1, the content's primes as constant factors, then primitive
/// irreducible polynomials with positive leading coefficients.
pub fn factor_zz(f: &Poly<BigInt>) -> Result<Factorization<BigInt>> {
    check_univariate(f)?;
    let a: ZPoly = dense(f);
    let prim = zpoly::primitive(&a);
    let mut cont = zpoly::content(&a);
    let negative = a.last().is_some_and(Signed::is_negative);
    if negative {
        cont = -cont;
    }
    let unit = if negative {
        -BigInt::one()
    } else {
        BigInt::one()
    };
    let mut factors: Vec<(Poly<BigInt>, u32)> = factor_integer(&cont)
        .into_iter()
        .map(|(p, e)| (Poly::constant(1, f.order(), p), e))
        .collect();
    for (g, e) in factor_primitive(&prim)? {
        factors.push((from_dense_zz(&g, f.order()), e));
    }
    let mut fz = Factorization { unit, factors };
    fz.sort();
    Ok(fz)
}

/// Factors `f` in QQ[x]: unit = leading coefficient, monic irreducible factors.
pub fn factor_qq(f: &Poly<BigRational>) -> Result<Factorization<BigRational>> {
    check_univariate(f)?;
    let q = dense(f);
    let den = q.iter().fold(BigInt::one(), |l, c| l.lcm(c.denom()));
    let a: ZPoly = q.iter().map(|c| (c * &den).to_integer()).collect();
    let prim = zpoly::primitive(&a);
    let unit = f.leading_coeff().cloned().unwrap_or_else(BigRational::zero);
    let mut factors = Vec::new();
    for (g, e) in factor_primitive(&prim)? {
        let lc = BigRational::from_integer(g.last().cloned().unwrap_or_else(BigInt::one));
        let terms = g
            .iter()
            .enumerate()
            .map(|(i, c)| (vec![i as u32], BigRational::from_integer(c.clone()) / &lc))
            .collect();
        factors.push((
            Poly::from_terms(1, f.order(), BigRational::zero(), terms),
            e,
        ));
    }
    let mut fz = Factorization { unit, factors };
    fz.sort();
    Ok(fz)
}

/// Irreducible factors (primitive, positive leading coefficient) with multiplicities of a
/// primitive polynomial of degree >= 0.
fn factor_primitive(f: &ZPoly) -> Result<Vec<(ZPoly, u32)>> {
    if zpoly::degree(f) == 0 {
        return Ok(Vec::new());
    }
    let g = zpoly::gcd(f, &zpoly::derivative(f));
    let sqfree = zpoly::primitive(&zpoly::div_exact(f, &g).unwrap_or_else(|| f.clone()));
    let mut out = Vec::new();
    let mut rest = f.clone();
    for h in zassenhaus(&sqfree)? {
        let mut e = 0;
        while let Some(q) = zpoly::div_exact(&rest, &h) {
            rest = q;
            e += 1;
        }
        out.push((h, e.max(1)));
    }
    Ok(out)
}

/// Largest prime modulus the word-sized modular arithmetic supports.
const MAX_MODULUS_BITS: u64 = 61;

/// Irreducible factors of a primitive square-free polynomial with positive leading coefficient.
fn zassenhaus(f: &ZPoly) -> Result<Vec<ZPoly>> {
    let n = zpoly::degree(f);
    if n <= 1 {
        return Ok(vec![f.clone()]);
    }
    // Mignotte: every factor's coefficients are below 2^n * ||f||_2; with the leading
    // coefficient folded in, 2 * |lc| * that bound lets the symmetric lift recover them.
    let norm2 = f.iter().map(|c| c * c).sum::<BigInt>().sqrt() + 1u32;
    let lc = f[n].clone();
    let bound: BigInt = (BigInt::one() << n) * norm2 * lc.abs() * 2u32 + 1u32;
    if bound.bits() > MAX_MODULUS_BITS {
        return Err(AlgebraError::TooLarge("polynomial factorisation"));
    }
    let mut p = u64::try_from(&bound).unwrap_or(1).max(1 << 20) | 1;
    let modp_f = loop {
        if is_prime_u64(p) && !Zero::is_zero(&(&lc % p)) {
            let fp = zpoly::reduce_mod(f, p);
            let d = modp::derivative(&fp, p);
            if modp::gcd(&fp, &d, p).len() == 1 {
                break fp;
            }
        }
        p += 2;
    };
    let mut local = modp::factor_squarefree(&modp::monic(&modp_f, p), p);
    local.sort();
    if local.len() == 1 {
        return Ok(vec![f.clone()]);
    }
    let mut found = Vec::new();
    let mut rest = f.clone();
    let mut s = 1;
    while 2 * s <= local.len() {
        let mut hit = None;
        for subset in combinations(local.len(), s) {
            let lcr = rest.last().cloned().unwrap_or_else(BigInt::one);
            let lcp = zpoly::reduce_mod(&vec![lcr], p);
            let mut g = lcp;
            for &i in &subset {
                g = modp::mul(&g, &local[i], p);
            }
            let cand = zpoly::primitive(&zpoly::symmetric_lift(&g, p));
            if let Some(q) = zpoly::div_exact(&rest, &cand) {
                hit = Some((subset, cand, q));
                break;
            }
        }
        match hit {
            Some((subset, cand, q)) => {
                found.push(cand);
                rest = q;
                let mut k = 0;
                local.retain(|_| {
                    let keep = !subset.contains(&k);
                    k += 1;
                    keep
                });
            }
            None => s += 1,
        }
    }
    if zpoly::degree(&rest) > 0 {
        found.push(zpoly::primitive(&rest));
    }
    Ok(found)
}

/// All `k`-subsets of `0..n` in lexicographic order.
fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..k).collect();
    if k > n {
        return out;
    }
    loop {
        out.push(idx.clone());
        let mut i = k;
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            if idx[i] != i + n - k {
                break;
            }
            if i == 0 && idx[0] == n - k {
                return out;
            }
        }
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_poly;
    use proptest::prelude::*;

    fn x() -> Vec<String> {
        vec!["x".to_string()]
    }

    fn zz(t: &str) -> Poly<BigInt> {
        parse_poly(t, &x(), MonomialOrder::GRevLex, &BigInt::zero()).unwrap()
    }

    fn qq(t: &str) -> Poly<BigRational> {
        parse_poly(t, &x(), MonomialOrder::GRevLex, &BigRational::zero()).unwrap()
    }

    #[test]
    fn sage_sample_lines_zz() {
        for (p, f) in [
            ("x^2 - 14*x + 48", "(x - 8) * (x - 6)"),
            ("x^2 - 18*x + 81", "(x - 9)^2"),
            ("x^2 - 64", "(x - 8) * (x + 8)"),
            ("-2*x^2 + 2", "(-1) * 2 * (x - 1) * (x + 1)"),
            // Sage sorts by (degree, exponent, value): 3 (exponent 1) before 2^2.
            ("12*x", "3 * 2^2 * x"),
            ("x^4 + 1", "x^4 + 1"),
            ("-x", "(-1) * x"),
        ] {
            assert_eq!(factor_zz(&zz(p)).unwrap().to_text(&x()), f, "{p}");
        }
    }

    #[test]
    fn sage_sample_lines_qq() {
        let data = include_str!(
            "../../../tests/data/sample_data/rational_polynomial_factorization/train_raw.txt"
        );
        for line in data.lines() {
            let (p, f) = line.split_once(" # ").unwrap();
            assert_eq!(factor_qq(&qq(p)).unwrap().to_text(&x()), f, "{p}");
        }
    }

    #[test]
    fn combinations_enumerate() {
        assert_eq!(combinations(4, 2).len(), 6);
        assert_eq!(combinations(3, 3), vec![vec![0, 1, 2]]);
        assert_eq!(combinations(3, 1), vec![vec![0], vec![1], vec![2]]);
    }

    fn is_irreducible_brute(f: &ZPoly) -> bool {
        // Search all integer polynomials g of degree 1..=deg/2 whose coefficients are bounded
        // by the Mignotte bound (small inputs only) and see if one divides f.
        let n = zpoly::degree(f);
        let bound: i64 = (1i64 << n)
            * f.iter()
                .map(|c| i64::try_from(c).unwrap().abs())
                .sum::<i64>();
        let bound = bound.min(12);
        for d in 1..=n / 2 {
            let count = (2 * bound + 1).pow(d as u32 + 1);
            for code in 0..count {
                let mut c = code;
                let mut g: ZPoly = (0..=d)
                    .map(|_| {
                        let v = c % (2 * bound + 1) - bound;
                        c /= 2 * bound + 1;
                        BigInt::from(v)
                    })
                    .collect();
                zpoly::trim(&mut g);
                if zpoly::degree(&g) == d && zpoly::div_exact(f, &g).is_some() {
                    return false;
                }
            }
        }
        true
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn factors_multiply_back(cs in proptest::collection::vec(
            proptest::collection::vec(-5i64..=5, 1..4), 1..4)) {
            let mut f = Poly::constant(1, MonomialOrder::GRevLex, BigInt::one());
            for c in &cs {
                let terms = c.iter().enumerate().map(|(i, &v)| (vec![i as u32], BigInt::from(v))).collect();
                f = f.mul(&Poly::from_terms(1, MonomialOrder::GRevLex, BigInt::zero(), terms));
            }
            prop_assume!(!f.is_zero());
            let fz = factor_zz(&f).unwrap();
            prop_assert_eq!(fz.expand(1, MonomialOrder::GRevLex), f.clone());
            for (g, _) in &fz.factors {
                let d = dense(g);
                if d.len() > 1 {
                    prop_assert!(Signed::is_positive(d.last().unwrap()));
                    prop_assert!(One::is_one(&zpoly::content(&d)));
                    if d.len() <= 5 {
                        prop_assert!(is_irreducible_brute(&d), "{:?} reducible", d);
                    }
                } else {
                    prop_assert!(is_prime_u64(u64::try_from(&d[0]).unwrap()));
                }
            }
            let fq = f.map_coeffs(BigRational::zero(), |c| BigRational::from_integer(c.clone()));
            let fzq = factor_qq(&fq).unwrap();
            prop_assert_eq!(fzq.expand(1, MonomialOrder::GRevLex), fq);
        }
    }
}
