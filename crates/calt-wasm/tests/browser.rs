//! The playground API in headless Chromium (`wasm-pack test --headless --chrome`, driven by
//! scripts/wasm-test.sh): loading bundles, the error paths, evaluation and generation.
#![cfg(target_arch = "wasm32")]

mod common;

use calt_wasm::Playground;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn message(e: impl Into<JsValue>) -> String {
    let v: JsValue = e.into();
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| format!("{v:?}"))
}

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

async fn load_cpu(bytes: Vec<u8>) -> Result<Playground, String> {
    Playground::load(bytes, Some("cpu".into()))
        .await
        .map_err(message)
}

#[wasm_bindgen_test]
async fn loads_a_bundle_on_the_cpu_and_describes_it() {
    let f = common::bundle();
    let pg = load_cpu(f.bytes.clone()).await.unwrap();
    assert!(pg.backend().starts_with("cpu"), "{}", pg.backend());
    let info = pg.info().map_err(message).unwrap();
    let vocab = get(&info, "vocab_size").as_f64().unwrap() as usize;
    assert_eq!(vocab, f.tokenizer.vocab_size());
}

#[wasm_bindgen_test]
async fn garbage_truncated_and_foreign_files_are_errors_not_panics() {
    let f = common::bundle();
    let garbage = load_cpu(b"definitely not a bundle".to_vec())
        .await
        .err()
        .unwrap();
    assert!(
        garbage.contains("not a usable calt model bundle"),
        "{garbage}"
    );
    let truncated = load_cpu(f.bytes[..f.bytes.len() / 2].to_vec())
        .await
        .err()
        .unwrap();
    assert!(truncated.contains("bundle"), "{truncated}");
    // A valid safetensors file without calt metadata.
    let header = br#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#;
    let mut foreign = (header.len() as u64).to_le_bytes().to_vec();
    foreign.extend_from_slice(header);
    foreign.extend_from_slice(&[0; 4]);
    let foreign = load_cpu(foreign).await.err().unwrap();
    assert!(foreign.contains("not a calt bundle"), "{foreign}");
    let empty = load_cpu(Vec::new()).await.err().unwrap();
    assert!(empty.contains("bundle"), "{empty}");
    // The module still works after all those errors.
    assert!(load_cpu(f.bytes).await.is_ok());
}

#[wasm_bindgen_test]
async fn evaluation_matches_the_core_decoder_and_reports_progress() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, common::TEST_TEXT);
    let pg = load_cpu(f.bytes.clone()).await.unwrap();
    let calls = js_sys::Array::new();
    let log = calls.clone();
    let progress =
        wasm_bindgen::closure::Closure::<dyn FnMut(f64, f64)>::new(move |d: f64, t: f64| {
            log.push(&js_sys::Array::of2(&d.into(), &t.into()));
        });
    let options = js_sys::JSON::parse(r#"{"batchSize": 2}"#).unwrap();
    let result = JsFuture::from(
        pg.evaluate(
            "test_raw.txt".into(),
            common::TEST_TEXT.into(),
            options,
            Some(
                progress
                    .as_ref()
                    .unchecked_ref::<js_sys::Function>()
                    .clone(),
            ),
        ),
    )
    .await
    .map_err(message)
    .unwrap();
    assert_eq!(get(&result, "total").as_f64(), Some(5.0));
    let records = js_sys::Array::from(&get(&result, "records"));
    let generated: Vec<String> = records
        .iter()
        .map(|r| get(&r, "generated").as_string().unwrap())
        .collect();
    assert_eq!(generated, expected);
    let correct = records
        .iter()
        .filter(|r| get(r, "correct").is_truthy())
        .count();
    assert_eq!(get(&result, "correct").as_f64(), Some(correct as f64));
    assert_eq!(
        get(&result, "accuracy").as_f64(),
        Some(correct as f64 / 5.0)
    );
    assert_eq!(get(&records.get(1), "line").as_f64(), Some(2.0));
    // 0 first, then after each batch of two: 2, 4, 5.
    let done: Vec<f64> = calls
        .iter()
        .map(|c| js_sys::Array::from(&c).get(0).as_f64().unwrap())
        .collect();
    assert_eq!(done, vec![0.0, 2.0, 4.0, 5.0]);
}

#[wasm_bindgen_test]
async fn jsonl_test_files_are_read_too() {
    let f = common::bundle();
    let pg = load_cpu(f.bytes).await.unwrap();
    let text = "{\"problem\": \"3,4\", \"answer\": \"3,7\"}\n{\"problem\": \"1,2\", \"answer\": \"1,3\"}\n";
    let result =
        JsFuture::from(pg.evaluate("t.jsonl".into(), text.into(), JsValue::UNDEFINED, None))
            .await
            .map_err(message)
            .unwrap();
    assert_eq!(get(&result, "total").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn bad_lines_are_reported_unless_skipped() {
    let f = common::bundle();
    let pg = load_cpu(f.bytes).await.unwrap();
    let text = "3,4 # 3,7\nno hash here\n99 # 1\n";
    let err = JsFuture::from(pg.evaluate("t.txt".into(), text.into(), JsValue::UNDEFINED, None))
        .await
        .map_err(message)
        .err()
        .unwrap();
    assert!(
        err.contains("2 bad line(s)") && err.contains("t.txt:2"),
        "{err}"
    );
    let skip = js_sys::JSON::parse(r#"{"skipBadLines": true}"#).unwrap();
    let result = JsFuture::from(pg.evaluate("t.txt".into(), text.into(), skip, None))
        .await
        .map_err(message)
        .unwrap();
    assert_eq!(get(&result, "total").as_f64(), Some(1.0));
    assert_eq!(get(&result, "skipped").as_f64(), Some(2.0));
    let unknown = js_sys::JSON::parse(r#"{"batchsize": 3}"#).unwrap();
    let err = JsFuture::from(pg.evaluate("t.txt".into(), "1 # 1".into(), unknown, None))
        .await
        .map_err(message)
        .err()
        .unwrap();
    assert!(err.contains("batchsize"), "{err}");
}

#[wasm_bindgen_test]
async fn generates_for_one_problem_and_rejects_unknown_tokens() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, "1,2,3 # x");
    let pg = load_cpu(f.bytes).await.unwrap();
    let answer = JsFuture::from(pg.generate("1,2,3".into()))
        .await
        .map_err(message)
        .unwrap();
    assert_eq!(answer.as_string().unwrap(), expected[0]);
    let err = JsFuture::from(pg.generate("1,99".into()))
        .await
        .map_err(message)
        .err()
        .unwrap();
    assert!(err.contains("99"), "{err}");
    let err = JsFuture::from(pg.generate("  ".into()))
        .await
        .map_err(message)
        .err()
        .unwrap();
    assert!(err.contains("empty"), "{err}");
}

#[wasm_bindgen_test]
async fn auto_backend_runs_and_says_which_it_chose() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, "5,6 # x");
    let pg = Playground::load(f.bytes, None)
        .await
        .map_err(message)
        .unwrap();
    let name = pg.backend();
    assert!(
        name.starts_with("cpu") || name.starts_with("webgpu"),
        "{name}"
    );
    if name.starts_with("cpu") {
        assert!(pg.backend_note().is_some_and(|n| n.contains("WebGPU")));
    }
    web_sys::console::log_1(&format!("auto backend: {name}").into());
    let answer = JsFuture::from(pg.generate("5,6".into()))
        .await
        .map_err(message)
        .unwrap();
    // WebGPU computes in a different order: accept float-level drift only if it ran there.
    if name.starts_with("cpu") {
        assert_eq!(answer.as_string().unwrap(), expected[0]);
    }
}

/// Without an adapter (the default webdriver.json) asking for WebGPU is a clear error; with
/// one (webdriver-webgpu.json: Chromium's SwiftShader adapter) the WebGPU backend answers
/// exactly as calt-core's greedy decoder and beam search do on the CPU.
#[wasm_bindgen_test]
async fn webgpu_backend_equals_the_cpu_or_says_it_is_unavailable() {
    let f = common::bundle();
    let expected = common::expected_generations(&f, common::TEST_TEXT);
    let pg = match Playground::load(f.bytes.clone(), Some("webgpu".into())).await {
        Ok(pg) => pg,
        Err(e) => {
            let e = message(e);
            assert!(e.contains("WebGPU unavailable"), "{e}");
            return;
        }
    };
    assert!(pg.backend().starts_with("webgpu"), "{}", pg.backend());
    web_sys::console::log_1(&"webgpu backend ran".into());
    // A second load in the same worker (another bundle, a retry) reuses the WebGPU device.
    let again = Playground::load(f.bytes.clone(), Some("webgpu".into()))
        .await
        .map_err(message)
        .unwrap();
    assert!(again.backend().starts_with("webgpu"), "{}", again.backend());
    let result = JsFuture::from(pg.evaluate(
        "test_raw.txt".into(),
        common::TEST_TEXT.into(),
        JsValue::UNDEFINED,
        None,
    ))
    .await
    .map_err(message)
    .unwrap();
    let generated: Vec<String> = js_sys::Array::from(&get(&result, "records"))
        .iter()
        .map(|r| get(&r, "generated").as_string().unwrap())
        .collect();
    assert_eq!(generated, expected);
    // Beam search too, with its log-probabilities read back by awaited reads.
    let beam_answers = |pg: Playground| async move {
        let options = js_sys::JSON::parse(r#"{"beams": 3}"#).unwrap();
        let result = JsFuture::from(pg.evaluate(
            "test_raw.txt".into(),
            common::TEST_TEXT.into(),
            options,
            None,
        ))
        .await
        .map_err(message)
        .unwrap();
        js_sys::Array::from(&get(&result, "records"))
            .iter()
            .map(|r| get(&r, "generated").as_string().unwrap())
            .collect::<Vec<String>>()
    };
    let cpu = Playground::load(f.bytes.clone(), Some("cpu".into()))
        .await
        .map_err(message)
        .unwrap();
    assert_eq!(beam_answers(pg).await, beam_answers(cpu).await);
}
