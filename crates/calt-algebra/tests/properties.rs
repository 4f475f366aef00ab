//! Property tests of the algebra behind the tasks: factorisations multiply back to the input
//! and their factors are irreducible (checked by brute force for small cases); reductions
//! leave remainders with no term divisible by a leading term, and f - r lies in the ideal;
//! GF(p) sums are right.

use calt_algebra::coeff::Gf;
use calt_algebra::factor::{factor_qq, factor_zz};
use calt_algebra::groebner::{groebner_basis_bounded, normal_form};
use calt_algebra::tasks::{GfAddition, Task};
use calt_algebra::{MonomialOrder, Poly};
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use proptest::prelude::*;

const ORDER: MonomialOrder = MonomialOrder::GRevLex;

/// `coeffs[i]` is the coefficient of x^i.
fn zz(coeffs: &[i64]) -> Poly<BigInt> {
    let terms = coeffs
        .iter()
        .enumerate()
        .map(|(i, &c)| (vec![i as u32], BigInt::from(c)))
        .collect();
    Poly::from_terms(1, ORDER, BigInt::zero(), terms)
}

/// Dense coefficients (index = exponent) of a univariate polynomial over QQ.
fn dense_qq(p: &Poly<BigRational>) -> Vec<BigRational> {
    let deg = p.total_degree().unwrap_or(0) as usize;
    let mut out = vec![BigRational::zero(); deg + 1];
    for (m, c) in p.terms() {
        out[m[0] as usize] = c.clone();
    }
    out
}

fn to_qq(p: &Poly<BigInt>) -> Poly<BigRational> {
    p.map_coeffs(BigRational::zero(), |c| {
        BigRational::from_integer(c.clone())
    })
}

fn divisors(n: &BigInt) -> Vec<BigInt> {
    let n = n.abs().to_i64().expect("small");
    (1..=n).filter(|d| n % d == 0).map(BigInt::from).collect()
}

/// Remainder of dense `a` divided by dense `b` over QQ.
fn rem_qq(a: &[BigRational], b: &[BigRational]) -> Vec<BigRational> {
    let mut r = a.to_vec();
    let lead = b.last().expect("nonzero").clone();
    while r.len() >= b.len() && r.iter().any(|c| !c.is_zero()) {
        let shift = r.len() - b.len();
        let q = r.last().expect("nonempty").clone() / &lead;
        for (i, c) in b.iter().enumerate() {
            r[shift + i] = &r[shift + i] - &q * c;
        }
        r.pop();
    }
    r
}

/// Brute force: a primitive `f` of degree <= 5 over ZZ has no factor of degree 1 or 2 with
/// integer coefficients (which, by Gauss and degree counting, means it is irreducible).
fn irreducible_by_brute_force(f: &Poly<BigInt>) -> bool {
    let deg = f.total_degree().unwrap_or(0);
    assert!((1..=5).contains(&deg), "brute force covers degree 1..5");
    if deg == 1 {
        return true;
    }
    let fq = dense_qq(&to_qq(f));
    let lead = fq.last().unwrap().to_integer();
    let constant = fq[0].to_integer();
    if constant.is_zero() {
        return false; // x divides f
    }
    // Coefficients of an integer factor are bounded by 2^deg times the norm of f (Mignotte).
    let norm: f64 = fq
        .iter()
        .map(|c| c.to_integer().to_f64().unwrap().powi(2))
        .sum::<f64>()
        .sqrt();
    let bound = (norm * f64::from(1u32 << deg)).ceil() as i64;
    let divides = |g: Vec<BigRational>| rem_qq(&fq, &g).iter().all(|c| c.is_zero());
    for a in divisors(&lead) {
        for c in divisors(&constant) {
            for sc in [c.clone(), -c.clone()] {
                // Linear factors a*x + sc.
                let q = |n: &BigInt| BigRational::from_integer(n.clone());
                if divides(vec![q(&sc), q(&a)]) {
                    return false;
                }
                if deg >= 4 {
                    for b in -bound..=bound {
                        if divides(vec![q(&sc), q(&BigInt::from(b)), q(&a)]) {
                            return false;
                        }
                    }
                }
            }
        }
    }
    true
}

fn small_poly(max_degree: usize) -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-6i64..=6, 1..=max_degree + 1)
        .prop_filter("nonconstant", |v| v.len() >= 2 && *v.last().unwrap() != 0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn zz_factorisation_multiplies_back_and_is_irreducible(a in small_poly(3), b in small_poly(2)) {
        let p = zz(&a).mul(&zz(&b));
        let f = factor_zz(&p).unwrap();
        prop_assert_eq!(f.expand(1, ORDER), p.clone());
        for (g, e) in &f.factors {
            prop_assert!(*e >= 1);
            if g.is_constant() {
                let n = g.terms()[0].1.clone();
                prop_assert!(n > BigInt::one() && divisors(&n).len() == 2, "constant factor {} is not prime", n);
            } else {
                prop_assert!(irreducible_by_brute_force(g), "{:?} factors further", g);
            }
        }
    }

    #[test]
    fn qq_factorisation_multiplies_back_with_monic_irreducible_factors(
        a in small_poly(5), den in 1i64..=6
    ) {
        let p = to_qq(&zz(&a)).scale(&BigRational::new(BigInt::one(), BigInt::from(den)));
        let f = factor_qq(&p).unwrap();
        prop_assert_eq!(f.expand(1, ORDER), p.clone());
        for (g, _) in &f.factors {
            prop_assert!(g.leading_coeff().unwrap().is_one());
            // Clear denominators, then brute-force irreducibility over ZZ.
            let lcm = g.terms().iter().fold(BigInt::one(), |l, (_, c)| l.lcm(c.denom()));
            let gz = g.map_coeffs(BigInt::zero(), |c| (c * BigRational::from_integer(lcm.clone())).to_integer());
            prop_assert!(irreducible_by_brute_force(&gz), "{:?} factors further", g);
        }
    }
}

fn gf_poly(p: u64, terms: &[(u32, u32, u32, i64)]) -> Poly<Gf> {
    let t = terms
        .iter()
        .map(|&(a, b, c, v)| (vec![a, b, c], Gf::new(v, p)))
        .collect();
    Poly::from_terms(3, ORDER, Gf::new(0, p), t)
}

fn qq_poly(terms: &[(u32, u32, u32, i64)]) -> Poly<BigRational> {
    let t = terms
        .iter()
        .map(|&(a, b, c, v)| (vec![a, b, c], BigRational::from_integer(BigInt::from(v))))
        .collect();
    Poly::from_terms(3, ORDER, BigRational::zero(), t)
}

fn term() -> impl Strategy<Value = (u32, u32, u32, i64)> {
    (0u32..=2, 0u32..=2, 0u32..=2, -5i64..=5)
}

fn divides(a: &[u32], b: &[u32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn reduction_remainder_is_reduced_and_the_rest_is_in_the_ideal(
        f in prop::collection::vec(term(), 1..6),
        gens in prop::collection::vec(prop::collection::vec(term(), 1..4), 1..4),
    ) {
        let f = qq_poly(&f);
        let gens: Vec<_> = gens.iter().map(|g| qq_poly(g)).collect();
        let g = groebner_basis_bounded(&gens, 300);
        prop_assume!(g.is_some());
        let g = g.unwrap();
        let r = normal_form(&f, &g);
        for (m, _) in r.terms() {
            for b in &g {
                let lm = &b.leading_term().unwrap().0;
                prop_assert!(!divides(lm, m), "remainder term {:?} divisible by {:?}", m, lm);
            }
        }
        // f - r = sum q_i g_i exactly.
        let (qs, r2) = f.divide(&g);
        prop_assert_eq!(&r2, &r);
        let mut sum = r.clone();
        for (q, b) in qs.iter().zip(&g) {
            sum = sum.add(&q.mul(b));
        }
        prop_assert_eq!(sum, f.clone());
        // The basis spans the same ideal as the generators: each generator reduces to zero.
        for generator in &gens {
            prop_assert!(normal_form(generator, &g).is_zero());
        }
    }

    #[test]
    fn gf_polynomial_sums_are_coefficientwise_mod_p(
        a in prop::collection::vec(term(), 0..6),
        b in prop::collection::vec(term(), 0..6),
        p in prop::sample::select(vec![2u64, 3, 7, 17, 101]),
    ) {
        let (pa, pb) = (gf_poly(p, &a), gf_poly(p, &b));
        let sum = pa.add(&pb);
        for x in 0..=2u32 {
            for y in 0..=2u32 {
                for z in 0..=2u32 {
                    let at = |t: &[(u32, u32, u32, i64)]| -> i64 {
                        t.iter().filter(|&&(i, j, k, _)| (i, j, k) == (x, y, z)).map(|t| t.3).sum()
                    };
                    let want = (at(&a) + at(&b)).rem_euclid(p as i64);
                    let got = sum
                        .terms()
                        .iter()
                        .find(|(m, _)| m == &vec![x, y, z])
                        .map_or(0, |(_, c)| c.to_string().parse::<i64>().unwrap());
                    prop_assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn gf_addition_answers_are_prefix_sums(seed in any::<u128>(), p in prop::sample::select(vec![2u64, 5, 17, 97])) {
        let task = GfAddition { prime: p, min_length: 1, max_length: 8 };
        let s = task.generate(seed).unwrap().unwrap();
        let line = s.text_line().unwrap();
        let (problem, answer) = line.split_once(" # ").unwrap();
        let values: Vec<u64> = problem.split(',').map(|v| v.parse().unwrap()).collect();
        let sums: Vec<u64> = answer.split(',').map(|v| v.parse().unwrap()).collect();
        prop_assert!((1..=8).contains(&values.len()));
        let mut acc = 0;
        for (v, s) in values.iter().zip(&sums) {
            prop_assert!(*v < p);
            acc = (acc + v) % p;
            prop_assert_eq!(*s, acc);
        }
    }
}
