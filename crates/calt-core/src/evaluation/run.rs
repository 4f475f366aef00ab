//! The whole evaluation of an encoded split on a native thread: teacher-forced metrics,
//! generation and exact match, timed. (The browser awaits its reads and drives generation
//! itself, then scores with [`Scores::of`].)

use std::time::Instant;

use burn::tensor::Device;
use serde_json::json;

use super::Scores;
use crate::data::EncodedDataset;
use crate::generation::GenerationConfig;
use crate::model::{ModelError, Seq2Seq};
use crate::tokenizer::CaltTokenizer;
use crate::training::{TeacherForced, generate_all, teacher_forced};

/// How to evaluate a split.
#[derive(Clone, Debug)]
pub struct EvaluationOptions {
    pub batch_size: usize,
    pub generation: GenerationConfig,
    /// Evaluate only the first N samples.
    pub limit: Option<usize>,
    /// Also compute the teacher-forced loss and token accuracy.
    pub teacher_forced: bool,
}

/// What one evaluation measured.
pub struct EvaluationReport {
    pub scores: Scores,
    pub teacher_forced: Option<TeacherForced>,
    pub generation_seconds: f64,
    pub eval_seconds: f64,
}

pub fn evaluate(
    model: &Seq2Seq,
    tokenizer: &CaltTokenizer,
    data: &EncodedDataset,
    options: &EvaluationOptions,
    device: &Device,
) -> Result<EvaluationReport, ModelError> {
    let started = Instant::now();
    let n = options.limit.unwrap_or(data.len()).min(data.len());
    let teacher_forced = if options.teacher_forced {
        let pairs = data.pairs(n);
        Some(teacher_forced(model, &pairs, options.batch_size, device)?)
    } else {
        None
    };
    let generation_started = Instant::now();
    let inputs = data.inputs(n);
    let generated = generate_all(
        model,
        &inputs,
        options.batch_size,
        &options.generation,
        device,
        |_| {},
    )?;
    let generation_seconds = generation_started.elapsed().as_secs_f64();
    Ok(EvaluationReport {
        scores: Scores::of(tokenizer, data, &generated),
        teacher_forced,
        generation_seconds,
        eval_seconds: started.elapsed().as_secs_f64(),
    })
}

impl EvaluationReport {
    /// The evaluation record of `metrics.jsonl` (HF's names where HF has one).
    pub fn metrics_json(&self) -> serde_json::Value {
        let samples = self.scores.samples.len();
        let mut v = json!({
            "generation_accuracy": self.scores.accuracy,
            "eval_samples": samples,
            "generation_seconds": self.generation_seconds,
            "generation_samples_per_second": samples as f64 / self.generation_seconds.max(1e-9),
            "eval_runtime": self.eval_seconds,
            "generation_accuracy_by_answer_length": self.scores.by_answer_length(),
        });
        if let (Some(tf), Some(obj)) = (&self.teacher_forced, v.as_object_mut()) {
            obj.insert("eval_loss".into(), json!(tf.loss));
            obj.insert("eval_token_accuracy".into(), json!(tf.token_accuracy));
            obj.insert(
                "eval_teacher_forced_sequence_accuracy".into(),
                json!(tf.sequence_accuracy),
            );
        }
        v
    }
}
