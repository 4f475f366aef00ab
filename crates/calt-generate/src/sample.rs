//! One generated sample, rendered once into the two lines CALT writes for it.

use calt_algebra::Sample;
use calt_algebra::tasks::SampleStats;

/// One sample to generate: its index within the split and its seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedJob {
    pub index: u64,
    pub seed: u128,
}

/// A generated sample, already rendered as its two output lines (on the worker that made it:
/// rendering costs as much as drawing a gf17 sample), with its statistics and how long the
/// generator took.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The text line (when the sample has one) followed by the JSON record: one allocation,
    /// freed on the writing thread.
    lines: String,
    /// Where the JSON record starts in `lines` (the text line's length), or why the sample
    /// cannot be written as text.
    text_end: Result<usize, String>,
    pub stats: SampleStats,
    pub seconds: f64,
}

impl Generated {
    pub fn new(sample: &Sample, stats: SampleStats, seconds: f64) -> Self {
        let mut lines = String::with_capacity(sample.lines_capacity());
        let text_end = sample.write_text_line(&mut lines).map(|()| lines.len());
        sample.write_json_line(&mut lines);
        Generated {
            lines,
            text_end,
            stats,
            seconds,
        }
    }

    /// A sample given as its rendered lines (or why it has no text line).
    pub fn from_lines(
        text: Result<&str, String>,
        json: &str,
        stats: SampleStats,
        seconds: f64,
    ) -> Self {
        let line = text.as_deref().unwrap_or_default();
        Generated {
            lines: format!("{line}{json}"),
            text_end: text.map(str::len),
            stats,
            seconds,
        }
    }

    /// The `problem # answer` line, or why the sample cannot be written as text.
    pub fn text(&self) -> Result<&str, &str> {
        match &self.text_end {
            Ok(end) => Ok(&self.lines[..*end]),
            Err(reason) => Err(reason),
        }
    }

    /// [`Self::text`], or an error naming the sample that has no text form.
    pub fn text_line(&self, split: &str, job: SeedJob) -> anyhow::Result<&str> {
        self.text().map_err(|reason| {
            anyhow::anyhow!(
                "split {split}, index {} (seed {}): cannot render the sample: {reason}",
                job.index,
                job.seed
            )
        })
    }

    /// The JSON Lines record.
    pub fn json(&self) -> &str {
        &self.lines[*self.text_end.as_ref().unwrap_or(&0)..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calt_algebra::Value;

    #[test]
    fn a_generated_sample_keeps_its_two_lines_apart() {
        let g = Generated::new(&Sample::new("1,2", "3"), SampleStats::default(), 0.0);
        assert_eq!(g.text(), Ok("1,2 # 3"));
        assert_eq!(g.json(), r#"{"problem": "1,2", "answer": "3"}"#);
        // Lists nested three deep have no text form; the JSON record is still whole.
        let deep = Value::List(vec![Value::List(vec![Value::List(vec![Value::from("x")])])]);
        let g = Generated::new(&Sample::new(deep, "y"), SampleStats::default(), 0.0);
        assert!(g.text().is_err());
        assert_eq!(g.json(), r#"{"problem": [[["x"]]], "answer": "y"}"#);
    }
}
