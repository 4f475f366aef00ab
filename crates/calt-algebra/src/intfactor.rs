//! Integer factorisation: trial division, then Miller–Rabin and Pollard–Brent rho on u64,
//! with a BigUint fallback for larger inputs.

use crate::coeff::{is_prime_u64, mulmod};
use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

fn gcd_u64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// One nontrivial factor of the odd composite `n` (Pollard–Brent).
fn rho_u64(n: u64) -> u64 {
    for c in 1u64.. {
        let f = |x: u64| (mulmod(x, x, n) + c) % n;
        let (mut x, mut y, mut d) = (2u64, 2u64, 1u64);
        while d == 1 {
            x = f(x);
            y = f(f(y));
            d = gcd_u64(x.abs_diff(y), n);
        }
        if d != n {
            return d;
        }
    }
    unreachable!("the loop over c only ends by returning")
}

fn factor_u64(mut n: u64, out: &mut Vec<u64>) {
    for p in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        while n.is_multiple_of(p) {
            out.push(p);
            n /= p;
        }
    }
    let mut stack = vec![n];
    while let Some(m) = stack.pop() {
        if m == 1 {
            continue;
        }
        if is_prime_u64(m) {
            out.push(m);
            continue;
        }
        let d = rho_u64(m);
        stack.push(d);
        stack.push(m / d);
    }
}

fn is_probable_prime_big(n: &BigUint) -> bool {
    let two = BigUint::from(2u32);
    if *n < two {
        return false;
    }
    let one = BigUint::one();
    let nm1 = n - &one;
    let s = nm1.trailing_zeros().unwrap_or(0);
    let d = &nm1 >> s;
    'outer: for a in [2u32, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47] {
        let a = BigUint::from(a);
        if &a >= n {
            continue;
        }
        let mut x = a.modpow(&d, n);
        if x == one || x == nm1 {
            continue;
        }
        for _ in 1..s {
            x = x.modpow(&two, n);
            if x == nm1 {
                continue 'outer;
            }
        }
        return false;
    }
    true
}

fn rho_big(n: &BigUint) -> BigUint {
    let mut c = BigUint::one();
    loop {
        let f = |x: &BigUint| (x * x + &c) % n;
        let (mut x, mut y, mut d) = (BigUint::from(2u32), BigUint::from(2u32), BigUint::one());
        while d.is_one() {
            x = f(&x);
            y = f(&f(&y));
            let diff = if x > y { &x - &y } else { &y - &x };
            d = diff.gcd(n);
        }
        if &d != n {
            return d;
        }
        c += 1u32;
    }
}

/// Prime factorisation of `|n|` as sorted `(prime, exponent)` pairs (empty for 0 and ±1).
pub fn factor_integer(n: &BigInt) -> Vec<(BigInt, u32)> {
    let mag = n.magnitude().clone();
    let mut primes: Vec<BigUint> = Vec::new();
    if mag.is_zero() || mag.is_one() {
        return Vec::new();
    }
    if let Some(m) = mag.to_u64() {
        let mut v = Vec::new();
        factor_u64(m, &mut v);
        primes.extend(v.into_iter().map(BigUint::from));
    } else {
        let mut m = mag;
        let mut p = 2u32;
        while p < 10_000 {
            while (&m % p).is_zero() {
                primes.push(BigUint::from(p));
                m /= p;
            }
            p += if p == 2 { 1 } else { 2 };
        }
        let mut stack = vec![m];
        while let Some(m) = stack.pop() {
            if m.is_one() {
                continue;
            }
            if let Some(small) = m.to_u64() {
                let mut v = Vec::new();
                factor_u64(small, &mut v);
                primes.extend(v.into_iter().map(BigUint::from));
            } else if is_probable_prime_big(&m) {
                primes.push(m);
            } else {
                let d = rho_big(&m);
                let q = &m / &d;
                stack.push(d);
                stack.push(q);
            }
        }
    }
    primes.sort();
    let mut out: Vec<(BigInt, u32)> = Vec::new();
    for p in primes {
        let p = BigInt::from(p);
        match out.last_mut() {
            Some((q, e)) if *q == p => *e += 1,
            _ => out.push((p, 1)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn expand(f: &[(BigInt, u32)]) -> BigInt {
        f.iter().fold(BigInt::one(), |a, (p, e)| {
            a * num_traits::pow(p.clone(), *e as usize)
        })
    }

    #[test]
    fn known_values() {
        let f = factor_integer(&BigInt::from(852397));
        let ps: Vec<i64> = f.iter().map(|(p, _)| p.to_i64().unwrap()).collect();
        assert_eq!(ps, vec![7, 13, 17, 19, 29]);
        // (2^67 - 1) * 1000003 = 193707721 * 761838257287 * 1000003, beyond u64.
        let big: BigInt = (BigInt::from(1) << 67u32) - 1;
        let big = big * 1000003;
        let f = factor_integer(&big);
        assert_eq!(expand(&f), big);
        assert_eq!(f.len(), 3);
        assert!(factor_integer(&BigInt::from(1)).is_empty());
        assert_eq!(
            factor_integer(&BigInt::from(-12)),
            vec![(2.into(), 2), (3.into(), 1)]
        );
    }

    proptest! {
        #[test]
        fn product_of_factors_is_input(n in 2u64..u64::MAX) {
            let f = factor_integer(&BigInt::from(n));
            prop_assert_eq!(expand(&f), BigInt::from(n));
            for (p, _) in &f {
                prop_assert!(is_prime_u64(p.to_u64().unwrap()));
            }
        }
    }
}
