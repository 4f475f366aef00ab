//! `calt generate` run as a user runs it: golden files, determinism across worker counts,
//! de-duplication, external generators and their failures, and `calt data check` on the
//! output of every task.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

use common::{calt, repo, text};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A data.yaml in `dir` writing into `dir/out`.
fn data_yaml(dir: &Path, train: u64, test: u64, extra_dataset: &str, task: &str) -> PathBuf {
    let text = format!(
        "dataset:\n  save_dir: out\n  num_train_samples: {train}\n  num_test_samples: {test}\n  \
         batch_size: 7\n  n_jobs: 1\n  root_seed: 42\n  verbose: false\n{extra_dataset}{task}"
    );
    let path = dir.join("data.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The task's shipped data.yaml with other sizes and output folder.
fn task_config(dir: &Path, task: &str, train: u64, test: u64, root_seed: i64) -> PathBuf {
    let shipped = read(&repo().join("configs").join(task).join("data.yaml"));
    let mut out = String::new();
    for line in shipped.lines() {
        let key = line.trim_start().split(':').next().unwrap_or("");
        let replaced = match key {
            "save_dir" => format!("  save_dir: {}", dir.join("data").display()),
            "num_train_samples" => format!("  num_train_samples: {train}"),
            "num_test_samples" => format!("  num_test_samples: {test}"),
            "root_seed" => format!("  root_seed: {root_seed}"),
            "batch_size" => "  batch_size: 16".to_string(),
            "verbose" => "  verbose: false".to_string(),
            _ => line.to_string(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    let path = dir.join("data.yaml");
    std::fs::write(&path, out).unwrap();
    path
}

fn generate(config: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["generate", "--config", config.to_str().unwrap()];
    args.extend_from_slice(extra);
    calt(&args)
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

const GF17: &str = "task:\n  name: gf17_addition\n";

#[test]
fn gf17_matches_calt_at_root_seed_42() {
    let dir = tempfile::tempdir().unwrap();
    let config = task_config(dir.path(), "gf17_addition", 1000, 100, 42);
    assert_ok(&generate(&config, &["--n-jobs", "2"]));
    let golden = repo().join("tests/data/generated_golden/gf17_root42");
    assert_eq!(
        read(&dir.path().join("data/train_raw.txt")),
        read(&golden.join("train_raw_head.txt"))
    );
    assert_eq!(
        read(&dir.path().join("data/test_raw.txt")),
        read(&golden.join("test_raw_head.txt"))
    );
    let first_json = read(&dir.path().join("data/train_data.jsonl"));
    assert_eq!(
        first_json.lines().next().unwrap(),
        r#"{"problem": "13,13,14,2", "answer": "13,9,6,8"}"#
    );
}

#[test]
fn sample_data_is_reproduced_byte_for_byte() {
    for (task, root_seed) in [("gf17_addition", 100), ("integer_factorization", 42)] {
        let dir = tempfile::tempdir().unwrap();
        let config = task_config(dir.path(), task, 100, 10, root_seed);
        assert_ok(&generate(&config, &[]));
        let sample = repo().join("tests/data/sample_data").join(task);
        for split in ["train", "test"] {
            assert_eq!(
                read(&dir.path().join(format!("data/{split}_raw.txt"))),
                read(&sample.join(format!("{split}_raw.txt"))),
                "{task} {split}"
            );
        }
    }
}

#[test]
fn output_does_not_depend_on_worker_count() {
    for task in [
        "gf17_addition",
        "polynomial_addition",
        "polynomial_reduction",
    ] {
        let mut outputs = Vec::new();
        for jobs in ["1", "2", "3"] {
            let dir = tempfile::tempdir().unwrap();
            let config = task_config(dir.path(), task, 40, 9, 7);
            assert_ok(&generate(&config, &["--n-jobs", jobs]));
            let files: Vec<String> = ["train_raw.txt", "test_raw.txt"]
                .iter()
                .map(|f| read(&dir.path().join("data").join(f)))
                .collect();
            outputs.push(files);
        }
        assert_eq!(outputs[0], outputs[1], "{task}");
        assert_eq!(outputs[0], outputs[2], "{task}");
        assert_eq!(outputs[0][0].lines().count(), 40, "{task}");
    }
}

#[test]
fn stats_file_has_calt_layout() {
    let dir = tempfile::tempdir().unwrap();
    let config = data_yaml(dir.path(), 20, 5, "", GF17);
    assert_ok(&generate(&config, &[]));
    let stats = read(&dir.path().join("out/train_stats.yaml"));
    let keys: Vec<&str> = stats.lines().filter(|l| !l.starts_with(' ')).collect();
    let keys: Vec<&str> = keys.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "total_time",
            "num_samples",
            "samples_per_second",
            "generation_time",
            "problem_stats",
            "answer_stats"
        ]
    );
    assert!(stats.contains("num_samples: 20\n"), "{stats}");
    assert!(
        stats.contains("\n    num_values:\n        mean: "),
        "{stats}"
    );
    assert!(dir.path().join("out/test_data.jsonl").exists());
    // Nothing half-written is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

#[test]
fn duplicates_are_dropped_and_counted() {
    // integer_factorization with 3 primes below 8 has only 4 distinct samples.
    let task = "task:\n  name: integer_factorization\n  prime_bound: 8\n  num_primes: 3\n";
    let dedupe = "  drop_duplicates: true\n  drop_test_in_train: true\n";
    let dir = tempfile::tempdir().unwrap();
    let config = data_yaml(dir.path(), 30, 10, dedupe, task);
    assert_ok(&generate(&config, &[]));
    let train = read(&dir.path().join("out/train_raw.txt"));
    assert_eq!(train.lines().count(), 4, "{train}");
    let stats = read(&dir.path().join("out/train_stats.yaml"));
    assert!(
        stats.contains("num_samples: 4\n") && stats.contains("duplicates_dropped: 26\n"),
        "{stats}"
    );
    let test = read(&dir.path().join("out/test_raw.txt"));
    assert_eq!(test, "");
    let stats = read(&dir.path().join("out/test_stats.yaml"));
    assert!(stats.contains("num_samples: 0\n"), "{stats}");
    let dropped = |key: &str| -> u64 {
        let line = stats.lines().find(|l| l.starts_with(key)).unwrap();
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(
        dropped("duplicates_dropped") + dropped("test_in_train_dropped"),
        10,
        "{stats}"
    );
    assert!(dropped("test_in_train_dropped") >= 1, "{stats}");
}

/// The lines of a stats file that do not measure time (the run's and each sample's).
fn untimed(stats: &str) -> Vec<&str> {
    let mut in_timing = false;
    stats
        .lines()
        .filter(|line| {
            if !line.starts_with(' ') {
                in_timing = line.starts_with("generation_time");
            }
            !in_timing && !line.starts_with("total_time") && !line.starts_with("samples_per")
        })
        .collect()
}

#[test]
fn merged_shards_equal_one_run() {
    // A task that skips seeds (generators with fewer than 3 terms), with both de-duplications.
    let task = "task:\n  name: polynomial_reduction\n  field: GF(7)\n  min_terms: 3\n";
    let dedupe = "  drop_duplicates: true\n  drop_test_in_train: true\n";
    let whole = tempfile::tempdir().unwrap();
    assert_ok(&generate(
        &data_yaml(whole.path(), 60, 20, dedupe, task),
        &[],
    ));
    let sharded = tempfile::tempdir().unwrap();
    let config = data_yaml(sharded.path(), 60, 20, dedupe, task);
    for k in 0..3 {
        assert_ok(&generate(&config, &["--shard", &format!("{k}/3")]));
    }
    assert_ok(&calt(&[
        "data",
        "merge",
        "--config",
        config.to_str().unwrap(),
    ]));
    for split in ["train", "test"] {
        for file in [format!("{split}_raw.txt"), format!("{split}_data.jsonl")] {
            let merged = read(&sharded.path().join("out").join(&file));
            assert_eq!(
                merged,
                read(&whole.path().join("out").join(&file)),
                "{file}"
            );
        }
        let stats = |dir: &Path| read(&dir.join(format!("out/{split}_stats.yaml")));
        let merged = stats(sharded.path());
        assert_eq!(untimed(&merged), untimed(&stats(whole.path())));
        assert!(merged.contains("skipped_seeds: "), "{merged}");
    }

    let out = generate(&config, &["--shard", "3/3"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("`3/3` is not a shard K/N"),
        "{}",
        text(&out.stderr)
    );
    // A missing shard of the second split is found before the first split is written.
    std::fs::remove_file(sharded.path().join("out/test_shard-1-of-3.jsonl")).unwrap();
    std::fs::remove_file(sharded.path().join("out/train_raw.txt")).unwrap();
    let out = calt(&["data", "merge", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("test shard(s) 1 of 3 missing"), "{err}");
    assert!(!sharded.path().join("out/train_raw.txt").exists());
}

#[test]
fn config_errors_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = data_yaml(dir.path(), 5, 5, "  root_sed: 1\n", GF17);
    let out = generate(&config, &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("data.yaml:") && err.contains("did you mean"),
        "{err}"
    );

    let config = data_yaml(
        dir.path(),
        5,
        5,
        "",
        "task:\n  name: gf17_addition\n  num_primes: 3\n",
    );
    let err = text(&generate(&config, &[]).stderr);
    // The file, the line of the key, and that gf17_addition does not take it.
    assert!(
        err.contains("data.yaml:11: task.num_primes: unknown key `num_primes`"),
        "{err}"
    );

    let config = data_yaml(dir.path(), 5, 5, "", "");
    let err = text(&generate(&config, &[]).stderr);
    assert!(err.contains("no `task:` block"), "{err}");
}

fn python3() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn python_example_generator_equals_the_builtin_task() {
    if !python3() {
        eprintln!("python3 not found; skipping");
        return;
    }
    let script = repo().join("examples/generators/gf_addition.py");
    let command = format!("python3 {}", script.display());
    let builtin = tempfile::tempdir().unwrap();
    let config = task_config(builtin.path(), "gf17_addition", 120, 30, 3);
    assert_ok(&generate(&config, &[]));
    let external = tempfile::tempdir().unwrap();
    let config = task_config(external.path(), "gf17_addition", 120, 30, 3);
    assert_ok(&generate(
        &config,
        &["--command", &command, "--n-jobs", "3"],
    ));
    for file in [
        "train_raw.txt",
        "test_raw.txt",
        "train_data.jsonl",
        "test_data.jsonl",
    ] {
        assert_eq!(
            read(&builtin.path().join("data").join(file)),
            read(&external.path().join("data").join(file)),
            "{file}"
        );
    }
}

/// Runs a shell-script generator and returns calt's stderr (asserting failure).
fn external_failure(script: &str, timeout: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gen.sh");
    std::fs::write(&path, script).unwrap();
    let config = data_yaml(dir.path(), 5, 2, "", "");
    let command = format!("sh {}", path.display());
    let out = generate(&config, &["--command", &command, "--timeout-secs", timeout]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let names: Vec<String> = std::fs::read_dir(dir.path().join("out"))
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(names.is_empty(), "left behind: {names:?}");
    text(&out.stderr)
}

const SEED_2: &str = "191806574632397110791624144828738358692";

#[test]
fn external_generator_with_bad_json() {
    let script = r#"n=0
while read seed; do
  n=$((n+1))
  if [ $n -eq 3 ]; then echo "{oops $seed"; echo "broken on purpose" >&2; else echo '{"problem": "1", "answer": "2"}'; fi
done
"#;
    let err = external_failure(script, "10");
    assert!(err.contains(&format!("seed {SEED_2}")), "{err}");
    assert!(err.contains("index 2"), "{err}");
    assert!(
        err.contains("output line 3") && err.contains("{oops"),
        "{err}"
    );
    assert!(err.contains("not valid JSON"), "{err}");
    assert!(err.contains("broken on purpose"), "{err}");
}

#[test]
fn external_generator_that_exits() {
    let script = r#"read seed; echo '{"problem": "1", "answer": "2"}'
read seed; read seed
echo "giving up" >&2
exit 3
"#;
    let err = external_failure(script, "10");
    assert!(
        err.contains("seed 70833640771474551673281816524032571370"),
        "{err}"
    );
    assert!(err.contains("exited with status 3"), "{err}");
    assert!(err.contains("giving up"), "{err}");
}

#[test]
fn external_generator_that_hangs() {
    // The hanging work runs in a grandchild: stopping the generator must stop it too.
    let scratch = tempfile::tempdir().unwrap();
    let pid_file = scratch.path().join("sleeper.pid");
    let script = format!(
        r#"read seed; echo '{{"problem": "1", "answer": "2"}}'
echo "thinking" >&2
sleep 30 &
echo $! > {}
wait
"#,
        pid_file.display()
    );
    let start = std::time::Instant::now();
    let err = external_failure(&script, "1");
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    let sleeper = std::fs::read_to_string(&pid_file).unwrap();
    let proc_dir = std::path::Path::new("/proc").join(sleeper.trim());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    // Gone, or a zombie waiting for init to reap it.
    let stopped = || {
        std::fs::read_to_string(proc_dir.join("stat")).map_or(true, |stat| {
            stat.split(") ").nth(1).is_some_and(|r| r.starts_with('Z'))
        })
    };
    while !stopped() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        stopped(),
        "the generator's grandchild {} still runs",
        sleeper.trim()
    );
    assert!(err.contains("no answer within 1 s"), "{err}");
    assert!(
        err.contains("seed 70833640771474551673281816524032571370"),
        "{err}"
    );
    assert!(err.contains("thinking"), "{err}");
}

/// A train.yaml beside the generated data, using the task's lexer.yaml.
fn train_yaml_for(dir: &Path, task: &str) -> PathBuf {
    let folder = repo().join("configs").join(task);
    let config = read(&folder.join("train.yaml")).replace(
        "lexer_config: lexer.yaml",
        &format!("lexer_config: {}", folder.join("lexer.yaml").display()),
    );
    let path = dir.join("train.yaml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn every_task_passes_data_check_with_its_configs() {
    // Every built-in task, so a new one cannot ship without a configs/ folder that works.
    for task in calt_algebra::TaskSpec::NAMES {
        let dir = tempfile::tempdir().unwrap();
        let config = task_config(dir.path(), task, 50, 10, 42);
        assert_ok(&generate(&config, &["--n-jobs", "2"]));
        let train = train_yaml_for(dir.path(), task);
        let out = calt(&["data", "check", "--config", train.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{task}: {stdout}\n{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains("50 samples, 0 bad lines"),
            "{task}: {stdout}"
        );
        assert!(
            stdout.contains("10 samples, 0 bad lines"),
            "{task}: {stdout}"
        );
    }
}

#[test]
fn sympy_demo_matches_calt() {
    // CALT's minimal demo: two polynomials over GF(7) in x0, x1 and their sum, SymPy sampler.
    let task = "task:\n  name: polynomial_addition\n  field: GF(7)\n  symbols: \"x0, x1\"\n  \
                min_polynomials: 2\n  max_polynomials: 2\n  max_num_terms: 2\n  max_degree: 2\n  \
                min_degree: 1\n  cumulative: false\n  sampler: sympy\n";
    let dir = tempfile::tempdir().unwrap();
    let config = data_yaml(dir.path(), 1000, 100, "  backend: sympy\n", task);
    assert_ok(&generate(&config, &["--n-jobs", "2"]));
    let golden = repo().join("tests/data/generated_golden/demos_sympy_gf7");
    assert_eq!(
        read(&dir.path().join("out/train_raw.txt")),
        read(&golden.join("train_raw_head.txt"))
    );
    assert_eq!(
        read(&dir.path().join("out/test_raw.txt")),
        read(&golden.join("test_raw_head.txt"))
    );
}
