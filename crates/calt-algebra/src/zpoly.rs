//! Dense univariate polynomials over ZZ (`Vec<BigInt>`, lowest degree first), with the few
//! operations factorisation needs: content, exact division, primitive-PRS gcd.

use num_bigint::BigInt;
use num_integer::Integer;
#[cfg(test)]
use num_traits::One;
use num_traits::{Signed, Zero};

pub(crate) type ZPoly = Vec<BigInt>;

pub(crate) fn trim(a: &mut ZPoly) {
    while a.last().is_some_and(|c| c.is_zero()) {
        a.pop();
    }
}

pub(crate) fn degree(a: &ZPoly) -> usize {
    a.len().saturating_sub(1)
}

/// Gcd of the coefficients (non-negative).
pub(crate) fn content(a: &ZPoly) -> BigInt {
    a.iter().fold(BigInt::zero(), |g, c| g.gcd(c))
}

/// `a / content`, with a positive leading coefficient.
pub(crate) fn primitive(a: &ZPoly) -> ZPoly {
    let mut c = content(a);
    if c.is_zero() {
        return Vec::new();
    }
    if a.last().is_some_and(|l| l.is_negative()) {
        c = -c;
    }
    a.iter().map(|x| x / &c).collect()
}

#[cfg(test)]
pub(crate) fn mul(a: &ZPoly, b: &ZPoly) -> ZPoly {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut r = vec![BigInt::zero(); a.len() + b.len() - 1];
    for (i, x) in a.iter().enumerate() {
        for (j, y) in b.iter().enumerate() {
            r[i + j] += x * y;
        }
    }
    trim(&mut r);
    r
}

pub(crate) fn derivative(a: &ZPoly) -> ZPoly {
    let mut r: ZPoly = a
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, c)| c * BigInt::from(i))
        .collect();
    trim(&mut r);
    r
}

/// `a / b` when `b` divides `a` over ZZ, else `None`.
pub(crate) fn div_exact(a: &ZPoly, b: &ZPoly) -> Option<ZPoly> {
    if b.is_empty() {
        return None;
    }
    if a.is_empty() {
        return Some(Vec::new());
    }
    if a.len() < b.len() {
        return None;
    }
    // Cheap necessary condition first: the constant terms must divide.
    if !b[0].is_zero() && !(&a[0] % &b[0]).is_zero() {
        return None;
    }
    let db = b.len() - 1;
    let lb = &b[db];
    let mut r = a.clone();
    let mut q = vec![BigInt::zero(); a.len() - db];
    for i in (0..q.len()).rev() {
        let (c, rem) = r[i + db].div_rem(lb);
        if !rem.is_zero() {
            return None;
        }
        if !c.is_zero() {
            for (j, bj) in b.iter().enumerate() {
                r[i + j] -= &c * bj;
            }
        }
        q[i] = c;
    }
    r.iter().all(Zero::is_zero).then(|| {
        trim(&mut q);
        q
    })
}

/// Primitive gcd (positive leading coefficient) by the primitive polynomial remainder sequence.
pub(crate) fn gcd(a: &ZPoly, b: &ZPoly) -> ZPoly {
    let (mut x, mut y) = (primitive(a), primitive(b));
    if x.len() < y.len() {
        std::mem::swap(&mut x, &mut y);
    }
    while !y.is_empty() {
        // Pseudo-remainder: r = lc(y)^k * x mod y, computed by repeated elimination.
        let mut r = x.clone();
        let dy = y.len() - 1;
        let ly = y[dy].clone();
        while r.len() >= y.len() {
            let lr = r.last().cloned().unwrap_or_default();
            let shift = r.len() - y.len();
            for c in r.iter_mut() {
                *c *= &ly;
            }
            for (j, yj) in y.iter().enumerate() {
                r[shift + j] -= &lr * yj;
            }
            trim(&mut r);
        }
        x = y;
        y = primitive(&r);
    }
    primitive(&x)
}

/// Coefficients with value in `0..p` mapped to the symmetric range `(-p/2, p/2]`.
pub(crate) fn symmetric_lift(a: &[u64], p: u64) -> ZPoly {
    let mut r: ZPoly = a
        .iter()
        .map(|&c| {
            if c > p / 2 {
                BigInt::from(c) - BigInt::from(p)
            } else {
                BigInt::from(c)
            }
        })
        .collect();
    trim(&mut r);
    r
}

pub(crate) fn reduce_mod(a: &ZPoly, p: u64) -> Vec<u64> {
    let pb = BigInt::from(p);
    let mut r: Vec<u64> = a
        .iter()
        .map(|c| {
            let m = c.mod_floor(&pb);
            u64::try_from(m).unwrap_or(0)
        })
        .collect();
    crate::modp::trim(&mut r);
    r
}

#[cfg(test)]
pub(crate) fn one() -> ZPoly {
    vec![BigInt::one()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(v: &[i64]) -> ZPoly {
        v.iter().map(|&c| BigInt::from(c)).collect()
    }

    #[test]
    fn gcd_and_division() {
        let a = mul(&z(&[1, 1]), &z(&[-2, 0, 3]));
        let b = mul(&z(&[1, 1]), &z(&[5, 2]));
        assert_eq!(gcd(&a, &b), z(&[1, 1]));
        assert_eq!(div_exact(&a, &z(&[1, 1])), Some(z(&[-2, 0, 3])));
        assert_eq!(div_exact(&a, &z(&[1, 2])), None);
        assert_eq!(primitive(&z(&[4, -6])), z(&[-2, 3]));
        assert_eq!(gcd(&z(&[2, 4]), &z(&[0, 3])), one());
    }
}
