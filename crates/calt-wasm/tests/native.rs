//! The playground's Rust side on the native CPU backend (fast to run with `cargo test`): the
//! WebGPU decoder equals calt-core's greedy, and evaluation equals calt-core's batch order.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use burn::tensor::Device;
use calt_core::evaluation::LoadedModel;
use calt_core::generation::{GenerationConfig, greedy};
use calt_wasm::decode::{Runner, greedy_async};
use calt_wasm::evaluate::{prepare, summarise};

/// The CPU backend's async reads are ready at once, so polling in a loop finishes.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[test]
fn async_greedy_equals_core_greedy() {
    let f = common::bundle();
    let device = Device::flex();
    let rows: Vec<Vec<u32>> = ["1,2,3", "16", "4,4,4,4,4,4"]
        .iter()
        .map(|p| {
            f.tokenizer
                .encode_tokens(&f.lexer.tokenize(p).unwrap())
                .unwrap()
        })
        .collect();
    let rows: Vec<&[u32]> = rows.iter().map(Vec::as_slice).collect();
    let sync = greedy(&f.model, &rows, usize::MAX, &device).unwrap();
    let asynch = block_on(greedy_async(&f.model, &rows, usize::MAX, &device)).unwrap();
    assert_eq!(sync, asynch);
    assert!(sync.iter().any(|g| !g.is_empty()), "vacuous: {sync:?}");
}

#[test]
fn evaluation_records_follow_file_order_whatever_the_batch_order() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, common::TEST_TEXT);
    let device = Device::flex();
    let session = LoadedModel::from_bundle(f.bytes.clone(), &device).unwrap();
    let prepared = prepare(
        &session,
        "test_raw.txt",
        common::TEST_TEXT,
        false,
        None,
        None,
    )
    .unwrap();
    let inputs = prepared.test.inputs();
    for async_reads in [false, true] {
        let mut seen = Vec::new();
        let runner = Runner {
            model: &session.model,
            device: &device,
            async_reads,
        };
        let generated = block_on(runner.generate_batches(
            &inputs,
            &prepared.order,
            2,
            &GenerationConfig::default(),
            |d| seen.push(d),
        ))
        .unwrap();
        assert_eq!(seen, vec![2, 4, 5]);
        let summary = summarise(&session, &prepared, &generated, 1.0, "cpu");
        let got: Vec<&str> = summary
            .records
            .iter()
            .map(|r| r.generated.as_str())
            .collect();
        assert_eq!(got, expected);
        assert_eq!(summary.records[4].line, 5);
        assert_eq!(summary.records[4].reference, "2, 4, 6, 8");
    }
}

#[test]
fn a_config_larger_than_the_stored_weights_is_rejected_before_allocating() {
    let f = common::bundle();
    let mut meta = calt_core::bundle::read_meta(&f.bytes).unwrap();
    meta.model_config.vocab_size = 1 << 40;
    let bytes = calt_core::bundle::to_bytes(&f.model, &meta).unwrap();
    let err = LoadedModel::from_bundle(bytes, &Device::flex())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("vocab_size"), "{err}");
}

#[test]
fn awaited_beam_search_equals_core_beam_search() {
    let f = common::bundle();
    let device = Device::flex();
    let session = LoadedModel::from_bundle(f.bytes, &device).unwrap();
    let problems = ["1,2", "3,4,5", "16", "0,0,0,7"];
    let ids: Vec<Vec<u32>> = problems
        .iter()
        .map(|p| session.encode_problem(p).unwrap())
        .collect();
    let inputs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
    for (beams, length_penalty, max_new_tokens) in [(2, 1.0, 512), (3, 0.5, 512), (4, 1.0, 2)] {
        let config = GenerationConfig {
            beams,
            length_penalty,
            max_new_tokens,
        };
        let expected =
            calt_core::generation::beam_search(&session.model, &inputs, &config, &device).unwrap();
        let awaited = block_on(calt_wasm::decode::beam_async(
            &session.model,
            &inputs,
            &config,
            &device,
        ))
        .unwrap();
        assert_eq!(awaited, expected, "beams {beams}");
        // Through the page's batch runner with awaited reads (WebGPU's path).
        let runner = Runner {
            model: &session.model,
            device: &device,
            async_reads: true,
        };
        let order: Vec<usize> = (0..inputs.len()).collect();
        let batched =
            block_on(runner.generate_batches(&inputs, &order, 4, &config, |_| {})).unwrap();
        assert_eq!(batched, expected, "beams {beams}");
    }
}

/// The page's workers each take a share of the file's lines: the shares' records, put
/// together, are the whole file's, lines and all, also when a share holds a skipped bad line
/// or no sample at all.
#[test]
fn shares_of_a_test_file_put_together_are_the_whole_file() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, common::TEST_TEXT);
    // A bad line (no `#`) as line 2, and a blank line 7 at the end.
    let mut lines: Vec<&str> = common::TEST_TEXT.lines().collect();
    lines.insert(1, "no separator here");
    let text = format!("{}\n\n", lines.join("\n"));
    let device = Device::flex();
    let session = LoadedModel::from_bundle(f.bytes.clone(), &device).unwrap();
    let runner = Runner {
        model: &session.model,
        device: &device,
        async_reads: false,
    };
    let mut records = Vec::new();
    let mut skipped = 0;
    for start in (0..8).step_by(2) {
        let share = prepare(
            &session,
            "test_raw.txt",
            &text,
            true,
            Some([start, start + 2]),
            None,
        )
        .unwrap();
        skipped += share.test.skipped;
        let inputs = share.test.inputs();
        let generated = block_on(runner.generate_batches(
            &inputs,
            &share.order,
            8,
            &GenerationConfig::default(),
            |_| {},
        ))
        .unwrap();
        records.extend(summarise(&session, &share, &generated, 1.0, "cpu").records);
    }
    let generated: Vec<&str> = records.iter().map(|r| r.generated.as_str()).collect();
    assert_eq!(generated, expected);
    let lines: Vec<usize> = records.iter().map(|r| r.line).collect();
    assert_eq!(lines, [1, 3, 4, 5, 6]);
    assert_eq!(skipped, 1);
    // Without skipping, the share holding the bad line names it.
    let error = prepare(&session, "test_raw.txt", &text, false, Some([0, 2]), None)
        .err()
        .unwrap();
    assert!(error.to_string().contains("test_raw.txt:2"), "{error}");
}

fn fresh(request: serde_json::Value) -> Result<calt_wasm::fresh::FreshProblems, String> {
    let request = serde_json::from_value(request).map_err(|e| e.to_string())?;
    calt_wasm::fresh::draw(&request).map_err(|e| e.to_string())
}

#[test]
fn fresh_problems_are_what_calt_writes_for_that_task_and_seed() {
    // CALT's own test split of gf17_addition at root seed 42 (its first 100 samples).
    let golden = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/generated_golden/gf17_root42/test_raw_head.txt"
    ))
    .unwrap();
    let drawn = fresh(serde_json::json!({
        "task": {"name": "gf17_addition", "max_length": 6},
        "seed": 42,
        "count": 100,
    }))
    .unwrap();
    assert_eq!(drawn.text, golden);
    assert_eq!((drawn.count, drawn.seed.as_str()), (100, "42"));
    // Every parameter comes back, the defaults too, for the page's form.
    assert_eq!(drawn.task.parameters["prime"], 17);

    // A parameter change the task allows: longer lists than in training.
    let longer = fresh(serde_json::json!({
        "task": {"name": "gf17_addition", "min_length": 9, "max_length": 9},
        "seed": "9223372036854775807",
        "count": 3,
    }))
    .unwrap();
    for line in longer.text.lines() {
        assert_eq!(line.split(" # ").next().unwrap().split(',').count(), 9);
    }
}

#[test]
fn bad_fresh_problem_requests_say_what_is_wrong() {
    for (request, expected) in [
        (
            serde_json::json!({"task": {"name": "gf17_addition", "prime": 8}, "seed": 1, "count": 5}),
            "prime",
        ),
        (
            serde_json::json!({"task": {"name": "gf17_addition", "max_lenght": 8}, "seed": 1, "count": 5}),
            "did you mean `max_length`",
        ),
        (
            serde_json::json!({"task": {"name": "gf17_addition"}, "seed": "1e3", "count": 5}),
            "seed: `1e3` is not a whole number",
        ),
        (
            serde_json::json!({"task": {"name": "gf17_addition"}, "seed": 1, "count": 0}),
            "between 1 and 100000",
        ),
        (
            serde_json::json!({"task": {"name": "gf17_addition"}, "seed": 1, "count": 5, "cont": 1}),
            "unknown field `cont`",
        ),
    ] {
        let e = fresh(request).unwrap_err();
        assert!(e.contains(expected), "{e}");
    }
}

#[test]
fn integers_beyond_2_pow_53_travel_as_text_both_ways() {
    // The largest prime below 2^62: a JavaScript number would round it.
    let prime = "4611686018427387847";
    let drawn = fresh(serde_json::json!({
        "task": {"name": "gf17_addition", "prime": prime},
        "seed": "-9223372036854775808",
        "count": 2,
    }))
    .unwrap();
    assert_eq!(drawn.seed, "-9223372036854775808");
    let page = calt_wasm::js_safe(serde_json::to_value(&drawn).unwrap());
    assert_eq!(page["task"]["prime"], prime);
    assert_eq!(page["task"]["max_length"], 6);
    let mixed = serde_json::json!({"u": u64::MAX, "i": -(1i64 << 60), "small": -3, "x": 0.5});
    assert_eq!(
        calt_wasm::js_safe(mixed),
        serde_json::json!({"u": u64::MAX.to_string(), "i": (-(1i64 << 60)).to_string(), "small": -3, "x": 0.5})
    );
    let largest_sum = drawn
        .text
        .split([',', ' ', '#', '\n'])
        .filter_map(|t| t.parse::<u64>().ok())
        .max()
        .unwrap();
    assert!(largest_sum > 1 << 53, "{}", drawn.text);
}
