//! `gf17_addition`: a list of residues mod p and its prefix sums (`6,13,15 # 6,2,0`).

use super::stats::ListValues;
use super::{SampleStats, Task, invalid};
use crate::coeff::is_prime_u64;
use crate::error::Result;
use crate::pyrandom::PyRandom;
use crate::sample::Sample;

/// Draws exactly as CALT's generator: `random.seed(seed)`, length `randint(min, max)`, then
/// `randint(0, p - 1)` per entry, so datasets match CALT byte for byte.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GfAddition {
    pub prime: u64,
    pub min_length: u32,
    pub max_length: u32,
}

/// The longest list a sample may have (far beyond any CALT task's).
const MAX_LENGTH: u32 = 1 << 16;

impl Default for GfAddition {
    fn default() -> Self {
        GfAddition {
            prime: 17,
            min_length: 3,
            max_length: 6,
        }
    }
}

impl GfAddition {
    pub fn validate(&self) -> Result<()> {
        if !is_prime_u64(self.prime) || self.prime >= 1 << 62 {
            return invalid(format!(
                "prime must be a prime below 2^62, got {}",
                self.prime
            ));
        }
        if self.min_length == 0 || self.min_length > self.max_length {
            return invalid("need 1 <= min_length <= max_length");
        }
        // A config asking for lists of billions would exhaust memory before the first sample.
        if self.max_length > MAX_LENGTH {
            return invalid(format!("max_length must be at most {MAX_LENGTH}"));
        }
        Ok(())
    }
}

impl Task for GfAddition {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let Some((sample, values, sums)) = self.draw_lists(rng) else {
            return Ok(None);
        };
        let mut stats = SampleStats::with_capacity(10);
        stats.push_list("problem", &values);
        stats.push_list("answer", &sums);
        Ok(Some((sample, stats)))
    }
}

impl GfAddition {
    /// The sample, plus its entries and prefix sums as numbers for the statistics.
    fn draw_lists(&self, rng: &mut PyRandom) -> Option<(Sample, ListValues, ListValues)> {
        let p = self.prime as i64;
        let len = rng.randint(i64::from(self.min_length), i64::from(self.max_length)) as usize;
        // Entries are at most 19 digits; one allocation per string.
        let mut problem = String::with_capacity(len * 4);
        let mut answer = String::with_capacity(len * 4);
        let mut digits = itoa::Buffer::new();
        let mut s: u64 = 0;
        let mut values = ListValues::new();
        let mut sums = ListValues::new();
        for i in 0..len {
            let n = rng.randint(0, p - 1) as u64;
            // Both terms are below p: one subtraction reduces (a division per entry was a
            // noticeable share of a sample).
            s += n;
            if s >= self.prime {
                s -= self.prime;
            }
            if i > 0 {
                problem.push(',');
                answer.push(',');
            }
            problem.push_str(digits.format(n));
            answer.push_str(digits.format(s));
            values.push(n as f64);
            sums.push(s as f64);
        }
        Some((Sample::new(problem, answer), values, sums))
    }
}
