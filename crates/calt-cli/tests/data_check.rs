//! `calt data check`, `calt lex` and `calt vocab` run as a user runs them.

use std::path::{Path, PathBuf};

mod common;

use common::{calt, repo, text};

/// A train.yaml in `dir` that points at `train`/`test` files and a task's lexer.yaml.
fn write_train_yaml(dir: &Path, task: &str, train: &Path, test: &Path, extra: &str) -> PathBuf {
    let lexer = repo().join("configs").join(task).join("lexer.yaml");
    let config = std::fs::read_to_string(repo().join("configs").join(task).join("train.yaml"))
        .unwrap()
        .replace("data/train_raw.txt", &train.display().to_string())
        .replace("data/test_raw.txt", &test.display().to_string())
        .replace(
            "lexer_config: lexer.yaml",
            &format!("lexer_config: {}", lexer.display()),
        );
    let path = dir.join("train.yaml");
    std::fs::write(&path, format!("{config}{extra}")).unwrap();
    path
}

/// The gf17 train.yaml in `dir`, on the gf17 sample data.
fn gf17_sample_train_yaml(dir: &Path) -> PathBuf {
    let data = repo().join("tests/data/sample_data/gf17_addition");
    let (train, test) = (data.join("train_raw.txt"), data.join("test_raw.txt"));
    write_train_yaml(dir, "gf17_addition", &train, &test, "")
}

/// Runs `calt args`, asserts it failed, and that its error names `file` and says each of `says`.
fn assert_refused(args: &[&str], file: &Path, says: &[&str]) {
    let out = calt(args);
    assert!(!out.status.success(), "`calt {}` succeeded", args.join(" "));
    let stderr = text(&out.stderr);
    assert!(stderr.contains(&file.display().to_string()), "{stderr}");
    for expected in says {
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in: {stderr}"
        );
    }
}

#[test]
fn every_sample_dataset_passes_with_its_task_lexer() {
    let tasks = [
        "gf17_addition",
        "integer_factorization",
        "integer_polynomial_factorization",
        "rational_polynomial_factorization",
        "eigvec_3x3",
    ];
    for task in tasks {
        let dir = tempfile::tempdir().unwrap();
        let data = repo().join("tests/data/sample_data").join(task);
        let config = write_train_yaml(
            dir.path(),
            task,
            &data.join("train_raw.txt"),
            &data.join("test_raw.txt"),
            "",
        );
        let out = calt(&["data", "check", "--config", config.to_str().unwrap()]);
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "{task}: {stdout}\n{}",
            text(&out.stderr)
        );
        assert!(
            stdout.contains("100 samples, 0 bad lines"),
            "{task}: {stdout}"
        );
        assert!(
            stdout.contains("10 samples, 0 bad lines"),
            "{task}: {stdout}"
        );
        assert!(stdout.contains("raw:"), "{task}: {stdout}");
    }
}

#[test]
fn planted_bad_lines_are_each_named_and_fail_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let train = dir.path().join("train_raw.txt");
    std::fs::write(
        &train,
        "6,13,15 # 6,2,0\nno separator here\n1,2 # 1,3\n17,1 # 0,1\n4,5 # \n2 @ 3 # 5\n",
    )
    .unwrap();
    let test = dir.path().join("test_raw.txt");
    std::fs::write(&test, "1,2 # 1,3\n").unwrap();
    let config = write_train_yaml(dir.path(), "gf17_addition", &train, &test, "");
    let out = calt(&["data", "check", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let file = train.display().to_string();
    for expected in [
        format!("{file}:2: no `#` between problem and answer: no separator here"),
        format!("{file}:4: problem: token `17` is not in the vocabulary: 17,1 # 0,1"),
        format!("{file}:5: empty answer: 4,5 #"),
        format!("{file}:6: problem: Unknown character '@' at position 2 in: 2 @ 3"),
    ] {
        assert!(stderr.contains(&expected), "missing {expected}\n{stderr}");
    }
    assert!(stderr.contains("4 bad line(s)"), "{stderr}");

    let skipped = calt(&[
        "data",
        "check",
        "--skip-bad-lines",
        "--config",
        config.to_str().unwrap(),
    ]);
    assert!(skipped.status.success());
    assert!(text(&skipped.stdout).contains("2 samples, 4 bad lines"));
}

#[test]
fn misspelt_key_fails_with_file_key_and_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let config = gf17_sample_train_yaml(dir.path());
    let yaml = std::fs::read_to_string(&config)
        .unwrap()
        .replace("warmup_ratio:", "warmup_ration:");
    std::fs::write(&config, yaml).unwrap();
    assert_refused(
        &["data", "check", "--config", config.to_str().unwrap()],
        &config,
        &["train.warmup_ration", "did you mean `warmup_ratio`?"],
    );
}

#[test]
fn lex_prints_one_line_per_input_and_fails_on_strict_errors() {
    let lexer = repo().join("configs/integer_factorization/lexer.yaml");
    let out = calt(&[
        "lex",
        "--config",
        lexer.to_str().unwrap(),
        "852397",
        "7 | 13",
    ]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), "852 397\n7 | 13\n");
    let json = calt(&["lex", "--json", "--config", lexer.to_str().unwrap(), "6630"]);
    assert_eq!(text(&json.stdout), "[\"663\",\"0\"]\n");
    let bad = calt(&["lex", "--config", lexer.to_str().unwrap(), "1 @ 2"]);
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("Unknown character '@' at position 2 in: 1 @ 2"));
}

#[test]
fn vocab_lists_calt_ids_and_writes_a_loadable_tokenizer_json() {
    let dir = tempfile::tempdir().unwrap();
    let lexer = repo().join("configs/gf17_addition/lexer.yaml");
    let json = dir.path().join("tokenizer.json");
    let out = calt(&[
        "vocab",
        "--config",
        lexer.to_str().unwrap(),
        "--tokenizer-json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let listing = text(&out.stdout);
    assert!(listing.starts_with("0\t[SEP]\n1\t0\n"));
    assert!(listing.contains("21\t[PAD]\t(pad_token)\n22\t<s>\t(bos_token)\n"));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(saved["model"]["type"], "WordLevel");
    assert_eq!(saved["model"]["vocab"]["16"], 17);
}

/// A range, a digit group or a model size far beyond any real use is refused at once with the
/// file, the key and the limit, instead of being expanded until the machine runs out.
#[test]
fn sizes_a_file_asks_for_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let gf17 = std::fs::read_to_string(repo().join("configs/gf17_addition/lexer.yaml")).unwrap();
    let lexer = dir.path().join("lexer.yaml");
    for (hostile, key) in [
        (
            gf17.replace(r#"["", 0, 16]"#, r#"["", 0, 100000000000]"#),
            "vocab.range.numbers",
        ),
        (
            gf17.replace("digit_group: 0", "digit_group: 40"),
            "number_policy.digit_group",
        ),
    ] {
        std::fs::write(&lexer, hostile).unwrap();
        let config = lexer.to_str().unwrap();
        for args in [
            vec!["vocab", "--config", config],
            vec!["lex", "--config", config, "1,2"],
        ] {
            assert_refused(&args, &lexer, &[key, "1048576"]);
        }
    }

    let config = gf17_sample_train_yaml(dir.path());
    let yaml = std::fs::read_to_string(&config).unwrap();
    let huge = yaml.replace("d_model: 128", "d_model: 50000000");
    assert_ne!(huge, yaml, "the gf17 config sets d_model: 128");
    std::fs::write(&config, huge).unwrap();
    assert_refused(
        &["train", "--dryrun", "--config", config.to_str().unwrap()],
        &config,
        &["d_model = 50000000 is above the limit"],
    );
}

/// What `calt train` would refuse, `calt data check` reports: empty files and empty configs are
/// errors naming the file, never silently taken as "no samples" or "all defaults".
#[test]
fn empty_inputs_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let test = repo().join("tests/data/sample_data/gf17_addition/test_raw.txt");
    let train = dir.path().join("train_raw.txt");
    for content in ["", "\n\n   \n"] {
        std::fs::write(&train, content).unwrap();
        let config = write_train_yaml(dir.path(), "gf17_addition", &train, &test, "");
        assert_refused(
            &["data", "check", "--config", config.to_str().unwrap()],
            &train,
            &["no usable samples"],
        );
    }

    let lexer = dir.path().join("lexer.yaml");
    for content in ["", "# only a comment\n"] {
        std::fs::write(&lexer, content).unwrap();
        assert_refused(
            &["vocab", "--config", lexer.to_str().unwrap()],
            &lexer,
            &["the file is empty"],
        );
    }
}

/// calt-x 1.5's `model.input_embedding_type`: its one built-in, `token`, is the embedding calt
/// has; a name of a Python-registered embedding is refused, saying why.
#[test]
fn only_the_built_in_input_embedding_type_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let config = gf17_sample_train_yaml(dir.path());
    let yaml = std::fs::read_to_string(&config).unwrap();
    let with = |kind: &str| {
        yaml.replace(
            "d_model: 128",
            &format!("d_model: 128\n  input_embedding_type: {kind}"),
        )
    };
    std::fs::write(&config, with("hashed")).unwrap();
    let args = [
        "train",
        "--dryrun",
        "--config",
        config.to_str().unwrap(),
        "--device",
        "cpu",
    ];
    assert_refused(
        &args,
        &config,
        &["input_embedding_type `hashed`", "registered in Python"],
    );
    std::fs::write(&config, with("token")).unwrap();
    let out = calt(&[
        "bench",
        "--config",
        config.to_str().unwrap(),
        "--device",
        "cpu",
        "--steps",
        "1",
        "--warmup",
        "0",
        "--gen-samples",
        "2",
        "--no-baseline",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}
