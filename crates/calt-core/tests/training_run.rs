//! A complete training run through the library alone (no CLI): data from a train.yaml, the
//! run's log / evaluate / save events into a store, the final bundle evaluated again, and a
//! run resumed from one of its checkpoints ending with the same bundle.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::Path;

use burn::tensor::Device;
use calt_core::bundle::BundleMeta;
use calt_core::evaluation::{EvaluationOptions, LoadedModel, evaluate};
use calt_core::generation::GenerationConfig;
use calt_core::metrics::EvalRecord;
use calt_core::native::{TrainingData, load_training_data};
use calt_core::training::Trainer;
use calt_core::training::fit::{FitError, FitPlan, RunStore, Silent, TestSplit, fit};
use calt_core::training::run_dir::{self, MODEL_FILE, RunFolder, TrainerState};
use calt_core::training::tensor_file::NamedTensor;

/// Everything a run stores, kept in memory.
#[derive(Default)]
struct MemoryStore {
    records: Vec<serde_json::Value>,
    checkpoints: Vec<(Vec<u8>, Vec<NamedTensor>, TrainerState)>,
    evaluations: Vec<(u64, usize, bool)>,
    model: Option<Vec<u8>>,
}

impl RunStore for MemoryStore {
    fn record(&mut self, record: &serde_json::Value) -> Result<(), FitError> {
        self.records.push(record.clone());
        Ok(())
    }
    fn save_checkpoint(
        &mut self,
        bundle: &[u8],
        moments: &[NamedTensor],
        state: &TrainerState,
    ) -> Result<(), FitError> {
        self.checkpoints
            .push((bundle.to_vec(), moments.to_vec(), state.clone()));
        Ok(())
    }
    fn save_eval_results(
        &mut self,
        step: u64,
        records: &[EvalRecord],
        is_final: bool,
    ) -> Result<String, FitError> {
        self.evaluations.push((step, records.len(), is_final));
        Ok(format!("step {step}"))
    }
    fn save_model(&mut self, bundle: &[u8]) -> Result<String, FitError> {
        self.model = Some(bundle.to_vec());
        Ok("memory".into())
    }
}

/// The gf17 sample data (100 train, 10 test) with a tiny model: 2 epochs of 7 steps.
fn training_data(dir: &Path) -> TrainingData {
    let samples = common::data("sample_data/gf17_addition");
    let (train, test) = (samples.join("train_raw.txt"), samples.join("test_raw.txt"));
    training_data_from(dir, &train, &test)
}

/// A train.yaml in `dir` for the tiny model on these split files, loaded.
fn training_data_from(dir: &Path, train: &Path, test: &Path) -> TrainingData {
    let lexer = common::repo_root().join("configs/gf17_addition/lexer.yaml");
    let model = std::fs::read_to_string(common::data("tiny_model.yaml")).unwrap();
    let yaml = format!(
        "{model}train:
  num_train_epochs: 2
  learning_rate: 1e-3
  batch_size: 16
  test_batch_size: 4
  seed: 5
  logging_steps: 2
  eval_steps: 4
  save_steps: 4
data:
  train_dataset_path: {}
  test_dataset_path: {}
  lexer_config: {}
",
        train.display(),
        test.display(),
        lexer.display()
    );
    let path = dir.join("train.yaml");
    std::fs::write(&path, yaml).unwrap();
    load_training_data(&path).unwrap()
}

fn run(data: &TrainingData, trainer: &mut Trainer, store: &mut dyn RunStore) -> f64 {
    let (model_config, _) = data.recipe().unwrap();
    let meta = BundleMeta::new(
        model_config,
        &data.lexer_config,
        &data.tokenizer,
        serde_json::json!({}),
    )
    .unwrap();
    let plan = FitPlan {
        train: &data.config.train,
        eval_samples: Some(6),
        meta: &meta,
    };
    let test = TestSplit {
        dataset: &data.test.dataset,
        tokenizer: &data.tokenizer,
    };
    let outcome = fit(trainer, &plan, &test, &Device::flex(), store, &mut Silent).unwrap();
    outcome.accuracy
}

fn steps_with(records: &[serde_json::Value], key: &str) -> Vec<u64> {
    records
        .iter()
        .filter(|r| r.get(key).is_some())
        .map(|r| r["step"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_run_follows_its_schedule_and_resumes_to_the_same_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let data = training_data(dir.path());
    let (model_config, settings) = data.recipe().unwrap();
    let device = Device::flex();
    let train = data.train.dataset.pairs(usize::MAX);
    let mut trainer =
        Trainer::new(&model_config, settings.clone(), train.clone(), &device).unwrap();
    assert_eq!(trainer.total_steps(), 14);

    let mut store = MemoryStore::default();
    let accuracy = run(&data, &mut trainer, &mut store);
    assert_eq!(steps_with(&store.records, "loss"), [2, 4, 6, 8, 10, 12, 14]);
    assert_eq!(
        steps_with(&store.records, "generation_accuracy"),
        [4, 8, 12, 14]
    );
    assert_eq!(steps_with(&store.records, "train_runtime"), [14]);
    // Intermediate evaluations generate the first 6 answers; the final one all 10.
    assert_eq!(
        store.evaluations,
        [(4, 6, false), (8, 6, false), (12, 6, false), (14, 10, true)]
    );
    let saved: Vec<u64> = store.checkpoints.iter().map(|c| c.2.global_step).collect();
    assert_eq!(saved, [4, 8, 12, 14]);

    // The final bundle alone evaluates to the accuracy the run reported.
    let bundle = store.model.clone().unwrap();
    let loaded = LoadedModel::from_bundle(bundle.clone(), &device).unwrap();
    let options = EvaluationOptions {
        batch_size: 4,
        generation: GenerationConfig::default(),
        limit: None,
        teacher_forced: false,
    };
    let report = evaluate(
        &loaded.model,
        &loaded.tokenizer,
        &data.test.dataset,
        &options,
        &device,
    )
    .unwrap();
    assert_eq!(report.scores.accuracy, accuracy);

    // Interrupted after step 8: its checkpoint in a run folder, resumed, run to the end.
    let run_folder = dir.path().join("run");
    let mut folder = RunFolder::open(&run_folder, 2).unwrap();
    let (bundle_8, moments_8, state_8) = store.checkpoints[1].clone();
    folder
        .save_checkpoint(&bundle_8, &moments_8, &state_8)
        .unwrap();
    let (mut resumed, from) = run_dir::resume_trainer(
        &run_folder,
        &model_config,
        settings,
        train,
        std::slice::from_ref(&device),
        |w| panic!("{w}"),
    )
    .unwrap()
    .expect("the checkpoint loads");
    assert!(from.ends_with("checkpoint-8"));
    assert_eq!(resumed.step(), 8);
    let resumed_accuracy = run(&data, &mut resumed, &mut folder);
    assert_eq!(resumed_accuracy, accuracy);
    let resumed_bundle = std::fs::read(run_folder.join(MODEL_FILE)).unwrap();
    assert!(resumed_bundle == bundle, "the resumed run ended elsewhere");
    // save_total_limit 2: checkpoints 12 and 14 are kept.
    let kept: Vec<u64> = run_dir::list_checkpoints(&run_folder)
        .iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(kept, [14, 12]);
    assert!(run_folder.join("eval_results.json").exists());
    assert!(run_folder.join("eval_results/step_12.json").exists());
}

/// calt-x's pre-tokenized JSONL (one `{"input_ids", "target_ids"}` row per sample) loads as
/// the very samples its text encodes to, with the ids decoded as the texts of reports.
#[test]
fn pretokenized_splits_load_as_the_samples_of_their_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = training_data(dir.path());
    let ids_file = |split: &str, data: &calt_core::data::EncodedDataset| {
        let path = dir.path().join(format!("{split}_ids.jsonl"));
        let rows: String = data
            .samples
            .iter()
            .map(|s| serde_json::to_string(s).unwrap() + "\n")
            .collect();
        let first = rows.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("{\"input_ids\":[") && first.contains("],\"target_ids\":["),
            "calt-x's row layout: {first}"
        );
        std::fs::write(&path, rows).unwrap();
        path
    };
    let train = ids_file("train", &text.train.dataset);
    let test = ids_file("test", &text.test.dataset);
    let ids = training_data_from(dir.path(), &train, &test);
    for (from_ids, from_text) in [
        (&ids.train.dataset, &text.train.dataset),
        (&ids.test.dataset, &text.test.dataset),
    ] {
        assert_eq!(from_ids.samples, from_text.samples);
        assert_eq!(from_ids.lines, from_text.lines);
        let decoded: Vec<String> = from_text
            .samples
            .iter()
            .map(|s| text.tokenizer.decode(&s.target_ids))
            .collect();
        assert_eq!(from_ids.answers, decoded);
    }
    assert!(ids.train.bad_lines.is_empty() && ids.test.bad_lines.is_empty());

    // A row of ids from another vocabulary is a bad line naming file and line.
    let mut rows = std::fs::read_to_string(&train).unwrap();
    rows.push_str("{\"input_ids\": [1, 9999, 2], \"target_ids\": [1, 5, 2]}\n");
    std::fs::write(&train, rows).unwrap();
    let bad = training_data_from(dir.path(), &train, &test);
    let shown = bad.train.bad_lines[0].to_string();
    assert!(
        shown.contains("train_ids.jsonl:101: \"input_ids\": 9999 is not a token id"),
        "{shown}"
    );
}
