//! Pre-tokenized JSONL, as calt-x's pre-tokenized cache writes it: one
//! `{"input_ids": [...], "target_ids": [...]}` object per line (`labels` is accepted for
//! `target_ids`), both the `[<s>, …, </s>]` token ids of the run's tokenizer. Such a file is
//! read as it is, without load preprocessors or lexing (they ran when it was written); the
//! texts kept for eval files and reports are the ids decoded.

use serde_json::{Map, Value};

use super::reader::parse_lines;
use super::{BadLine, EncodedDataset, EncodedSample};
use crate::limits;
use crate::tokenizer::{CaltTokenizer, SpecialIds};

/// Whether a `.jsonl` file's `text` holds token ids: its first non-empty line is an object
/// with `input_ids` (calt-x's test for the same files).
pub fn is_pretokenized(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .filter(|line| line.len() <= limits::MAX_LINE_BYTES)
        .and_then(|line| serde_json::from_str::<Value>(line).ok())
        .is_some_and(|value| value.get("input_ids").is_some())
}

/// Reads up to `limit` samples of token ids; rows that are not a sample of this tokenizer's
/// ids go to the second list.
pub fn read_pretokenized(
    file: &str,
    text: &str,
    limit: Option<usize>,
    tokenizer: &CaltTokenizer,
) -> (EncodedDataset, Vec<BadLine>) {
    let vocab = tokenizer.vocab_size();
    let special = tokenizer.special_ids();
    let (parsed, bad) = parse_lines(file, text, limit, |line| {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("invalid JSON ({e})"))?;
        let row = value.as_object().ok_or("expected a JSON object")?;
        let answer_key = if row.contains_key("target_ids") {
            "target_ids"
        } else {
            "labels"
        };
        Ok(EncodedSample {
            input_ids: token_ids(row, "input_ids", vocab, special)?,
            target_ids: token_ids(row, answer_key, vocab, special)?,
        })
    });
    let mut dataset = EncodedDataset::default();
    for (line, sample) in parsed {
        dataset.problems.push(tokenizer.decode(&sample.input_ids));
        dataset.answers.push(tokenizer.decode(&sample.target_ids));
        dataset.lines.push(line);
        dataset.samples.push(sample);
    }
    (dataset, bad)
}

/// The ids under `key`: each a token of the vocabulary, `<s>` first, `</s>` last and at least
/// one token between them.
fn token_ids(
    row: &Map<String, Value>,
    key: &str,
    vocab: usize,
    special: SpecialIds,
) -> Result<Vec<u32>, String> {
    let values = row
        .get(key)
        .ok_or_else(|| format!("no \"{key}\" key"))?
        .as_array()
        .ok_or_else(|| format!("\"{key}\" is not a list of token ids"))?;
    let ids = values
        .iter()
        .map(|value| {
            value
                .as_u64()
                .filter(|&id| id < vocab as u64)
                .map(|id| id as u32)
                .ok_or_else(|| {
                    format!(
                        "\"{key}\": {value} is not a token id of this vocabulary (0 to {})",
                        vocab.saturating_sub(1)
                    )
                })
        })
        .collect::<Result<Vec<u32>, String>>()?;
    match ids.as_slice() {
        [first, _, .., last] if *first == special.bos && *last == special.eos => Ok(ids),
        _ => Err(format!(
            "\"{key}\" must be <s> (id {}), at least one token, then </s> (id {}), as calt-x \
             writes its pre-tokenized files",
            special.bos, special.eos
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::gf17_tokenizer as tokenizer;

    #[test]
    fn detects_rows_of_ids_and_reads_them_with_their_lines() {
        let t = tokenizer();
        let (bos, eos) = (t.special_ids().bos, t.special_ids().eos);
        let text = format!(
            "{{\"input_ids\": [{bos}, 5, {eos}], \"target_ids\": [{bos}, 6, 7, {eos}]}}\n\n\
             {{\"input_ids\": [{bos}, 5, {eos}], \"labels\": [{bos}, 6, {eos}]}}\n"
        );
        assert!(is_pretokenized(&text));
        assert!(!is_pretokenized("{\"problem\": \"1\", \"answer\": \"2\"}"));
        let (data, bad) = read_pretokenized("train_ids.jsonl", &text, None, &t);
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(data.lines, [1, 3]);
        assert_eq!(data.samples[0].target_ids, [bos, 6, 7, eos]);
        assert_eq!(data.samples[1].target_ids, [bos, 6, eos]);
        assert_eq!(data.answers[0], t.decode(&[bos, 6, 7, eos]));
    }

    #[test]
    fn rows_that_are_not_samples_of_this_vocabulary_are_bad_lines() {
        let t = tokenizer();
        let (bos, eos) = (t.special_ids().bos, t.special_ids().eos);
        let big = t.vocab_size();
        let rows = [
            format!("{{\"input_ids\": [{bos}, {big}, {eos}], \"target_ids\": [{bos}, 5, {eos}]}}"),
            format!("{{\"input_ids\": [{bos}, 5], \"target_ids\": [{bos}, 5, {eos}]}}"),
            format!("{{\"input_ids\": [{bos}, {eos}], \"target_ids\": [{bos}, 5, {eos}]}}"),
            format!("{{\"input_ids\": [{bos}, -1, {eos}], \"target_ids\": [{bos}, 5, {eos}]}}"),
            format!("{{\"input_ids\": [{bos}, 5, {eos}]}}"),
            "[1, 2]".to_string(),
        ];
        let (data, bad) = read_pretokenized("t.jsonl", &rows.join("\n"), None, &t);
        assert!(data.is_empty());
        let reasons: Vec<&str> = bad.iter().map(|b| b.reason.as_str()).collect();
        assert!(reasons[0].contains("is not a token id of this vocabulary"));
        assert!(reasons[1].contains("must be <s>"));
        assert!(reasons[2].contains("at least one token"));
        assert!(reasons[3].contains("-1 is not a token id"));
        assert!(reasons[4].contains("no \"labels\" key"));
        assert_eq!(reasons[5], "expected a JSON object");
        assert_eq!(bad[1].line, 2);
    }
}
