//! `integer_factorization`: a product of distinct small primes and the sorted primes
//! (`852397 # 7 | 13 | 17 | 19 | 29`).

use super::stats::ListValues;
use super::{SampleStats, Task, invalid};
use crate::error::Result;
use crate::pyrandom::PyRandom;
use crate::sample::{Sample, Value};
use num_bigint::BigInt;
use num_traits::ToPrimitive;
use std::sync::OnceLock;

/// CALT's draw: `random.seed(seed)`, `random.sample(primes below prime_bound, num_primes)`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IntegerFactorization {
    /// Primes are taken from `[2, prime_bound)`.
    pub prime_bound: u64,
    pub num_primes: usize,
    /// The primes below `prime_bound`, listed once instead of per sample.
    #[serde(skip)]
    primes: PrimeCache,
}

/// The primes below a bound, kept with the bound they were listed for: the task's fields are
/// public and may change after construction, so a stale list is recomputed, never used.
#[derive(Clone, Debug, Default)]
struct PrimeCache(OnceLock<(u64, Vec<u64>)>);

impl PartialEq for PrimeCache {
    /// A cache never makes two tasks different.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PrimeCache {
    fn below(&self, bound: u64) -> std::borrow::Cow<'_, [u64]> {
        let list = |bound| {
            (2..bound)
                .filter(|&n| crate::coeff::is_prime_u64(n))
                .collect::<Vec<u64>>()
        };
        match self.0.get_or_init(|| (bound, list(bound))) {
            (b, primes) if *b == bound => std::borrow::Cow::Borrowed(primes),
            _ => std::borrow::Cow::Owned(list(bound)),
        }
    }
}

impl Default for IntegerFactorization {
    fn default() -> Self {
        IntegerFactorization {
            prime_bound: 30,
            num_primes: 5,
            primes: PrimeCache::default(),
        }
    }
}

impl IntegerFactorization {
    fn primes(&self) -> std::borrow::Cow<'_, [u64]> {
        self.primes.below(self.prime_bound)
    }

    pub fn validate(&self) -> Result<()> {
        if self.prime_bound > 10_000_000 {
            return invalid("prime_bound must be at most 10000000");
        }
        let n = self.primes().len();
        if self.num_primes == 0 || self.num_primes > n {
            return invalid(format!(
                "num_primes must be between 1 and {n} (the number of primes below {})",
                self.prime_bound
            ));
        }
        Ok(())
    }
}

impl Task for IntegerFactorization {
    fn draw(&self, rng: &mut PyRandom) -> Result<Option<(Sample, SampleStats)>> {
        let (sample, product, primes) = self.draw_primes(rng);
        let mut stats = SampleStats::with_capacity(6);
        stats.push("problem", "value", product);
        let primes: ListValues = primes.iter().map(|&p| p as f64).collect();
        stats.push_list("answer", &primes);
        Ok(Some((sample, stats)))
    }
}

impl IntegerFactorization {
    /// The sample, the product as a float (for the statistics) and the sorted primes.
    fn draw_primes(&self, rng: &mut PyRandom) -> (Sample, f64, Vec<u64>) {
        let mut chosen = rng.sample(&self.primes(), self.num_primes);
        // Machine integers while the product fits (always, at CALT's sizes), big ones after.
        let product = chosen
            .iter()
            .try_fold(1u128, |a, &p| a.checked_mul(u128::from(p)));
        let (text, value) = match product {
            Some(n) => (n.to_string(), n as f64),
            None => {
                let n = chosen.iter().fold(BigInt::from(1), |a, &p| a * p);
                (n.to_string(), n.to_f64().unwrap_or(f64::INFINITY))
            }
        };
        chosen.sort_unstable();
        let answer = Value::List(chosen.iter().map(|&p| Value::Int(p)).collect());
        (Sample::new(text, answer), value, chosen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prime_list_follows_the_bound_after_a_change() {
        let mut task = IntegerFactorization::default();
        assert_eq!(task.primes().len(), 10);
        task.prime_bound = 12;
        assert_eq!(&*task.primes(), &[2, 3, 5, 7, 11]);
        task.num_primes = 5;
        let s = task.generate(42).unwrap().unwrap();
        assert_eq!(s.text_line().unwrap(), "2310 # 2 | 3 | 5 | 7 | 11");
    }
}
