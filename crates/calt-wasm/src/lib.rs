//! calt in the browser: the wasm-bindgen API that `web/` uses.
//!
//! A [`Playground`] holds one loaded bundle on one backend (WebGPU or the CPU). It evaluates a
//! test file with calt-core's reader, preprocessors, lexer, tokenizer, batch order, decoders and
//! exact-match rule (so the numbers equal `calt eval`'s), and generates the answer for one
//! typed problem. All model and numeric work is calt-core's; this crate only adapts it to
//! JavaScript: bytes and strings in, plain objects and promises out, errors as `Error`s.

pub mod backend;
pub mod decode;
pub mod error;
pub mod evaluate;
pub mod fresh;
mod panic;
mod start;

use std::rc::Rc;

use calt_core::generation::GenerationConfig;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use calt_core::evaluation::{DEFAULT_BATCH_SIZE, LoadedModel};

use calt_core::execution::{DeviceChoice, ExecutionPolicy};

use crate::backend::Backend;
use crate::error::PlaygroundError;

/// One bundle loaded on one backend.
#[wasm_bindgen]
pub struct Playground {
    session: Rc<LoadedModel>,
    backend: Rc<Backend>,
}

/// Options of [`Playground::evaluate`] (a plain JS object; every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct EvalOptions {
    pub batch_size: Option<usize>,
    pub beams: Option<usize>,
    pub length_penalty: Option<f64>,
    pub max_new_tokens: Option<usize>,
    /// `[start, end)`: evaluate only these lines of the file (0-based), one worker's share;
    /// a share may hold no sample.
    pub lines: Option<[usize; 2]>,
    pub limit: Option<usize>,
    pub skip_bad_lines: bool,
}

impl EvalOptions {
    fn generation(&self) -> GenerationConfig {
        GenerationConfig {
            max_new_tokens: self.max_new_tokens.unwrap_or(usize::MAX),
            beams: self.beams.unwrap_or(1).max(1),
            length_penalty: self.length_penalty.unwrap_or(1.0),
        }
    }
}

#[wasm_bindgen]
impl Playground {
    /// Loads bundle bytes (what `calt train` writes as model.safetensors) on `backend`
    /// (`"auto"`, `"cpu"` or `"webgpu"`; auto = WebGPU when an adapter exists, else CPU).
    pub async fn load(bytes: Vec<u8>, backend: Option<String>) -> Result<Playground, JsError> {
        panic::install();
        start::run_static_constructors_once();
        let choice: DeviceChoice = backend
            .as_deref()
            .unwrap_or("auto")
            .parse()
            .map_err(|e: String| js(PlaygroundError::Options(format!("backend: {e}"))))?;
        let backend = backend::select(choice).await.map_err(js)?;
        let session = LoadedModel::from_bundle(bytes, &backend.device)
            .map_err(PlaygroundError::from)
            .map_err(js)?;
        Ok(Playground {
            session: Rc::new(session),
            backend: Rc::new(backend),
        })
    }

    /// Which backend runs the model, e.g. `webgpu (burn wgpu)` or `cpu (burn flex, wasm)`.
    #[wasm_bindgen(getter)]
    pub fn backend(&self) -> String {
        self.backend.name.clone()
    }

    /// Why `auto` fell back to the CPU, if it did.
    #[wasm_bindgen(getter, js_name = backendNote)]
    pub fn backend_note(&self) -> Option<String> {
        self.backend.note.clone()
    }

    /// Model config, vocabulary size, load preprocessors and training info of the bundle.
    /// Integers beyond 2^53 (a task's prime, a root seed) come as strings.
    pub fn info(&self) -> Result<JsValue, JsError> {
        to_js(&js_safe(self.session.info()))
    }

    /// The model's answer (CALT's decoded text) for one problem, greedy.
    pub fn generate(&self, problem: String) -> js_sys::Promise {
        let (session, backend) = (self.session.clone(), self.backend.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let ids = session
                .encode_problem(&problem)
                .map_err(|e| js_value(e.into()))?;
            let order = [0usize];
            let generated = runner(&session, &backend)
                .generate_batches(
                    &[ids.as_slice()],
                    &order,
                    1,
                    &GenerationConfig::default(),
                    |_| {},
                )
                .await
                .map_err(js_value)?;
            let ids = generated.into_iter().next().unwrap_or_default();
            Ok(JsValue::from_str(&session.tokenizer.decode_calt(&ids)))
        })
    }

    /// Evaluates a test file (`problem # answer` text, or JSONL when `file_name` ends in
    /// `.jsonl`). `on_progress(done, total)` is called after every batch. Resolves to
    /// `{accuracy, correct, total, skipped, seconds, samples_per_second, backend, records}` with
    /// `records[i] = {line, problem, reference, generated, correct}` in file order.
    pub fn evaluate(
        &self,
        file_name: String,
        text: String,
        options: JsValue,
        on_progress: Option<js_sys::Function>,
    ) -> js_sys::Promise {
        let (session, backend) = (self.session.clone(), self.backend.clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let options: EvalOptions = if options.is_undefined() || options.is_null() {
                EvalOptions::default()
            } else {
                from_js(options, "options").map_err(js_value)?
            };
            let prepared = evaluate::prepare(
                &session,
                &file_name,
                &text,
                options.skip_bad_lines,
                options.lines,
                options.limit,
            )
            .map_err(js_value)?;
            let total = prepared.test.data.len();
            let report = |done: usize| {
                if let Some(f) = &on_progress {
                    // A throwing callback must not stop the evaluation.
                    let _ = f.call2(
                        &JsValue::NULL,
                        &(done as f64).into(),
                        &(total as f64).into(),
                    );
                }
            };
            report(0);
            let inputs = prepared.test.inputs();
            let started = js_sys::Date::now();
            let generated = runner(&session, &backend)
                .generate_batches(
                    &inputs,
                    &prepared.order,
                    options.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
                    &options.generation(),
                    report,
                )
                .await
                .map_err(js_value)?;
            let seconds = (js_sys::Date::now() - started) / 1000.0;
            let summary =
                evaluate::summarise(&session, &prepared, &generated, seconds, &backend.name);
            to_js(&summary).map_err(JsValue::from)
        })
    }
}

/// `count` problems of a built-in task drawn from `seed`, byte for byte the `test_raw.txt` of
/// `calt generate` for that task, `root_seed` and `num_test_samples`. `request` is
/// `{task: {name, ...parameters}, seed, count, dropDuplicates}` (the seed a number or, beyond
/// 2^53, a string); resolves to `{text, count, seed, task}` with every task parameter.
#[wasm_bindgen(js_name = freshProblems)]
pub fn fresh_problems(request: JsValue) -> Result<JsValue, JsError> {
    panic::install();
    let request: fresh::FreshRequest = from_js(request, "request").map_err(js)?;
    let problems = fresh::draw(&request).map_err(js)?;
    let value = serde_json::to_value(problems).map_err(|e| JsError::new(&e.to_string()))?;
    to_js(&js_safe(value))
}

/// `value` with every integer a JavaScript number cannot hold exactly (beyond ±(2^53 - 1))
/// written as a string, so that it reaches the page unrounded (and converting it cannot fail).
pub fn js_safe(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    const SAFE: u64 = (1 << 53) - 1;
    match value {
        // Integers past i64::MAX are u64s; floats are neither and stay numbers.
        Value::Number(n) if n.as_i64().map_or(n.is_u64(), |v| v.unsigned_abs() > SAFE) => {
            Value::String(n.to_string())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js_safe).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, js_safe(v))).collect())
        }
        other => other,
    }
}

/// A plain JS object read into `T`, through a JSON value: serde-wasm-bindgen reads only the
/// fields a struct names, so `deny_unknown_fields` would never see a misspelt key.
fn from_js<T: serde::de::DeserializeOwned>(
    value: JsValue,
    what: &str,
) -> Result<T, PlaygroundError> {
    serde_wasm_bindgen::from_value::<serde_json::Value>(value)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
        .map_err(|e| PlaygroundError::Options(format!("{what}: {e}")))
}

fn runner<'a>(session: &'a LoadedModel, backend: &'a Backend) -> decode::Runner<'a> {
    decode::Runner {
        model: &session.model,
        device: &backend.device,
        async_reads: ExecutionPolicy::for_device(&backend.device).awaited_reads,
    }
}

fn js(e: PlaygroundError) -> JsError {
    JsError::new(&e.to_string())
}

fn js_value(e: PlaygroundError) -> JsValue {
    js(e).into()
}

/// Plain JS objects and arrays (not `Map`s), so the page and `postMessage` can use them.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}
