//! A sample source for tests of the pipeline: every seed answers `index # index`, with
//! failures placed where a test asks for them.

use super::SampleSource;
use super::sample::Generated;
use super::seed_stream::Seeds;

#[derive(Default)]
pub struct FakeSource {
    /// This index's sample cannot be rendered as text.
    pub bad_render: Option<u64>,
    /// The batch holding this index fails.
    pub fail_at: Option<u64>,
    /// Every batch of this split fails.
    pub fail_split: Option<&'static str>,
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
                let text = format!("{0} # {0}", j.index);
                let json = format!("{{\"problem\": \"{0}\", \"answer\": \"{0}\"}}", j.index);
                Some(Generated::from_lines(
                    if Some(j.index) == self.bad_render {
                        Err("nesting deeper than 2 levels".into())
                    } else {
                        Ok(&text)
                    },
                    &json,
                ))
            })
            .collect())
    }
}
