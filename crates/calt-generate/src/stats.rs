//! Running statistics of a split and `{split}_stats.yaml` in CALT's layout (spec §1.4):
//! mean and population std, block-style YAML with 4-space indents, keys in the order
//! they were first seen.

use calt_algebra::tasks::SampleStats;
use std::fmt::Write;

/// Mean, population std, min and max of a stream of numbers.
///
/// Sums of deviations from the first value ("shifted data"): as accurate as Welford's
/// algorithm for data whose spread is not many orders of magnitude below its distance from
/// the first value, and without Welford's division per value — a split adds a dozen values
/// per sample on the writing thread, and the chain of divisions was its largest cost.
#[derive(Clone, Debug, Default)]
pub struct Running {
    count: u64,
    shift: f64,
    sum: f64,
    sum_squares: f64,
    min: f64,
    max: f64,
}

impl Running {
    pub fn add(&mut self, x: f64) {
        if self.count == 0 {
            self.shift = x;
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.count += 1;
        let d = x - self.shift;
        self.sum += d;
        self.sum_squares += d * d;
    }

    fn mean(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.shift + self.sum / self.count as f64
        }
    }

    fn std(&self) -> f64 {
        if self.count <= 1 {
            return 0.0;
        }
        let n = self.count as f64;
        ((self.sum_squares - self.sum * self.sum / n) / n)
            .max(0.0)
            .sqrt()
    }

    fn write(&self, out: &mut String, indent: usize) {
        let pad = " ".repeat(indent);
        for (key, value) in [
            ("mean", self.mean()),
            ("std", self.std()),
            ("min", self.min),
            ("max", self.max),
        ] {
            let _ = writeln!(out, "{pad}{key}: {}", py_float(value));
        }
    }
}

/// Names are `'static` strings from the task, usually the very same ones each sample: compare
/// the pointers before the bytes.
fn same(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// Everything `{split}_stats.yaml` reports.
#[derive(Clone, Debug, Default)]
pub struct SplitStats {
    pub generation_time: Running,
    /// category → metric → running statistics, in first-seen order.
    categories: Vec<(&'static str, Vec<(&'static str, Running)>)>,
    /// Counts of what was left out, written after CALT's keys (only the enabled ones).
    pub extras: Vec<(&'static str, u64)>,
}

impl SplitStats {
    pub fn add_sample(&mut self, seconds: f64, stats: &SampleStats) {
        self.generation_time.add(seconds);
        // Every sample of a task reports the same metrics in the same order: try the slot the
        // previous sample used before searching.
        let (mut c, mut m) = (0, 0);
        for e in &stats.entries {
            if self
                .categories
                .get(c)
                .is_none_or(|(name, _)| !same(name, e.category))
            {
                c = match self.categories.iter().position(|(n, _)| *n == e.category) {
                    Some(i) => i,
                    None => {
                        self.categories.push((e.category, Vec::new()));
                        self.categories.len() - 1
                    }
                };
                m = 0;
            }
            let metrics = &mut self.categories[c].1;
            if metrics.get(m).is_none_or(|(name, _)| !same(name, e.metric)) {
                m = match metrics.iter().position(|(n, _)| *n == e.metric) {
                    Some(i) => i,
                    None => {
                        metrics.push((e.metric, Running::default()));
                        metrics.len() - 1
                    }
                };
            }
            metrics[m].1.add(e.value);
            m += 1;
        }
    }

    /// The YAML text, given the split's wall time and the number of samples written.
    pub fn to_yaml(&self, total_time: f64, num_samples: u64) -> String {
        let mut out = String::new();
        let rate = if total_time > 0.0 {
            num_samples as f64 / total_time
        } else {
            0.0
        };
        let _ = writeln!(out, "total_time: {}", py_float(total_time));
        let _ = writeln!(out, "num_samples: {num_samples}");
        let _ = writeln!(out, "samples_per_second: {}", py_float(rate));
        out.push_str("generation_time:\n");
        self.generation_time.write(&mut out, 4);
        for (category, metrics) in &self.categories {
            let _ = writeln!(out, "{category}_stats:");
            for (metric, r) in metrics {
                let _ = writeln!(out, "    {metric}:");
                r.write(&mut out, 8);
            }
        }
        for (key, n) in &self.extras {
            let _ = writeln!(out, "{key}: {n}");
        }
        out
    }
}

/// A float as PyYAML writes Python's `repr`: shortest round-trip digits, always with a `.`
/// (`3.0`, `0.25`), exponent form outside [1e-4, 1e16) as `1.0e-05`, and `.inf`/`.nan`.
pub fn py_float(x: f64) -> String {
    if x.is_nan() {
        return ".nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let a = x.abs();
    if a == 0.0 || (1e-4..1e16).contains(&a) {
        let s = format!("{x}");
        return if s.contains('.') { s } else { format!("{s}.0") };
    }
    // Rust writes `1e-5` / `1.5e16`; Python writes `1e-05` / `1.5e+16`, PyYAML adds `.0`.
    let s = format!("{x:e}");
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("+", exp),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_pyyaml_writes_them() {
        assert_eq!(py_float(3.0), "3.0");
        assert_eq!(py_float(0.25), "0.25");
        assert_eq!(py_float(0.0), "0.0");
        assert_eq!(py_float(1e-5), "1.0e-05");
        assert_eq!(py_float(2.5e-7), "2.5e-07");
        assert_eq!(py_float(1.5e16), "1.5e+16");
        assert_eq!(py_float(123456.789), "123456.789");
    }

    #[test]
    fn running_statistics_match_the_two_pass_formulas() {
        // Values far from the first one, and a first value that is an outlier.
        let values = [
            1e6 + 3.0,
            1e6 + 1.0,
            1e6 + 4.0,
            1e6 + 1.0,
            1e6 + 5.0,
            1e6 + 9.0,
        ];
        let mut r = Running::default();
        for &x in &values {
            r.add(x);
        }
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert!((r.mean() - mean).abs() < 1e-9, "{} vs {mean}", r.mean());
        assert!((r.std() - std).abs() < 1e-9, "{} vs {std}", r.std());
        assert_eq!((r.min, r.max), (1e6 + 1.0, 1e6 + 9.0));
        let mut outlier_first = Running::default();
        for x in [2e-4, 1e-6, 1.1e-6, 0.9e-6, 1e-6] {
            outlier_first.add(x);
        }
        let xs = [2e-4, 1e-6, 1.1e-6, 0.9e-6, 1e-6];
        let m = xs.iter().sum::<f64>() / 5.0;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 5.0).sqrt();
        assert!((outlier_first.std() - sd).abs() < 1e-15 * 1e3);
        // A constant stream has no spread, never a NaN from rounding below zero.
        let mut constant = Running::default();
        for _ in 0..1000 {
            constant.add(0.1);
        }
        assert_eq!(constant.std(), 0.0);
    }

    #[test]
    fn statistics_and_layout() {
        let mut s = SplitStats::default();
        let mut per = SampleStats::default();
        per.push("problem", "value", 2.0);
        s.add_sample(1.0, &per);
        let mut per = SampleStats::default();
        per.push("problem", "value", 4.0);
        s.add_sample(3.0, &per);
        s.extras.push(("duplicates_dropped", 0));
        let y = s.to_yaml(2.0, 2);
        assert_eq!(
            y,
            "total_time: 2.0\nnum_samples: 2\nsamples_per_second: 1.0\ngeneration_time:\n    \
             mean: 2.0\n    std: 1.0\n    min: 1.0\n    max: 3.0\nproblem_stats:\n    value:\n        \
             mean: 3.0\n        std: 1.0\n        min: 2.0\n        max: 4.0\nduplicates_dropped: 0\n"
        );
    }
}
