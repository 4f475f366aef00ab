//! Exact algebra for calt's dataset generators: big integers, rationals and GF(p); sparse
//! multivariate polynomials with Sage-style printing and parsing; CALT's polynomial sampler;
//! integer and univariate polynomial factorisation; Gröbner bases and normal forms; and the
//! built-in task generators. Pure Rust (no files, threads or processes), so it builds for wasm32.

pub mod coeff;
pub mod error;
pub mod factor;
pub mod groebner;
pub mod intfactor;
mod modp;
pub mod parse;
pub mod poly;
pub mod pyrandom;
mod pyset;
pub mod sample;
pub mod sampler;
pub mod seed;
pub mod tasks;
mod zpoly;

pub use coeff::{Coeff, Field, FieldCoeff, Gf};
pub use error::{AlgebraError, Result};
pub use poly::{MonomialOrder, Poly};
pub use pyrandom::PyRandom;
pub use sample::{Sample, Value};
pub use seed::{SplitSeeds, sample_seed};
pub use tasks::{Task, TaskSpec};

/// Serde for a type written in configs as text: read by its `parse`, written by its `Display`
/// (which `parse` reads back).
macro_rules! serde_as_text {
    ($type:ty, $parse:path) => {
        impl<'de> serde::Deserialize<'de> for $type {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                let text = <String as serde::Deserialize>::deserialize(d)?;
                $parse(&text).map_err(serde::de::Error::custom)
            }
        }
        impl serde::Serialize for $type {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}
pub(crate) use serde_as_text;
