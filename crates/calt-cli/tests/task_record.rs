//! The task record: `calt generate` leaves `task.yaml` beside the splits it writes, `calt
//! train` keeps it in the bundle (where the playground finds the task for fresh problems), a
//! run from an external generator removes a stale one, and a broken one stops training with
//! its file named.

use std::path::Path;

mod common;

use calt_generate::task_record::TaskRecord;
use common::{calt, ok, repo, text, train_cpu};

const DATA_YAML: &str = "dataset:
  save_dir: data
  num_train_samples: 32
  num_test_samples: 8
  batch_size: 16
  n_jobs: 1
  root_seed: 5
  verbose: false
  drop_duplicates: true
task:
  name: gf17_addition
  max_length: 4
";

fn write_train_yaml(dir: &Path) {
    let model = std::fs::read_to_string(repo().join("tests/data/tiny_model.yaml")).unwrap();
    let lexer = repo().join("configs/gf17_addition/lexer.yaml");
    let yaml = format!(
        "{model}train:
  save_dir: run
  num_train_epochs: 1
  learning_rate: 1e-3
  batch_size: 16
  test_batch_size: 8
  seed: 3
data:
  train_dataset_path: data/train_raw.txt
  test_dataset_path: data/test_raw.txt
  lexer_config: {lexer}
",
        lexer = lexer.display()
    );
    std::fs::write(dir.join("train.yaml"), yaml).unwrap();
}

#[test]
fn the_generated_task_travels_into_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let data_yaml = dir.path().join("data.yaml");
    std::fs::write(&data_yaml, DATA_YAML).unwrap();
    ok(&calt(&[
        "generate",
        "--config",
        data_yaml.to_str().unwrap(),
    ]));
    let record_path = dir.path().join("data/task.yaml");
    let written = std::fs::read_to_string(&record_path).unwrap();
    let (record, spec) = TaskRecord::parse(&written, "task.yaml").unwrap();
    assert_eq!(spec.name(), "gf17_addition");
    assert_eq!((record.root_seed, record.drop_duplicates), (5, true));
    // Every parameter is written out, the defaults too.
    assert_eq!(record.task.parameters["max_length"], 4);
    assert_eq!(record.task.parameters["prime"], 17);

    write_train_yaml(dir.path());
    let out = ok(&train_cpu(dir.path()));
    assert!(out.contains("task: gf17_addition"), "{out}");
    let bundle = std::fs::read(dir.path().join("run/model.safetensors")).unwrap();
    let meta = calt_core::bundle::read_meta(&bundle).unwrap();
    let kept: TaskRecord = serde_json::from_value(meta.train_info["task"].clone()).unwrap();
    assert_eq!(kept, record);

    // A broken record is an error naming it, not a bundle that silently lacks the task.
    std::fs::write(&record_path, written.replace("prime: 17", "prime: 18")).unwrap();
    let out = train_cpu(dir.path());
    let err = text(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("task.yaml") && err.contains("prime"), "{err}");

    // Samples from an external command: the old record would name the wrong task.
    let generator = dir.path().join("gen.sh");
    std::fs::write(
        &generator,
        "while read seed; do echo '{\"problem\": \"1\", \"answer\": \"1\"}'; done\n",
    )
    .unwrap();
    let command = format!("sh {}", generator.display());
    ok(&calt(&[
        "generate",
        "--config",
        data_yaml.to_str().unwrap(),
        "--command",
        &command,
    ]));
    assert!(!record_path.exists());
    let out = ok(&train_cpu(dir.path()));
    assert!(!out.contains("task:"), "{out}");
    let bundle = std::fs::read(dir.path().join("run/model.safetensors")).unwrap();
    let meta = calt_core::bundle::read_meta(&bundle).unwrap();
    assert!(meta.train_info.get("task").is_none(), "{}", meta.train_info);
}
