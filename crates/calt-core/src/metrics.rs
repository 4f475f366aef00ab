//! CALT's `eval_results` JSON layout (the scores themselves are [`crate::evaluation`]'s).

use serde::Serialize;

/// One generated/reference pair, in CALT's key order.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct EvalRecord {
    pub generated: String,
    pub reference: String,
}

/// The JSON Python's `json.dump(records, indent=4, ensure_ascii=False)` writes: 4-space indent,
/// no trailing newline.
pub fn eval_results_json(records: &[EvalRecord]) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    // Serialising plain strings into a Vec cannot fail.
    records.serialize(&mut ser).expect("in-memory JSON");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}
