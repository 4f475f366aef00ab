//! Parses Sage/SymPy polynomial text back into [`Poly`]: sums, products, powers, parentheses,
//! rational constants and factorisations such as `(7/6) * (x^2 + 6/7*x + 30/7)`.

use crate::coeff::Coeff;
use crate::error::{AlgebraError, Result};
use crate::poly::{MonomialOrder, Poly};
use num_bigint::BigInt;

/// Parses `text` as a polynomial in `vars` over the ring of `zero`. `**` is accepted for `^`.
pub fn parse_poly<C: Coeff>(
    text: &str,
    vars: &[String],
    order: MonomialOrder,
    zero: &C,
) -> Result<Poly<C>> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        vars,
        order,
        zero: zero.zero_like(),
        depth: 0,
    };
    p.skip_ws();
    let r = p.expr()?;
    p.skip_ws();
    if p.pos != p.bytes.len() {
        return Err(p.err("unexpected character"));
    }
    Ok(r)
}

struct Parser<'a, C: Coeff> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    vars: &'a [String],
    order: MonomialOrder,
    zero: C,
    depth: usize,
}

/// Nesting limit so hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 200;
/// Exponent limit so `x^99999999` cannot exhaust memory.
const MAX_EXPONENT: u32 = 10_000;

impl<C: Coeff> Parser<'_, C> {
    fn err(&self, reason: &str) -> AlgebraError {
        AlgebraError::Parse {
            what: "polynomial",
            text: self.text.to_string(),
            pos: self.pos,
            reason: reason.to_string(),
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn nvars(&self) -> usize {
        self.vars.len()
    }

    fn constant(&self, c: C) -> Poly<C> {
        Poly::constant(self.nvars(), self.order, c)
    }

    fn expr(&mut self) -> Result<Poly<C>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        self.skip_ws();
        let mut negate = false;
        if let Some(c @ (b'-' | b'+')) = self.peek() {
            negate = c == b'-';
            self.pos += 1;
        }
        let mut acc = self.term()?;
        if negate {
            acc = acc.neg();
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'+') => {
                    self.pos += 1;
                    acc = acc.add(&self.term()?);
                }
                Some(b'-') => {
                    self.pos += 1;
                    acc = acc.sub(&self.term()?);
                }
                _ => break,
            }
        }
        self.depth -= 1;
        Ok(acc)
    }

    fn term(&mut self) -> Result<Poly<C>> {
        let mut acc = self.power()?;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'*') if self.bytes.get(self.pos + 1) != Some(&b'*') => {
                    self.pos += 1;
                    acc = acc.mul(&self.power()?);
                }
                Some(b'/') => {
                    self.pos += 1;
                    let at = self.pos;
                    let d = self.power()?;
                    if !d.is_constant() || d.is_zero() {
                        self.pos = at;
                        return Err(self.err("division only by nonzero constants"));
                    }
                    let dc = d
                        .leading_coeff()
                        .cloned()
                        .unwrap_or_else(|| self.zero.clone());
                    let mut terms = Vec::with_capacity(acc.num_terms());
                    for (m, c) in acc.terms() {
                        match c.div_exact(&dc) {
                            Some(q) => terms.push((m.clone(), q)),
                            None => {
                                self.pos = at;
                                return Err(self.err("division is not exact in this ring"));
                            }
                        }
                    }
                    acc = Poly::from_terms(self.nvars(), self.order, self.zero.clone(), terms);
                }
                _ => break,
            }
        }
        Ok(acc)
    }

    fn power(&mut self) -> Result<Poly<C>> {
        let base = self.atom()?;
        self.skip_ws();
        let caret = match self.peek() {
            Some(b'^') => 1,
            Some(b'*') if self.bytes.get(self.pos + 1) == Some(&b'*') => 2,
            _ => 0,
        };
        if caret == 0 {
            return Ok(base);
        }
        self.pos += caret;
        self.skip_ws();
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let e: u32 = self.text[start..self.pos]
            .parse()
            .map_err(|_| self.err("expected a non-negative integer exponent"))?;
        if e > MAX_EXPONENT {
            return Err(self.err("exponent too large"));
        }
        Ok(base.pow(e))
    }

    fn atom(&mut self) -> Result<Poly<C>> {
        self.skip_ws();
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                let e = self.expr()?;
                self.skip_ws();
                if self.peek() != Some(b')') {
                    return Err(self.err("expected `)`"));
                }
                self.pos += 1;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.pos;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.pos += 1;
                }
                let n: BigInt = self.text[start..self.pos]
                    .parse()
                    .map_err(|_| self.err("bad integer"))?;
                Ok(self.constant(self.zero.from_bigint_like(&n)))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
                {
                    self.pos += 1;
                }
                let name = &self.text[start..self.pos];
                match self.vars.iter().position(|v| v == name) {
                    Some(i) => Ok(Poly::var(self.nvars(), self.order, self.zero.clone(), i)),
                    None => {
                        self.pos = start;
                        Err(self.err(&format!("unknown variable `{name}`")))
                    }
                }
            }
            Some(b'-') => {
                // A unary minus inside a product, e.g. `(-1) * x` or `2*-x`.
                self.pos += 1;
                Ok(self.power()?.neg())
            }
            Some(_) => Err(self.err("unexpected character")),
            None => Err(self.err("unexpected end of input")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coeff::Gf;
    use num_rational::BigRational;

    fn v(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn round_trips_sage_text() {
        let o = MonomialOrder::GRevLex;
        let x = v(&["x"]);
        let q0 = BigRational::from_integer(0.into());
        for t in [
            "x^2 - 14*x + 48",
            "5/3*x",
            "-x^2 + x - 10/3",
            "0",
            "-7/3*x^4 + 1",
        ] {
            let p = parse_poly(t, &x, o, &q0).unwrap();
            assert_eq!(p.to_text(&x), t);
        }
        let f = parse_poly("(7/6) * (x^2 + 6/7*x + 30/7)", &x, o, &q0).unwrap();
        assert_eq!(f.to_text(&x), "7/6*x^2 + x + 5");
        let z0 = BigInt::from(0);
        let f = parse_poly("(x - 8) * (x - 6)", &x, o, &z0).unwrap();
        assert_eq!(f.to_text(&x), "x^2 - 14*x + 48");
        let f = parse_poly("(-1) * 2 * (x - 9)^2", &x, o, &z0).unwrap();
        assert_eq!(f.to_text(&x), "-2*x^2 + 36*x - 162");
        let x3 = v(&["x0", "x1", "x2"]);
        let f = parse_poly("x0^2*x1 - 3*x2", &x3, o, &z0).unwrap();
        assert_eq!(f.to_text(&x3), "x0^2*x1 - 3*x2");
        let g = parse_poly("6*x0**2 + 3*x1 + 9", &x3, o, &Gf::new(0, 7)).unwrap();
        assert_eq!(g.to_text(&x3), "6*x0^2 + 3*x1 + 2");
    }

    #[test]
    fn rejects_bad_input() {
        let o = MonomialOrder::GRevLex;
        let x = v(&["x"]);
        let z0 = BigInt::from(0);
        for bad in [
            "",
            "x +",
            "y",
            "x^",
            "(x",
            "x)",
            "x/2",
            "x/0",
            "x^99999999",
            "x @ 1",
        ] {
            assert!(parse_poly(bad, &x, o, &z0).is_err(), "{bad}");
        }
        let deep = "(".repeat(10_000) + "x" + &")".repeat(10_000);
        assert!(parse_poly(&deep, &x, o, &z0).is_err());
    }
}
