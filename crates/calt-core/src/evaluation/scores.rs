//! Exact match of generated answers.

use serde::Serialize;

use crate::data::EncodedDataset;
use crate::metrics::EvalRecord;
use crate::tokenizer::CaltTokenizer;

/// One evaluated sample, in file order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SampleScore {
    /// 1-based line in the test file.
    pub line: usize,
    pub problem: String,
    /// CALT's decoded texts (what its eval files hold).
    pub reference: String,
    pub generated: String,
    /// Tokens of the reference answer, special tokens left out.
    pub answer_tokens: usize,
    /// The generated token ids equal the reference's (special tokens left out).
    pub correct: bool,
}

/// Exact match over answers of one length (in tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LengthScore {
    pub answer_tokens: usize,
    pub correct: usize,
    pub total: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scores {
    pub samples: Vec<SampleScore>,
    pub correct: usize,
    /// `correct / samples` (0 for no samples).
    pub accuracy: f64,
}

impl Scores {
    /// Scores `generated[i]` (token ids, in the order of `data`) against `data`'s answers.
    ///
    /// Ids are compared, not text: decoded text can merge different token sequences (HF's
    /// clean-up joins `6 ,` and `6,`), and the ids are what the model produced.
    pub fn of(tokenizer: &CaltTokenizer, data: &EncodedDataset, generated: &[Vec<u32>]) -> Self {
        let samples: Vec<SampleScore> = generated
            .iter()
            .zip(&data.samples)
            .enumerate()
            .map(|(i, (ids, sample))| {
                let reference = tokenizer.content_ids(&sample.target_ids);
                SampleScore {
                    line: data.lines[i],
                    problem: data.problems[i].clone(),
                    reference: tokenizer.decode_calt(&sample.target_ids),
                    generated: tokenizer.decode_calt(ids),
                    answer_tokens: reference.len(),
                    correct: tokenizer.content_ids(ids) == reference,
                }
            })
            .collect();
        let correct = samples.iter().filter(|s| s.correct).count();
        Self {
            accuracy: correct as f64 / samples.len().max(1) as f64,
            correct,
            samples,
        }
    }

    /// Exact match grouped by answer length in tokens, shortest first.
    pub fn by_answer_length(&self) -> Vec<LengthScore> {
        let mut groups = std::collections::BTreeMap::<usize, (usize, usize)>::new();
        for s in &self.samples {
            let group = groups.entry(s.answer_tokens).or_default();
            group.0 += usize::from(s.correct);
            group.1 += 1;
        }
        groups
            .into_iter()
            .map(|(answer_tokens, (correct, total))| LengthScore {
                answer_tokens,
                correct,
                total,
            })
            .collect()
    }

    /// CALT's eval-file records (`{"generated", "reference"}` in its decoded text).
    pub fn eval_records(&self) -> Vec<EvalRecord> {
        self.samples
            .iter()
            .map(|s| EvalRecord {
                generated: s.generated.clone(),
                reference: s.reference.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::EncodedSample;
    use crate::tokenizer::gf17_tokenizer as tokenizer;

    fn answers(tokenizer: &CaltTokenizer, answers: &[&[&str]]) -> EncodedDataset {
        let mut data = EncodedDataset::default();
        for (i, tokens) in answers.iter().enumerate() {
            data.samples.push(EncodedSample {
                input_ids: tokenizer.encode_tokens(&["1"]).unwrap(),
                target_ids: tokenizer.encode_tokens(tokens).unwrap(),
            });
            data.problems.push("1".into());
            data.answers.push(tokens.join(" "));
            data.lines.push(i + 1);
        }
        data
    }

    /// Ids decide, special tokens aside; the per-length breakdown counts answer tokens; the
    /// records keep CALT's decoded text.
    #[test]
    fn exact_match_compares_token_ids_and_groups_by_answer_tokens() {
        let t = tokenizer();
        let data = answers(&t, &[&["6", ",", "2"], &["6", ",", "2"], &["16"]]);
        let ids = |tokens: &[&str]| t.content_ids(&t.encode_tokens(tokens).unwrap());
        let eos = t.special_ids().eos;
        let mut right_then_eos = ids(&["6", ",", "2"]);
        right_then_eos.push(eos);
        let generated = vec![right_then_eos, ids(&["6", ",", "3"]), ids(&["16"])];
        let scores = Scores::of(&t, &data, &generated);
        let correct: Vec<bool> = scores.samples.iter().map(|s| s.correct).collect();
        assert_eq!(correct, [true, false, true]);
        assert_eq!(scores.correct, 2);
        assert!((scores.accuracy - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(
            scores.by_answer_length(),
            [
                LengthScore {
                    answer_tokens: 1,
                    correct: 1,
                    total: 1
                },
                LengthScore {
                    answer_tokens: 3,
                    correct: 1,
                    total: 2
                },
            ]
        );
        assert_eq!(scores.samples[1].reference, "6, 2");
        assert_eq!(scores.samples[1].generated, "6, 3");
        assert_eq!(scores.eval_records()[2].generated, "16");
    }
}
