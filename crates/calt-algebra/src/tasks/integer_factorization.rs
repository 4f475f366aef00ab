//! `integer_factorization`: a product of distinct small primes and the sorted primes
//! (`852397 # 7 | 13 | 17 | 19 | 29`).

use super::{SampleStats, Task, invalid};
use crate::error::Result;
use crate::pyrandom::PyRandom;
use crate::sample::{Sample, Value};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// CALT's draw: `random.seed(seed)`, `random.sample(primes below prime_bound, num_primes)`.
#[derive(Clone, Debug, PartialEq)]
pub struct IntegerFactorization {
    /// Primes are taken from `[2, prime_bound)`.
    pub prime_bound: u64,
    pub num_primes: usize,
}

impl Default for IntegerFactorization {
    fn default() -> Self {
        IntegerFactorization {
            prime_bound: 30,
            num_primes: 5,
        }
    }
}

impl IntegerFactorization {
    fn primes(&self) -> Vec<u64> {
        (2..self.prime_bound)
            .filter(|&n| crate::coeff::is_prime_u64(n))
            .collect()
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
        let mut stats = SampleStats::default();
        stats.push(
            "problem",
            "value",
            product.to_f64().unwrap_or(f64::INFINITY),
        );
        stats.push_list(
            "answer",
            &primes.iter().map(|&p| p as f64).collect::<Vec<_>>(),
        );
        Ok(Some((sample, stats)))
    }
}

impl IntegerFactorization {
    fn draw_primes(&self, rng: &mut PyRandom) -> (Sample, BigInt, Vec<u64>) {
        let mut chosen = rng.sample(&self.primes(), self.num_primes);
        let product = chosen.iter().fold(BigInt::from(1), |a, &p| a * p);
        chosen.sort_unstable();
        let answer = Value::from(chosen.iter().map(u64::to_string).collect::<Vec<_>>());
        (Sample::new(product.to_string(), answer), product, chosen)
    }
}
