//! Scores of generated answers and CALT's `eval_results` JSON layout.

use serde::Serialize;

/// One generated/reference pair, in CALT's key order.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct EvalRecord {
    pub generated: String,
    pub reference: String,
}

/// Fraction of pairs whose strings match after trimming (CALT's rule); 0 for no pairs.
pub fn generation_accuracy(records: &[EvalRecord]) -> f64 {
    if records.is_empty() {
        return 0.0;
    }
    let hits = records
        .iter()
        .filter(|r| r.generated.trim() == r.reference.trim())
        .count();
    hits as f64 / records.len() as f64
}

/// Exact-match accuracy grouped by reference length in tokens: `(length, correct, total)`,
/// sorted by length.
pub fn accuracy_by_length(records: &[EvalRecord]) -> Vec<(usize, usize, usize)> {
    let mut groups = std::collections::BTreeMap::<usize, (usize, usize)>::new();
    for r in records {
        let len = r.reference.split_whitespace().count();
        let e = groups.entry(len).or_default();
        e.1 += 1;
        if r.generated.trim() == r.reference.trim() {
            e.0 += 1;
        }
    }
    groups.into_iter().map(|(l, (c, t))| (l, c, t)).collect()
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
