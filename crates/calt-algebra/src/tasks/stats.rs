//! Per-sample statistics, as CALT's example statistics calculators report them: each task
//! names a few metrics per side (`problem`, `answer`), and the pipeline summarises each metric
//! over a split (mean, std, min, max) into `{split}_stats.yaml`.

/// A sample's list of numbers for [`SampleStats::push_list`], on the stack for CALT's lengths
/// (a sample takes about a microsecond, so a heap allocation is a noticeable share of it).
pub(crate) type ListValues = smallvec::SmallVec<[f64; 8]>;

/// One number about one sample, e.g. `("answer", "total_factors", 3.0)`.
#[derive(Clone, Debug, PartialEq)]
pub struct StatEntry {
    pub category: &'static str,
    pub metric: &'static str,
    pub value: f64,
}

/// The statistics of one sample, in a fixed order (the stats file keeps it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SampleStats {
    pub entries: Vec<StatEntry>,
}

impl SampleStats {
    /// Room for `entries` statistics without reallocating.
    pub fn with_capacity(entries: usize) -> Self {
        SampleStats {
            entries: Vec::with_capacity(entries),
        }
    }

    pub fn push(&mut self, category: &'static str, metric: &'static str, value: f64) {
        self.entries.push(StatEntry {
            category,
            metric,
            value,
        });
    }

    /// CALT's list statistics: count, min, max, mean and (population) std of the values.
    pub fn push_list(&mut self, category: &'static str, values: &[f64]) {
        let n = values.len() as f64;
        let (min, max, mean, std) = if values.is_empty() {
            (0.0, 0.0, 0.0, 0.0)
        } else {
            // Sum, min and max in one pass (this runs for every sample of a task); the
            // variance needs the mean first, as Python's two-pass formula does.
            let (mut sum, mut min, mut max) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
            for &v in values {
                sum += v;
                min = f64::min(min, v);
                max = f64::max(max, v);
            }
            let mean = sum / n;
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
            (min, max, mean, var.sqrt())
        };
        self.push(category, "num_values", n);
        self.push(category, "min_value", min);
        self.push(category, "max_value", max);
        self.push(category, "mean_value", mean);
        self.push(category, "std_value", std);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_statistics() {
        let mut s = SampleStats::default();
        s.push_list("problem", &[1.0, 3.0]);
        let v: Vec<f64> = s.entries.iter().map(|e| e.value).collect();
        assert_eq!(v, vec![2.0, 1.0, 3.0, 2.0, 1.0]);
    }
}
