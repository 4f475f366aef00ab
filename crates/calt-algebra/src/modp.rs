//! Dense univariate polynomials over GF(p) for a word-sized prime, and their factorisation into
//! monic irreducibles (distinct-degree then Cantor–Zassenhaus equal-degree splitting). Used by
//! the Zassenhaus factoriser over ZZ.

use crate::coeff::{mulmod, powmod};

/// Coefficients low degree first, no trailing zeros (the zero polynomial is empty).
pub(crate) type UPoly = Vec<u64>;

pub(crate) fn trim(a: &mut UPoly) {
    while a.last() == Some(&0) {
        a.pop();
    }
}

fn deg(a: &UPoly) -> Option<usize> {
    a.len().checked_sub(1)
}

pub(crate) fn sub(a: &UPoly, b: &UPoly, p: u64) -> UPoly {
    let n = a.len().max(b.len());
    let mut r: UPoly = (0..n)
        .map(|i| {
            let x = a.get(i).copied().unwrap_or(0);
            let y = b.get(i).copied().unwrap_or(0);
            if x >= y { x - y } else { x + p - y }
        })
        .collect();
    trim(&mut r);
    r
}

pub(crate) fn mul(a: &UPoly, b: &UPoly, p: u64) -> UPoly {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut r = vec![0u64; a.len() + b.len() - 1];
    for (i, &x) in a.iter().enumerate() {
        if x == 0 {
            continue;
        }
        for (j, &y) in b.iter().enumerate() {
            let s = r[i + j] + mulmod(x, y, p);
            r[i + j] = if s >= p { s - p } else { s };
        }
    }
    trim(&mut r);
    r
}

/// Quotient and remainder; `b` must be nonzero.
pub(crate) fn divrem(a: &UPoly, b: &UPoly, p: u64) -> (UPoly, UPoly) {
    let db = b.len() - 1;
    let inv = powmod(b[db], p - 2, p);
    let mut r = a.clone();
    if r.len() < b.len() {
        return (Vec::new(), r);
    }
    let mut q = vec![0u64; r.len() - db];
    for i in (0..q.len()).rev() {
        let c = mulmod(r[i + db], inv, p);
        q[i] = c;
        if c == 0 {
            continue;
        }
        for (j, &bj) in b.iter().enumerate() {
            let t = mulmod(c, bj, p);
            let x = r[i + j];
            r[i + j] = if x >= t { x - t } else { x + p - t };
        }
    }
    trim(&mut r);
    trim(&mut q);
    (q, r)
}

pub(crate) fn rem(a: &UPoly, b: &UPoly, p: u64) -> UPoly {
    divrem(a, b, p).1
}

pub(crate) fn monic(a: &UPoly, p: u64) -> UPoly {
    match a.last() {
        None => Vec::new(),
        Some(&lc) => {
            let inv = powmod(lc, p - 2, p);
            a.iter().map(|&c| mulmod(c, inv, p)).collect()
        }
    }
}

/// Monic gcd.
pub(crate) fn gcd(a: &UPoly, b: &UPoly, p: u64) -> UPoly {
    let (mut x, mut y) = (a.clone(), b.clone());
    while !y.is_empty() {
        let r = rem(&x, &y, p);
        x = y;
        y = r;
    }
    monic(&x, p)
}

pub(crate) fn derivative(a: &UPoly, p: u64) -> UPoly {
    let mut r: UPoly = a
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &c)| mulmod(c, i as u64 % p, p))
        .collect();
    trim(&mut r);
    r
}

/// `base^e mod m`.
pub(crate) fn powmod_poly(base: &UPoly, mut e: u64, m: &UPoly, p: u64) -> UPoly {
    let mut result: UPoly = vec![1];
    let mut b = rem(base, m, p);
    while e > 0 {
        if e & 1 == 1 {
            result = rem(&mul(&result, &b, p), m, p);
        }
        b = rem(&mul(&b, &b, p), m, p);
        e >>= 1;
    }
    rem(&result, m, p)
}

/// Distinct-degree factorisation of a monic square-free `f`: `(product of all irreducible
/// factors of degree d, d)` pairs.
fn ddf(f: &UPoly, p: u64) -> Vec<(UPoly, usize)> {
    let mut out = Vec::new();
    let mut f = f.clone();
    let x: UPoly = vec![0, 1];
    let mut h = x.clone();
    let mut d = 0;
    while let Some(df) = deg(&f) {
        d += 1;
        if 2 * d > df {
            if df > 0 {
                out.push((f.clone(), df));
            }
            break;
        }
        h = powmod_poly(&h, p, &f, p);
        let g = gcd(&sub(&h, &x, p), &f, p);
        if g.len() > 1 {
            f = divrem(&f, &g, p).0;
            h = rem(&h, &f, p);
            out.push((g, d));
        }
    }
    out
}

/// A small deterministic generator for the random polynomials of equal-degree splitting
/// (the factorisation found does not depend on which splits happen).
struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Splits `g`, a product of monic irreducibles all of degree `d`, for odd `p`.
fn edf(g: &UPoly, d: usize, p: u64, rng: &mut SplitMix, out: &mut Vec<UPoly>) {
    let n = g.len() - 1;
    if n == d {
        out.push(g.clone());
        return;
    }
    loop {
        let mut a: UPoly = (0..n).map(|_| rng.next() % p).collect();
        trim(&mut a);
        if a.len() < 2 {
            continue;
        }
        // a^((p^d - 1)/2) = (a * a^p * ... * a^(p^(d-1)))^((p-1)/2) mod g.
        let mut t = a.clone();
        let mut acc = a.clone();
        for _ in 1..d {
            t = powmod_poly(&t, p, g, p);
            acc = rem(&mul(&acc, &t, p), g, p);
        }
        let b = powmod_poly(&acc, (p - 1) / 2, g, p);
        let h = gcd(&sub(&b, &vec![1], p), g, p);
        if h.len() > 1 && h.len() < g.len() {
            let q = divrem(g, &h, p).0;
            edf(&h, d, p, rng, out);
            edf(&monic(&q, p), d, p, rng, out);
            return;
        }
    }
}

/// Monic irreducible factors of a monic square-free `f` over GF(p), p an odd prime.
pub(crate) fn factor_squarefree(f: &UPoly, p: u64) -> Vec<UPoly> {
    let mut rng = SplitMix(0x5EED);
    let mut out = Vec::new();
    for (g, d) in ddf(f, p) {
        edf(&g, d, p, &mut rng, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_mod_p() {
        let p = 101;
        // (x+1)(x+2)(x^2+1) mod 101; x^2+1 splits iff -1 is a square mod 101 (101 = 1 mod 4).
        let f = mul(&mul(&vec![1, 1], &vec![2, 1], p), &vec![1, 0, 1], p);
        let fs = factor_squarefree(&f, p);
        assert_eq!(fs.len(), 4);
        let prod = fs.iter().fold(vec![1u64], |a, b| mul(&a, b, p));
        assert_eq!(prod, f);
        // mod 103 (= 3 mod 4) x^2+1 stays irreducible.
        let p = 103;
        let f = mul(&vec![1, 1], &vec![1, 0, 1], p);
        let mut fs = factor_squarefree(&f, p);
        fs.sort();
        assert_eq!(fs, vec![vec![1, 0, 1], vec![1, 1]]);
        assert_eq!(derivative(&vec![1, 2, 3], p), vec![2, 6]);
    }
}
