//! Coefficient rings: ZZ (`BigInt`), QQ (`BigRational`) and GF(p) (`Gf`).
//!
//! Elements carry what they need to build related elements (`zero_like`, `from_i64_like`),
//! so GF(p) needs no separate context object.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use std::cmp::Ordering;
use std::fmt;

/// Operations every coefficient ring offers. Printing follows Sage/SymPy (`Display`).
pub trait Coeff:
    Clone + PartialEq + Eq + fmt::Debug + fmt::Display + Send + Sync + 'static
{
    fn is_zero(&self) -> bool;
    fn is_one(&self) -> bool;
    fn zero_like(&self) -> Self;
    fn one_like(&self) -> Self;
    // These take `self` for its ring (the modulus of GF(p)), not to convert it.
    #[allow(clippy::wrong_self_convention)]
    fn from_i64_like(&self, n: i64) -> Self;
    #[allow(clippy::wrong_self_convention)]
    fn from_bigint_like(&self, n: &BigInt) -> Self;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn neg(&self) -> Self;
    /// Exact quotient, `None` when `o` does not divide `self` (or `o` is zero).
    fn div_exact(&self, o: &Self) -> Option<Self>;
    /// True when the value prints with a leading minus (never for GF(p)).
    fn is_negative(&self) -> bool;
    /// `-self` when negative, else `self` (identity for GF(p)).
    fn abs_value(&self) -> Self {
        if self.is_negative() {
            self.neg()
        } else {
            self.clone()
        }
    }
    /// Numeric order used for sorting (Sage compares coefficients this way).
    fn cmp_value(&self, o: &Self) -> Ordering;
    /// ExpandedForm's `str(int(c))`: truncation toward zero for rationals.
    fn trunc_int_string(&self) -> String {
        self.to_string()
    }
}

/// Coefficient rings that are fields (QQ, GF(p)).
pub trait FieldCoeff: Coeff {
    fn inv(&self) -> Option<Self>;
    fn div(&self, o: &Self) -> Option<Self> {
        o.inv().map(|i| self.mul(&i))
    }
}

impl Coeff for BigInt {
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_one(&self) -> bool {
        One::is_one(self)
    }
    fn zero_like(&self) -> Self {
        BigInt::zero()
    }
    fn one_like(&self) -> Self {
        BigInt::one()
    }
    fn from_i64_like(&self, n: i64) -> Self {
        BigInt::from(n)
    }
    fn from_bigint_like(&self, n: &BigInt) -> Self {
        n.clone()
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn neg(&self) -> Self {
        -self
    }
    fn div_exact(&self, o: &Self) -> Option<Self> {
        if Zero::is_zero(o) {
            return None;
        }
        let (q, r) = self.div_rem(o);
        Zero::is_zero(&r).then_some(q)
    }
    fn is_negative(&self) -> bool {
        Signed::is_negative(self)
    }
    fn cmp_value(&self, o: &Self) -> Ordering {
        self.cmp(o)
    }
}

impl Coeff for BigRational {
    fn is_zero(&self) -> bool {
        Zero::is_zero(self)
    }
    fn is_one(&self) -> bool {
        One::is_one(self)
    }
    fn zero_like(&self) -> Self {
        BigRational::zero()
    }
    fn one_like(&self) -> Self {
        BigRational::one()
    }
    fn from_i64_like(&self, n: i64) -> Self {
        BigRational::from_integer(BigInt::from(n))
    }
    fn from_bigint_like(&self, n: &BigInt) -> Self {
        BigRational::from_integer(n.clone())
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
    fn neg(&self) -> Self {
        -self
    }
    fn div_exact(&self, o: &Self) -> Option<Self> {
        (!Zero::is_zero(o)).then(|| self / o)
    }
    fn is_negative(&self) -> bool {
        Signed::is_negative(self)
    }
    fn cmp_value(&self, o: &Self) -> Ordering {
        self.cmp(o)
    }
    fn trunc_int_string(&self) -> String {
        self.to_integer().to_string()
    }
}

impl FieldCoeff for BigRational {
    fn inv(&self) -> Option<Self> {
        (!Zero::is_zero(self)).then(|| self.recip())
    }
}

/// An element of GF(p), stored as its representative in `0..p` (p < 2^62).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Gf {
    pub v: u64,
    pub p: u64,
}

impl Gf {
    pub fn new(v: i64, p: u64) -> Self {
        Gf {
            v: (v as i128).rem_euclid(p as i128) as u64,
            p,
        }
    }
}

impl fmt::Display for Gf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.v)
    }
}

pub(crate) fn mulmod(a: u64, b: u64, p: u64) -> u64 {
    ((a as u128 * b as u128) % p as u128) as u64
}

pub(crate) fn powmod(mut a: u64, mut e: u64, p: u64) -> u64 {
    let mut r = 1 % p;
    a %= p;
    while e > 0 {
        if e & 1 == 1 {
            r = mulmod(r, a, p);
        }
        a = mulmod(a, a, p);
        e >>= 1;
    }
    r
}

impl Coeff for Gf {
    fn is_zero(&self) -> bool {
        self.v == 0
    }
    fn is_one(&self) -> bool {
        self.v == 1
    }
    fn zero_like(&self) -> Self {
        Gf { v: 0, p: self.p }
    }
    fn one_like(&self) -> Self {
        Gf { v: 1, p: self.p }
    }
    fn from_i64_like(&self, n: i64) -> Self {
        Gf::new(n, self.p)
    }
    fn from_bigint_like(&self, n: &BigInt) -> Self {
        let r = n.mod_floor(&BigInt::from(self.p));
        Gf {
            v: r.to_u64().unwrap_or(0),
            p: self.p,
        }
    }
    fn add(&self, o: &Self) -> Self {
        let s = self.v + o.v;
        Gf {
            v: if s >= self.p { s - self.p } else { s },
            p: self.p,
        }
    }
    fn sub(&self, o: &Self) -> Self {
        Gf {
            v: if self.v >= o.v {
                self.v - o.v
            } else {
                self.v + self.p - o.v
            },
            p: self.p,
        }
    }
    fn mul(&self, o: &Self) -> Self {
        Gf {
            v: mulmod(self.v, o.v, self.p),
            p: self.p,
        }
    }
    fn neg(&self) -> Self {
        Gf {
            v: if self.v == 0 { 0 } else { self.p - self.v },
            p: self.p,
        }
    }
    fn div_exact(&self, o: &Self) -> Option<Self> {
        self.div(o)
    }
    fn is_negative(&self) -> bool {
        false
    }
    fn cmp_value(&self, o: &Self) -> Ordering {
        self.v.cmp(&o.v)
    }
}

impl FieldCoeff for Gf {
    fn inv(&self) -> Option<Self> {
        // p is prime (checked where fields are parsed), so Fermat's little theorem applies.
        (self.v != 0).then(|| Gf {
            v: powmod(self.v, self.p - 2, self.p),
            p: self.p,
        })
    }
}

/// Deterministic primality for u64 (Miller–Rabin with the first 12 prime bases).
pub fn is_prime_u64(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    for p in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    let mut d = n - 1;
    let mut s = 0;
    while d.is_multiple_of(2) {
        d /= 2;
        s += 1;
    }
    'outer: for a in [2u64, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37] {
        let mut x = powmod(a, d, n);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mulmod(x, x, n);
            if x == n - 1 {
                continue 'outer;
            }
        }
        return false;
    }
    true
}

/// The coefficient rings a configuration can name: `ZZ`, `QQ`, `GF(p)` / `GFp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    ZZ,
    QQ,
    GF(u64),
}

impl Field {
    /// Parses CALT's field strings (`"QQ"`, `"ZZ"`, `"GF(7)"`, `"GF7"`); p must be a prime below 2^62.
    pub fn parse(s: &str) -> crate::Result<Field> {
        let t = s.trim();
        match t {
            "ZZ" => return Ok(Field::ZZ),
            "QQ" => return Ok(Field::QQ),
            _ => {}
        }
        let inner = t
            .strip_prefix("GF(")
            .and_then(|r| r.strip_suffix(')'))
            .or_else(|| t.strip_prefix("GF"));
        match inner.and_then(|d| d.trim().parse::<u64>().ok()) {
            Some(p) if p < (1 << 62) && is_prime_u64(p) => Ok(Field::GF(p)),
            _ => Err(crate::AlgebraError::UnsupportedField(s.to_string())),
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::ZZ => write!(f, "ZZ"),
            Field::QQ => write!(f, "QQ"),
            Field::GF(p) => write!(f, "GF({p})"),
        }
    }
}

crate::serde_as_text!(Field, Field::parse);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gf_arithmetic() {
        let a = Gf::new(15, 17);
        let b = Gf::new(5, 17);
        assert_eq!(a.add(&b).v, 3);
        assert_eq!(b.sub(&a).v, 7);
        assert_eq!(a.mul(&b).v, 75 % 17);
        assert_eq!(a.mul(&a.inv().unwrap()).v, 1);
        assert_eq!(Gf::new(-1, 17).v, 16);
    }

    #[test]
    fn fields_parse() {
        assert_eq!(Field::parse("GF(7)").unwrap(), Field::GF(7));
        assert_eq!(Field::parse("GF17").unwrap(), Field::GF(17));
        assert!(Field::parse("GF(8)").is_err());
        assert!(Field::parse("RR").is_err());
        assert!(is_prime_u64(2305843009213693951));
        assert!(!is_prime_u64(561));
    }

    #[test]
    fn rational_truncation() {
        let r = BigRational::new(BigInt::from(-7), BigInt::from(3));
        assert_eq!(r.trunc_int_string(), "-2");
        assert_eq!(r.to_string(), "-7/3");
    }
}
