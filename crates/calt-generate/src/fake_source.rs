//! A sample source for tests of the pipeline: every seed answers `index # index`, with
//! skips, repeats and failures placed where a test asks for them.

use super::SampleSource;
use super::sample::Generated;
use super::seed_stream::Seeds;
use calt_algebra::tasks::SampleStats;

#[derive(Default)]
pub struct FakeSource {
    /// This index's sample cannot be rendered as text.
    pub bad_render: Option<u64>,
    /// The batch holding this index fails.
    pub fail_at: Option<u64>,
    /// Every batch of this split fails.
    pub fail_split: Option<&'static str>,
    /// `(m, r)`: indices with `index % m == r` are skipped.
    pub skip: Option<(u64, u64)>,
    /// `r`: index `i` answers with `i - i % r`, so `r` indices in a row give one sample.
    pub repeat_every: Option<u64>,
}

impl SampleSource for FakeSource {
    fn generate(&mut self, split: &str, seeds: &Seeds) -> anyhow::Result<Vec<Option<Generated>>> {
        let jobs = &seeds.jobs;
        if Some(split) == self.fail_split {
            anyhow::bail!("no {split} samples today");
        }
        if jobs.iter().any(|j| Some(j.index) == self.fail_at) {
            anyhow::bail!("generator failed at index {}", self.fail_at.unwrap_or(0));
        }
        Ok(jobs
            .iter()
            .map(|j| {
                if self.skip.is_some_and(|(m, r)| j.index % m == r) {
                    return None;
                }
                let value = self.repeat_every.map_or(j.index, |r| j.index - j.index % r);
                let text = format!("{value} # {value}");
                let json = format!("{{\"problem\": \"{value}\", \"answer\": \"{value}\"}}");
                let mut stats = SampleStats::default();
                stats.push("problem", "value", value as f64 / 3.0);
                Some(Generated::from_lines(
                    if Some(j.index) == self.bad_render {
                        Err("nesting deeper than 2 levels".into())
                    } else {
                        Ok(&text)
                    },
                    &json,
                    stats,
                    j.index as f64 * 1e-7,
                ))
            })
            .collect())
    }
}
