//! Sparse multivariate polynomials over any [`Coeff`] ring, with lex, grlex and grevlex orders,
//! printed the way Sage and SymPy print them (`x0^2*x1 - 3*x2`, `5/3*x`, `-x^2 + x - 10/3`).

use crate::coeff::{Coeff, FieldCoeff};
use crate::error::{AlgebraError, Result};
use std::cmp::Ordering;

/// Exponent vector, one entry per ring variable.
pub type Monomial = Vec<u32>;

/// Monomial orders (names as in SymPy/Sage; `degrevlex` is Sage's name for grevlex).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MonomialOrder {
    Lex,
    GrLex,
    #[default]
    GRevLex,
}

impl MonomialOrder {
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim() {
            "lex" => Ok(MonomialOrder::Lex),
            "grlex" | "deglex" => Ok(MonomialOrder::GrLex),
            "grevlex" | "degrevlex" => Ok(MonomialOrder::GRevLex),
            other => Err(AlgebraError::UnknownOrder(other.to_string())),
        }
    }

    /// Compares two exponent vectors of equal length; `Greater` means `a` comes first.
    pub fn cmp(&self, a: &[u32], b: &[u32]) -> Ordering {
        match self {
            MonomialOrder::Lex => a.cmp(b),
            MonomialOrder::GrLex => degree(a).cmp(&degree(b)).then_with(|| a.cmp(b)),
            MonomialOrder::GRevLex => degree(a).cmp(&degree(b)).then_with(|| {
                // The monomial with the smaller exponent in the last differing variable is larger.
                for (x, y) in a.iter().zip(b).rev() {
                    if x != y {
                        return y.cmp(x);
                    }
                }
                Ordering::Equal
            }),
        }
    }
}

/// Total degree of an exponent vector.
pub fn degree(m: &[u32]) -> u32 {
    m.iter().sum()
}

fn divides(a: &[u32], b: &[u32]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// A polynomial: terms sorted in decreasing monomial order, no zero coefficients.
/// `zero` is the ring's zero element (it carries p for GF(p)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poly<C: Coeff> {
    nvars: usize,
    order: MonomialOrder,
    zero: C,
    terms: Vec<(Monomial, C)>,
}

impl<C: Coeff> Poly<C> {
    pub fn zero(nvars: usize, order: MonomialOrder, zero: C) -> Self {
        Poly {
            nvars,
            order,
            zero: zero.zero_like(),
            terms: Vec::new(),
        }
    }

    /// Builds a polynomial from arbitrary terms: sorts, merges equal monomials, drops zeros.
    pub fn from_terms(
        nvars: usize,
        order: MonomialOrder,
        zero: C,
        mut terms: Vec<(Monomial, C)>,
    ) -> Self {
        terms.sort_by(|a, b| order.cmp(&b.0, &a.0));
        let mut out: Vec<(Monomial, C)> = Vec::with_capacity(terms.len());
        for (m, c) in terms {
            debug_assert_eq!(m.len(), nvars);
            match out.last_mut() {
                Some((lm, lc)) if *lm == m => *lc = lc.add(&c),
                _ => out.push((m, c)),
            }
        }
        out.retain(|(_, c)| !c.is_zero());
        Poly {
            nvars,
            order,
            zero: zero.zero_like(),
            terms: out,
        }
    }

    pub fn constant(nvars: usize, order: MonomialOrder, c: C) -> Self {
        let zero = c.zero_like();
        Self::from_terms(nvars, order, zero, vec![(vec![0; nvars], c)])
    }

    /// The variable `x_i`.
    pub fn var(nvars: usize, order: MonomialOrder, zero: C, i: usize) -> Self {
        let mut m = vec![0; nvars];
        m[i] = 1;
        let one = zero.one_like();
        Self::from_terms(nvars, order, zero, vec![(m, one)])
    }

    pub fn nvars(&self) -> usize {
        self.nvars
    }
    pub fn order(&self) -> MonomialOrder {
        self.order
    }
    pub fn ring_zero(&self) -> &C {
        &self.zero
    }
    pub fn terms(&self) -> &[(Monomial, C)] {
        &self.terms
    }
    pub fn is_zero(&self) -> bool {
        self.terms.is_empty()
    }
    pub fn num_terms(&self) -> usize {
        self.terms.len()
    }
    /// Total degree (`-1` stands for the zero polynomial as `None`).
    pub fn total_degree(&self) -> Option<u32> {
        self.terms.iter().map(|(m, _)| degree(m)).max()
    }
    pub fn leading_term(&self) -> Option<&(Monomial, C)> {
        self.terms.first()
    }
    pub fn leading_coeff(&self) -> Option<&C> {
        self.terms.first().map(|t| &t.1)
    }
    pub fn is_constant(&self) -> bool {
        self.terms.iter().all(|(m, _)| m.iter().all(|&e| e == 0))
    }

    fn same_ring(&self, o: &Self) -> Self {
        Poly::zero(self.nvars, self.order, self.zero.clone()).with_terms_checked(o)
    }

    fn with_terms_checked(self, o: &Self) -> Self {
        debug_assert_eq!(self.nvars, o.nvars);
        self
    }

    pub fn neg(&self) -> Self {
        let mut r = self.clone();
        for t in &mut r.terms {
            t.1 = t.1.neg();
        }
        r
    }

    fn merge(&self, o: &Self, negate: bool) -> Self {
        let mut out = Vec::with_capacity(self.terms.len() + o.terms.len());
        let (mut i, mut j) = (0, 0);
        while i < self.terms.len() || j < o.terms.len() {
            let ord = if i == self.terms.len() {
                Ordering::Less
            } else if j == o.terms.len() {
                Ordering::Greater
            } else {
                self.order.cmp(&self.terms[i].0, &o.terms[j].0)
            };
            match ord {
                Ordering::Greater => {
                    out.push(self.terms[i].clone());
                    i += 1;
                }
                Ordering::Less => {
                    let (m, c) = &o.terms[j];
                    out.push((m.clone(), if negate { c.neg() } else { c.clone() }));
                    j += 1;
                }
                Ordering::Equal => {
                    let c = if negate {
                        self.terms[i].1.sub(&o.terms[j].1)
                    } else {
                        self.terms[i].1.add(&o.terms[j].1)
                    };
                    if !c.is_zero() {
                        out.push((self.terms[i].0.clone(), c));
                    }
                    i += 1;
                    j += 1;
                }
            }
        }
        let mut r = self.same_ring(o);
        r.terms = out;
        r
    }

    pub fn add(&self, o: &Self) -> Self {
        self.merge(o, false)
    }

    pub fn sub(&self, o: &Self) -> Self {
        self.merge(o, true)
    }

    pub fn mul(&self, o: &Self) -> Self {
        let mut terms = Vec::with_capacity(self.terms.len() * o.terms.len());
        for (m1, c1) in &self.terms {
            for (m2, c2) in &o.terms {
                let m: Monomial = m1.iter().zip(m2).map(|(a, b)| a + b).collect();
                terms.push((m, c1.mul(c2)));
            }
        }
        Self::from_terms(self.nvars, self.order, self.zero.clone(), terms)
    }

    /// `self * c * x^m`.
    pub fn mul_term(&self, m: &[u32], c: &C) -> Self {
        let mut r = self.clone();
        r.terms = self
            .terms
            .iter()
            .filter_map(|(mm, cc)| {
                let p = cc.mul(c);
                (!p.is_zero()).then(|| (mm.iter().zip(m).map(|(a, b)| a + b).collect(), p))
            })
            .collect();
        r
    }

    pub fn scale(&self, c: &C) -> Self {
        self.mul_term(&vec![0; self.nvars], c)
    }

    pub fn pow(&self, e: u32) -> Self {
        let mut r = Poly::constant(self.nvars, self.order, self.zero.one_like());
        for _ in 0..e {
            r = r.mul(self);
        }
        r
    }

    /// Applies `f` to every coefficient, landing in another ring (drops zeros).
    pub fn map_coeffs<D: Coeff>(&self, zero: D, f: impl Fn(&C) -> D) -> Poly<D> {
        let terms = self.terms.iter().map(|(m, c)| (m.clone(), f(c))).collect();
        Poly::from_terms(self.nvars, self.order, zero, terms)
    }

    /// Sage/SymPy text with the given variable names.
    pub fn to_text(&self, vars: &[String]) -> String {
        let mut s = String::new();
        if self.terms.is_empty() {
            return "0".into();
        }
        for (k, (m, c)) in self.terms.iter().enumerate() {
            let neg = c.is_negative();
            if k == 0 {
                if neg {
                    s.push('-');
                }
            } else {
                s.push_str(if neg { " - " } else { " + " });
            }
            let a = c.abs_value();
            let mono = monomial_text(m, vars);
            if mono.is_empty() {
                s.push_str(&a.to_string());
            } else if a.is_one() {
                s.push_str(&mono);
            } else {
                s.push_str(&a.to_string());
                s.push('*');
                s.push_str(&mono);
            }
        }
        s
    }

    /// CALT's ExpandedForm: `C<coeff> E<e1> … + …` (coefficients truncated as `int()` does).
    pub fn expanded_form(&self) -> String {
        if self.terms.is_empty() {
            return "C0".into();
        }
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|(m, c)| {
                let mut t = format!("C{}", c.trunc_int_string());
                for e in m {
                    t.push_str(&format!(" E{e}"));
                }
                t
            })
            .collect();
        parts.join(" + ")
    }
}

impl<C: FieldCoeff> Poly<C> {
    /// Divides by the leading coefficient (zero stays zero).
    pub fn monic(&self) -> Self {
        match self.leading_coeff().and_then(|c| c.inv()) {
            Some(inv) => self.scale(&inv),
            None => self.clone(),
        }
    }

    /// Multivariate division: `self = sum q_i g_i + r` where no term of `r` is divisible by a
    /// leading monomial of the `g_i` (full reduction). Zero divisors are ignored.
    pub fn divide(&self, divisors: &[Poly<C>]) -> (Vec<Poly<C>>, Poly<C>) {
        let mut qs: Vec<Vec<(Monomial, C)>> = vec![Vec::new(); divisors.len()];
        let mut rem: Vec<(Monomial, C)> = Vec::new();
        let mut p = self.clone();
        while let Some((m, c)) = p.terms.first().cloned() {
            let hit = divisors.iter().enumerate().find_map(|(i, g)| {
                let (gm, gc) = g.leading_term()?;
                divides(gm, &m).then_some((i, gm, gc))
            });
            match hit {
                Some((i, gm, gc)) => {
                    let qm: Monomial = m.iter().zip(gm).map(|(a, b)| a - b).collect();
                    let qc = c.div(gc).expect("leading coefficients are nonzero");
                    p = p.sub(&divisors[i].mul_term(&qm, &qc));
                    qs[i].push((qm, qc));
                }
                None => {
                    rem.push((m, c));
                    p.terms.remove(0);
                }
            }
        }
        let quotients = qs
            .into_iter()
            .map(|t| Poly::from_terms(self.nvars, self.order, self.zero.clone(), t))
            .collect();
        let r = Poly::from_terms(self.nvars, self.order, self.zero.clone(), rem);
        (quotients, r)
    }
}

/// `x0^2*x1` style monomial text; empty for the constant monomial.
pub fn monomial_text(m: &[u32], vars: &[String]) -> String {
    let mut parts = Vec::new();
    for (e, v) in m.iter().zip(vars) {
        match e {
            0 => {}
            1 => parts.push(v.clone()),
            e => parts.push(format!("{v}^{e}")),
        }
    }
    parts.join("*")
}

/// Splits CALT's `symbols` string (`"x0, x1"`, `"x,y,z"`, `"x"`) into names.
pub fn parse_symbols(s: &str) -> Result<Vec<String>> {
    let names: Vec<String> = s
        .split([',', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(String::from)
        .collect();
    let valid = |n: &String| {
        n.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if names.is_empty() || !names.iter().all(valid) {
        return Err(AlgebraError::InvalidParameter(format!(
            "symbols must be a comma-separated list of names, got `{s}`"
        )));
    }
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(AlgebraError::InvalidParameter(format!(
                "symbol `{n}` appears twice in `{s}`"
            )));
        }
    }
    Ok(names)
}

impl std::fmt::Display for MonomialOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            MonomialOrder::Lex => "lex",
            MonomialOrder::GrLex => "grlex",
            MonomialOrder::GRevLex => "grevlex",
        })
    }
}

crate::serde_as_text!(MonomialOrder, MonomialOrder::parse);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coeff::Gf;
    use num_bigint::BigInt;
    use num_rational::BigRational;

    fn zz(terms: &[(&[u32], i64)], order: MonomialOrder) -> Poly<BigInt> {
        let n = terms.first().map_or(1, |t| t.0.len());
        Poly::from_terms(
            n,
            order,
            BigInt::from(0),
            terms
                .iter()
                .map(|(m, c)| (m.to_vec(), BigInt::from(*c)))
                .collect(),
        )
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sage_printing() {
        let v = names(&["x"]);
        let p = zz(
            &[(&[2], 1), (&[1], -14), (&[0], 48)],
            MonomialOrder::GRevLex,
        );
        assert_eq!(p.to_text(&v), "x^2 - 14*x + 48");
        let p = zz(&[(&[2], -1), (&[1], 1)], MonomialOrder::GRevLex);
        assert_eq!(p.to_text(&v), "-x^2 + x");
        let v3 = names(&["x0", "x1", "x2"]);
        let p = zz(&[(&[0, 0, 1], -3), (&[2, 1, 0], 1)], MonomialOrder::GRevLex);
        assert_eq!(p.to_text(&v3), "x0^2*x1 - 3*x2");
        let q = Poly::from_terms(
            1,
            MonomialOrder::GRevLex,
            BigRational::from_integer(0.into()),
            vec![(vec![1], BigRational::new(5.into(), 3.into()))],
        );
        assert_eq!(q.to_text(&v), "5/3*x");
        let g = Poly::from_terms(
            2,
            MonomialOrder::GRevLex,
            Gf::new(0, 7),
            vec![(vec![2, 1], Gf::new(-1, 7)), (vec![0, 0], Gf::new(5, 7))],
        );
        assert_eq!(g.to_text(&names(&["x", "y"])), "6*x^2*y + 5");
        assert_eq!(g.sub(&g).to_text(&v), "0");
    }

    #[test]
    fn orders() {
        use MonomialOrder::*;
        // x*z^2 vs y^3 (degree 3): lex/grlex put x*z^2 first; grevlex puts y^3 first.
        let a = [1, 0, 2];
        let b = [0, 3, 0];
        assert_eq!(Lex.cmp(&a, &b), Ordering::Greater);
        assert_eq!(GrLex.cmp(&a, &b), Ordering::Greater);
        assert_eq!(GRevLex.cmp(&a, &b), Ordering::Less);
        assert_eq!(GRevLex.cmp(&[0, 0, 2], &[1, 0, 0]), Ordering::Greater);
        assert_eq!(Lex.cmp(&[0, 0, 2], &[1, 0, 0]), Ordering::Less);
    }

    #[test]
    fn arithmetic_and_expanded_form() {
        let o = MonomialOrder::GRevLex;
        let p = zz(&[(&[2, 0, 1], 5), (&[0, 1, 0], -3), (&[0, 0, 0], 7)], o);
        assert_eq!(
            p.expanded_form(),
            "C5 E2 E0 E1 + C-3 E0 E1 E0 + C7 E0 E0 E0"
        );
        let q = zz(&[(&[0, 1, 0], 3), (&[1, 0, 0], 1)], o);
        let s = p.add(&q);
        assert_eq!(s.num_terms(), 3);
        assert_eq!(s.sub(&q), p);
        let v = names(&["x", "y", "z"]);
        assert_eq!(q.mul(&q).to_text(&v), "x^2 + 6*x*y + 9*y^2");
    }

    #[test]
    fn symbols() {
        assert_eq!(parse_symbols("x0, x1").unwrap(), names(&["x0", "x1"]));
        assert_eq!(parse_symbols("x,y,z").unwrap(), names(&["x", "y", "z"]));
        assert!(parse_symbols("x, x").is_err());
        assert!(parse_symbols("1x").is_err());
    }
}
