//! `eigvec_3x3`: a random positive semi-definite matrix M = AᵀA and the unit eigenvector of its
//! largest eigenvalue (`0.21,-0.32,0.98;… # -0.19,0.31,-0.93`).

use super::{SampleStats, Task, invalid};
use crate::error::Result;
use crate::pyrandom::PyRandom;
use crate::sample::Sample;

#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Eigvec3x3 {
    /// Digits after the decimal point in the printed numbers (CALT: 2).
    pub decimals: usize,
}

impl Default for Eigvec3x3 {
    fn default() -> Self {
        Eigvec3x3 { decimals: 2 }
    }
}

impl Eigvec3x3 {
    pub fn validate(&self) -> Result<()> {
        if self.decimals > 12 {
            return invalid("decimals must be at most 12");
        }
        Ok(())
    }
}

/// Eigenvalues and eigenvectors (columns of `v`) of a symmetric 3×3 matrix by cyclic Jacobi.
fn jacobi(mut a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..100 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off < 1e-300 {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q].abs() < 1e-300 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            for row in a.iter_mut() {
                let (x, y) = (row[p], row[q]);
                row[p] = c * x - s * y;
                row[q] = s * x + c * y;
            }
            let (row_p, row_q) = (a[p], a[q]);
            for (k, (x, y)) in row_p.into_iter().zip(row_q).enumerate() {
                a[p][k] = c * x - s * y;
                a[q][k] = s * x + c * y;
            }
            for row in v.iter_mut() {
                let (x, y) = (row[p], row[q]);
                row[p] = c * x - s * y;
                row[q] = s * x + c * y;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

impl Task for Eigvec3x3 {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let mut a = [[0.0f64; 3]; 3];
        for row in a.iter_mut() {
            for x in row.iter_mut() {
                *x = rng.normalvariate(0.0, 1.0);
            }
        }
        let mut m = [[0.0f64; 3]; 3];
        for i in 0..3 {
            for j in 0..3 {
                m[i][j] = (0..3).map(|k| a[k][i] * a[k][j]).sum();
            }
        }
        let (w, v) = jacobi(m);
        let top = (0..3).max_by(|&i, &j| w[i].total_cmp(&w[j])).unwrap_or(0);
        let mut e = [v[0][top], v[1][top], v[2][top]];
        let norm = e.iter().map(|x| x * x).sum::<f64>().sqrt();
        // Sign convention: the largest-magnitude component is positive.
        let big = e
            .iter()
            .copied()
            .fold(0.0f64, |b, x| if x.abs() > b.abs() { x } else { b });
        let sign = if big < 0.0 { -1.0 } else { 1.0 };
        for x in e.iter_mut() {
            *x *= sign / norm;
        }
        let d = self.decimals;
        let fmt = |x: f64| format!("{x:.d$}");
        let problem = m
            .iter()
            .map(|r| r.iter().map(|&x| fmt(x)).collect::<Vec<_>>().join(","))
            .collect::<Vec<_>>()
            .join(";");
        let answer = e.iter().map(|&x| fmt(x)).collect::<Vec<_>>().join(",");
        Ok(Some((Sample::new(problem, answer), SampleStats::default())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eigenvector_is_right() {
        let m = [[2.0, 1.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 1.0]];
        let (w, v) = jacobi(m);
        let top = (0..3).max_by(|&i, &j| w[i].total_cmp(&w[j])).unwrap();
        assert!((w[top] - 3.0).abs() < 1e-12);
        let e = [v[0][top], v[1][top], v[2][top]];
        assert!((e[0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((e[0] - e[1]).abs() < 1e-12 && e[2].abs() < 1e-12);
        let s = Eigvec3x3::default().generate(7).unwrap().unwrap();
        let line = s.text_line().unwrap();
        assert_eq!(line.matches(';').count(), 2);
    }
}
