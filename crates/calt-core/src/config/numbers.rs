//! Lenient number parsing: OmegaConf reads `1e-4` as a float, and some CALT configs quote
//! numbers. Accept a YAML number or a string holding one.

use serde::{Deserialize, Deserializer, de};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

pub(crate) fn f64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    match NumberOrText::deserialize(d)? {
        NumberOrText::Number(x) => Ok(x),
        NumberOrText::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| de::Error::custom(format!("expected a number, found \"{s}\""))),
    }
}
