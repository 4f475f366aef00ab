//! `calt train`, `calt eval`, `calt train --resume` and `calt plot` end to end on a tiny
//! generated gf17 task, on the CPU backend.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;

use common::{calt, ok, repo, text};

/// gf17 cumulative sums, deterministic.
fn write_split(path: &Path, n: usize, seed: u64) {
    let mut s = seed;
    let mut next = |m: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % m
    };
    let mut lines = String::new();
    for _ in 0..n {
        let len = 3 + next(3) as usize;
        let xs: Vec<u64> = (0..len).map(|_| next(17)).collect();
        let mut acc = 0;
        let ys: Vec<u64> = xs
            .iter()
            .map(|x| {
                acc = (acc + x) % 17;
                acc
            })
            .collect();
        let j = |v: &[u64]| {
            v.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        lines.push_str(&format!("{} # {}\n", j(&xs), j(&ys)));
    }
    std::fs::write(path, lines).unwrap();
}

fn write_config(dir: &Path, epochs: u32) -> PathBuf {
    write_split(&dir.join("train_raw.txt"), 64, 1);
    write_split(&dir.join("test_raw.txt"), 12, 2);
    let lexer = repo().join("configs/gf17_addition/lexer.yaml");
    let model = std::fs::read_to_string(repo().join("tests/data/tiny_model.yaml")).unwrap();
    let yaml = format!(
        "{model}train:
  save_dir: run
  num_train_epochs: {epochs}
  learning_rate: 1e-3
  weight_decay: 0.01
  warmup_ratio: 0.1
  batch_size: 16
  test_batch_size: 8
  seed: 3
  eval_steps: 4
  save_steps: 4
  save_total_limit: 2
  logging_steps: 2
data:
  train_dataset_path: train_raw.txt
  test_dataset_path: test_raw.txt
  lexer_config: {lexer}
  display_samples: 2
",
        lexer = lexer.display()
    );
    let path = dir.join("train.yaml");
    std::fs::write(&path, yaml).unwrap();
    path
}

#[test]
fn train_eval_resume_plot() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 3);
    let cfg = config.to_str().unwrap();
    let out = ok(&calt(&["train", "--config", cfg, "--device", "cpu"]));
    assert!(out.contains("generation_accuracy"), "{out}");
    // display_samples: the first samples as written, preprocessed and as tokens.
    assert!(
        out.contains("first 2 train samples (raw → preprocessed → tokens)")
            && out.contains("  [1] line 2"),
        "{out}"
    );
    let run = dir.path().join("run");
    for f in [
        "train.yaml",
        "lexer.yaml",
        "tokenizer.json",
        "metrics.jsonl",
        "model.safetensors",
        "eval_results.json",
        "eval_results/step_4.json",
        "eval_results/step_12.json",
    ] {
        assert!(run.join(f).exists(), "missing {f}\n{out}");
    }
    // 64 samples / 16 = 4 steps per epoch, 12 steps, checkpoints every 4, keep 2.
    assert!(!run.join("checkpoint-4").exists());
    assert!(run.join("checkpoint-8").exists() && run.join("checkpoint-12").exists());

    // CALT's eval file layout: indent 4, no trailing newline.
    let eval = std::fs::read_to_string(run.join("eval_results.json")).unwrap();
    assert!(
        eval.starts_with("[\n    {\n        \"generated\": "),
        "{eval}"
    );
    assert!(eval.ends_with("\n]"));
    let records: Vec<serde_json::Value> = serde_json::from_str(&eval).unwrap();
    assert_eq!(records.len(), 12);

    // metrics.jsonl: log steps, evaluations and a summary.
    let metrics = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = metrics
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.get("loss").is_some() && l.get("learning_rate").is_some())
    );
    assert!(
        lines
            .iter()
            .any(|l| l.get("generation_accuracy").is_some() && l.get("eval_loss").is_some())
    );
    assert!(lines.iter().any(|l| l.get("train_runtime").is_some()));

    // The bundle alone evaluates the test file.
    let test = dir.path().join("test_raw.txt");
    let out_json = dir.path().join("eval.json");
    let out = ok(&calt(&[
        "eval",
        "--model",
        run.to_str().unwrap(),
        "--data",
        test.to_str().unwrap(),
        "--device",
        "cpu",
        "--output",
        out_json.to_str().unwrap(),
    ]));
    assert!(out.contains("generation_accuracy"), "{out}");
    // Same model, same data, same decoding: same answers as the final training evaluation.
    assert_eq!(std::fs::read_to_string(&out_json).unwrap(), eval);
    // Beam search runs too.
    ok(&calt(&[
        "eval",
        "--model",
        run.to_str().unwrap(),
        "--data",
        test.to_str().unwrap(),
        "--device",
        "cpu",
        "--beams",
        "3",
        "--output",
        out_json.to_str().unwrap(),
    ]));

    // Resume a finished run: nothing left to do, same final model.
    let out = ok(&calt(&[
        "train",
        "--resume",
        run.to_str().unwrap(),
        "--device",
        "cpu",
    ]));
    assert!(out.contains("resuming from"), "{out}");

    // The same recipe trained again in another folder writes the same model file, byte for
    // byte: checksums and caches can tell an unchanged model.
    let again = tempfile::tempdir().unwrap();
    let config_again = write_config(again.path(), 3);
    ok(&calt(&[
        "train",
        "--config",
        config_again.to_str().unwrap(),
        "--device",
        "cpu",
    ]));
    assert!(
        std::fs::read(run.join("model.safetensors")).unwrap()
            == std::fs::read(again.path().join("run/model.safetensors")).unwrap(),
        "two identical trainings wrote different model.safetensors"
    );

    // A corrupt newest checkpoint is reported and the previous one is used.
    std::fs::write(run.join("checkpoint-12/optimizer.safetensors"), b"garbage").unwrap();
    let out = ok(&calt(&[
        "train",
        "--resume",
        run.to_str().unwrap(),
        "--device",
        "cpu",
    ]));
    assert!(
        out.contains("checkpoint-12") && out.contains("corrupt"),
        "{out}"
    );
    assert!(out.contains("step 8"), "{out}");

    let out = ok(&calt(&["plot", run.to_str().unwrap()]));
    assert!(out.contains("metrics.svg"));
    let svg = std::fs::read_to_string(run.join("metrics.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
}

/// The number after `label` on the line that starts with `line_start`.
fn number_after(out: &str, line_start: &str, label: &str) -> f64 {
    let line = out
        .lines()
        .find(|l| l.starts_with(line_start))
        .unwrap_or_else(|| panic!("no line starting with {line_start:?}:\n{out}"));
    let rest = &line[line
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} in {line}"))
        + label.len()..];
    let number: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number
        .parse()
        .unwrap_or_else(|_| panic!("number after {label:?} in {line}"))
}

#[test]
fn bench_reports_speeds_against_the_arithmetic_floor() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1);
    let out = ok(&calt(&[
        "bench",
        "--config",
        config.to_str().unwrap(),
        "--device",
        "cpu",
        "--steps",
        "2",
        "--warmup",
        "1",
        "--gen-samples",
        "12",
        "--devices",
        "cpu,cpu",
    ]));
    assert!(number_after(&out, "matrix products", ":") > 0.0, "{out}");
    // The data-parallel section: two replicas against one device, in the same run.
    assert!(
        number_after(&out, "train on 2 device(s)", ")") > 0.0,
        "{out}"
    );
    assert!(
        number_after(&out, "data-parallel speed-up", ":") > 0.0,
        "{out}"
    );
    assert!(
        number_after(&out, "train (length-bucketed)", ")") > 0.0,
        "{out}"
    );
    // The training ceiling is the measured rate over the arithmetic of a sample (both
    // printed rounded, hence the tolerance).
    let rate = number_after(&out, "matrix products", ":") * 1e9;
    let per_sample = number_after(&out, "train arithmetic", ":") * 1e6;
    let ceiling = number_after(&out, "train arithmetic", "at most");
    assert!(per_sample > 0.0, "{out}");
    assert!((ceiling / (rate / per_sample) - 1.0).abs() < 0.05, "{out}");
    assert!(
        number_after(&out, "generate arithmetic", ":") > 0.0,
        "{out}"
    );
    // A dozen tiny samples: the floor rounds to 0.000 s here; it must still be printed
    // (`number_after` fails the test when it is not).
    number_after(&out, "generate arithmetic", "less than");
    assert!(
        number_after(&out, "generate 12 samples (uncached", "cache speed-up") > 0.0,
        "{out}"
    );
    assert!(out.contains("peak memory"), "{out}");
}

#[test]
fn bad_train_keys_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1);
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("seed: 3", "seed: 3\n  optimizer: sgd");
    std::fs::write(&config, text).unwrap();
    let out = calt(&[
        "train",
        "--config",
        config.to_str().unwrap(),
        "--device",
        "cpu",
    ]);
    assert!(!out.status.success());
    assert!(text_of(&out).contains("optimizer"), "{}", text_of(&out));
}

fn text_of(out: &Output) -> String {
    format!("{}{}", text(&out.stdout), text(&out.stderr))
}

#[test]
fn train_on_two_replicas_and_resume_on_the_same_list() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 2);
    let cfg = config.to_str().unwrap();
    let out = ok(&calt(&["train", "--config", cfg, "--devices", "cpu,cpu"]));
    // batch_size 16 is the update's: 8 per device, 64 samples / 16 = 4 updates an epoch.
    assert!(
        out.contains("8 steps (4 per epoch), batch 16 (8 per device × 2 devices)"),
        "{out}"
    );
    assert!(out.contains("generation_accuracy"), "{out}");
    let run = dir.path().join("run");
    let info = std::fs::read_to_string(run.join("run_info.json")).unwrap();
    assert!(info.contains(r#""devices": "cpu,cpu""#), "{info}");

    // The run keeps its list: resuming needs no flag, and a list of another length is refused.
    let run = run.to_str().unwrap();
    let out = ok(&calt(&["train", "--resume", run]));
    assert!(out.contains("× 2 devices"), "{out}");
    let out = calt(&["train", "--resume", run, "--devices", "cpu"]);
    assert!(!out.status.success());
    assert!(
        text_of(&out).contains("trains on 2 device(s) (cpu,cpu); resume it on as many"),
        "{}",
        text_of(&out)
    );

    // Lists that name no usable set of devices.
    // A run on a list is not moved to one device by --device.
    let out = calt(&["train", "--resume", run, "--device", "cpu"]);
    assert!(!out.status.success());
    assert!(
        text_of(&out).contains("--device does not apply"),
        "{}",
        text_of(&out)
    );
    for (list, message) in [
        ("cpu,tpu", "unknown device `tpu`"),
        ("cpu,wgpu", "mixes the CPU and WGPU"),
    ] {
        let out = calt(&["train", "--config", cfg, "--devices", list]);
        assert!(!out.status.success());
        assert!(text_of(&out).contains(message), "{list}: {}", text_of(&out));
    }
}
