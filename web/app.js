// The page: picks files, hands the work to a pool of Web Workers (pool.js, worker.js), shows
// progress, the accuracy and the sample table. No framework: a few elements and one message
// protocol.

import { Pool, Cancelled, defaultWorkerCount, MAX_WORKERS } from "./pool.js";
import { byAnswerLength, caltEvalJson, csv, download, firstDifferences, lengthChart, tokens } from "./insights.js";
import { changedParameters, readParameters, renderParameters, resetParameters, taskRecord } from "./fresh.js";

const $ = (id) => document.getElementById(id);

// ---- workers ----
const pool = new Pool();

// A minimal module using one SIMD128 instruction: the wasm build needs WebAssembly SIMD.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0,
  10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
const simd = WebAssembly.validate(SIMD_PROBE);

function workerCount() {
  const n = parseInt($("workers").value, 10);
  return Number.isFinite(n) && n >= 1 ? Math.min(n, MAX_WORKERS) : defaultWorkerCount();
}

// ---- state ----
const state = { bundleLoaded: false, test: null, busy: false, evaluating: false, reloading: false, records: [], bundle: null,
  task: null, fresh: null };

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}
function status(text) { $("status").textContent = text; }
function refreshButtons() {
  const idle = !state.busy && !state.reloading && state.bundleLoaded;
  $("run").disabled = !idle || !state.test;
  $("cancel").hidden = !state.evaluating;
  $("generate").disabled = !idle;
  $("fresh-run").disabled = !idle || !state.task;
  $("problem").disabled = !state.bundleLoaded;
}

function showBackend(backend, workers) {
  $("backend").textContent = `${backend}, ${plural(workers, "worker")}`;
  $("backend").dataset.backend = backend;
  $("backend").dataset.workers = String(workers);
}

// ---- inputs ----
// Loads are numbered: when a newer one starts (another file, worker count or backend), the
// older one's outcome is dropped.
let loads = 0;

async function loadBundle(name, bytes) {
  const seq = ++loads;
  showError("");
  if (!simd) {
    showError("This browser lacks WebAssembly SIMD (Chrome 91, Firefox 89 and Safari 16.4 have it); the playground needs it.");
    return;
  }
  state.bundleLoaded = false;
  state.busy = true;
  offerFresh(null);
  refreshButtons();
  $("bundle-name").textContent = `${name} (${(bytes.byteLength / 1e6).toFixed(2)} MB)`;
  delete $("bundle-name").dataset.kept;
  status(`Loading ${name}…`);
  try {
    const loaded = await pool.load(bytes, $("backend-choice").value, workerCount());
    if (seq !== loads) return;
    state.bundleLoaded = true;
    state.bundle = { name, bytes };
    showBackend(loaded.backend, loaded.workers);
    $("backend-note").textContent = loaded.note ? `— ${loaded.note}` : "";
    $("bundle-drop").classList.add("loaded");
    remember(name, bytes);
    offerFresh(loaded.info);
    const c = loaded.info.model_config;
    status(`Model loaded: d_model ${c.d_model}, ${c.encoder_layers}+${c.decoder_layers} layers, vocabulary ${loaded.info.vocab_size}.`);
  } catch (err) {
    if (seq !== loads) return;
    $("bundle-drop").classList.remove("loaded");
    $("backend").textContent = "not loaded";
    showError(err.message);
    status("The model bundle could not be loaded.");
  } finally {
    if (seq === loads) {
      state.busy = false;
      refreshButtons();
    }
  }
}

function setTest(name, text) {
  state.test = { name, text };
  const lines = text.split("\n").filter((l) => l.trim()).length;
  $("test-name").textContent = `${name} (${lines} lines)`;
  $("test-drop").classList.add("loaded");
  refreshButtons();
}

async function pickFile(file) {
  // Bundles are binary; test files are text. Decide by name so either box accepts either.
  if (/\.(txt|jsonl)$/i.test(file.name)) setTest(file.name, await file.text());
  else await loadBundle(file.name, await file.arrayBuffer());
}

for (const [input, drop] of [["bundle-input", "bundle-drop"], ["test-input", "test-drop"]]) {
  $(input).addEventListener("change", (e) => {
    const file = e.target.files[0];
    // Emptied, so that picking the same file again (after fresh problems replaced it) loads it.
    e.target.value = "";
    if (file) pickFile(file);
  });
  const zone = $(drop);
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    for (const file of e.dataTransfer.files) pickFile(file);
  });
}

// ---- evaluation ----
function options() {
  const int = (id) => Math.max(1, parseInt($(id).value, 10) || 1);
  return { batchSize: int("batch-size"), beams: int("beams"), skipBadLines: $("skip-bad").checked };
}


$("run").addEventListener("click", () => runEvaluation());

async function runEvaluation() {
  showError("");
  state.busy = state.evaluating = true;
  refreshButtons();
  status("Evaluating…");
  $("progress").value = 0;
  const started = performance.now();
  const progress = (done, total) => {
    $("progress").max = total;
    $("progress").value = done;
    const secs = (performance.now() - started) / 1000;
    status(`Generating… ${done} / ${total}` + (done ? ` (${(done / secs).toFixed(1)} samples/s)` : ""));
  };
  const { name, text } = state.test;
  try {
    if (pool.size !== workerCount()) {
      status(`Starting ${plural(workerCount(), "worker")}…`);
      await pool.resize(workerCount());
      showBackend(pool.model.backend, pool.size);
    }
    const r = await pool.evaluate(name, text, options(), progress);
    show(r);
    status(`Done: ${r.total} samples in ${r.seconds.toFixed(2)} s on ${r.backend}, ${plural(r.workers, "worker")}.`);
  } catch (err) {
    if (err instanceof Cancelled) {
      show(err.partial);
      status(`Cancelled: ${err.partial.total} samples evaluated before the stop (shown below).`);
    } else {
      showError(err.message);
      status("Evaluation failed.");
    }
  } finally {
    state.busy = state.evaluating = false;
    refreshButtons();
  }
}

$("cancel").addEventListener("click", async () => {
  state.reloading = true;
  refreshButtons();
  try {
    await pool.cancel();
  } catch (err) {
    state.bundleLoaded = false;
    showError(`reloading the model after the cancel failed: ${err.message}`);
  } finally {
    state.reloading = false;
    refreshButtons();
  }
});

function plural(n, word) { return `${n} ${word}${n === 1 ? "" : "s"}`; }

function show(r) {
  showSummary(r);
  state.records = r.records;
  renderTable();
  renderInsights();
}

// Rows of the first-difference table.
const CONFUSION_LIMIT = 12;

function renderInsights() {
  const records = state.records;
  $("insights").hidden = records.length === 0;
  $("by-length").replaceChildren(lengthChart(byAnswerLength(records)));
  const differences = firstDifferences(records);
  const body = document.createDocumentFragment();
  for (const d of differences.slice(0, CONFUSION_LIMIT)) {
    const tr = document.createElement("tr");
    for (const text of [d.reference, d.generated, String(d.count)]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    body.append(tr);
  }
  $("confusion").tBodies[0].replaceChildren(body);
  $("confusion-note").textContent = differences.length === 0 ? "no wrong answers"
    : differences.length > CONFUSION_LIMIT ? `${CONFUSION_LIMIT} most frequent of ${differences.length}` : "";
}

const stem = () => (state.test?.name ?? "test").replace(/\.[^.]*$/, "");
$("download-json").addEventListener("click", () =>
  download(`${stem()}_eval_results.json`, caltEvalJson(state.records), "application/json"));
$("download-csv").addEventListener("click", () =>
  download(`${stem()}_eval_results.csv`, csv(state.records), "text/csv"));

function showSummary(r) {
  $("summary").hidden = false;
  $("accuracy").textContent = `${(100 * r.accuracy).toFixed(1)}%`;
  $("accuracy").dataset.accuracy = String(r.accuracy);
  $("counts").textContent = `${r.correct} / ${r.total} correct` + (r.skipped ? `, ${r.skipped} bad lines skipped` : "");
  $("speed").textContent = `${r.samples_per_second.toFixed(1)} samples/s on ${r.backend}, ${plural(r.workers, "worker")}`;
  $("speed").dataset.samplesPerSecond = String(r.samples_per_second);
}

// Rows beyond this many are left out of the table (the accuracy counts them all).
const TABLE_LIMIT = 2000;

function renderTable() {
  const wrongOnly = $("wrong-only").checked;
  const rows = state.records.filter((r) => !wrongOnly || !r.correct);
  const body = document.createDocumentFragment();
  for (const r of rows.slice(0, TABLE_LIMIT)) {
    const tr = document.createElement("tr");
    tr.className = r.correct ? "right" : "wrong";
    tr.dataset.generated = r.generated;
    tr.dataset.reference = r.reference;
    const [ref, gen] = highlight(r.reference, r.generated);
    for (const cell of [String(r.line), r.problem, ref, gen]) {
      const td = document.createElement("td");
      if (typeof cell === "string") td.textContent = cell;
      else td.append(cell);
      tr.append(td);
    }
    body.append(tr);
  }
  $("results").tBodies[0].replaceChildren(body);
  $("samples").hidden = false;
  $("table-note").textContent = rows.length > TABLE_LIMIT ? `first ${TABLE_LIMIT} of ${rows.length} rows shown` : "";
}

// Marks the tokens where reference and generated text differ, position by position.
function highlight(reference, generated) {
  const [a, b] = [tokens(reference), tokens(generated)];
  const render = (tokens, other) => {
    const span = document.createElement("span");
    tokens.forEach((t, i) => {
      if (i) span.append(" ");
      if (t === other[i]) span.append(t);
      else {
        const mark = document.createElement("mark");
        mark.className = "diff";
        mark.textContent = t;
        span.append(mark);
      }
    });
    return span;
  };
  return [render(a, b), render(b, a)];
}

$("wrong-only").addEventListener("change", renderTable);

// ---- one problem ----
$("generate-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  showError("");
  $("answer").textContent = "…";
  try {
    $("answer").textContent = await pool.generate($("problem").value);
  } catch (err) {
    $("answer").textContent = "";
    showError(err.message);
  }
});

// ---- fresh problems of the task the bundle was trained on ----
function offerFresh(info) {
  const record = taskRecord(info);
  state.task = record;
  $("fresh").hidden = !record;
  $("fresh-download").hidden = true;
  $("fresh-changes").textContent = "";
  if (!record) return;
  $("fresh-task-name").textContent = record.task.name;
  $("fresh-trained-seed").textContent = String(record.root_seed);
  // The training run's test split is seed root_seed: the next seed draws other problems.
  $("fresh-seed").value = String(BigInt(record.root_seed) + 1n);
  renderParameters($("fresh-parameters"), record.task);
}

$("fresh-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const record = state.task;
  if (!record || state.busy) return;
  showError("");
  const task = readParameters($("fresh-parameters"), record.task.name);
  const count = Number($("fresh-count").value);
  const request = { task, seed: $("fresh-seed").value.trim(), count, dropDuplicates: record.drop_duplicates };
  state.busy = state.evaluating = true;
  refreshButtons();
  status(`Drawing ${count} problems of ${task.name}…`);
  let drawn;
  try {
    drawn = await pool.freshProblems(request);
  } catch (err) {
    if (err instanceof Cancelled) status("Cancelled: no problems drawn; the model and the last test file are unchanged.");
    else {
      showError(err.message);
      status("The problems could not be drawn; the model and the last test file are unchanged.");
    }
    return;
  } finally {
    state.busy = state.evaluating = false;
    refreshButtons();
  }
  const changes = changedParameters($("fresh-parameters"), task);
  $("fresh-changes").textContent = `${drawn.count} problems drawn with seed ${drawn.seed}, ` +
    (changes.length ? `changed from training: ${changes.join(", ")}.` : "the training parameters.");
  state.fresh = { name: `fresh_seed${drawn.seed}_test_raw.txt`, text: drawn.text };
  $("fresh-download").hidden = false;
  setTest(state.fresh.name, drawn.text);
  await runEvaluation();
});

$("fresh-reset").addEventListener("click", () => {
  resetParameters($("fresh-parameters"));
  if (state.task) $("fresh-seed").value = String(BigInt(state.task.root_seed) + 1n);
});
$("fresh-download").addEventListener("click", () => {
  if (state.fresh) download(state.fresh.name, state.fresh.text, "text/plain");
});

// ---- demo (offered when `calt export-demo` wrote web/demo/ and the page is served) ----
async function offerDemo() {
  try {
    const res = await fetch("demo/manifest.json", { cache: "no-store" });
    if (!res.ok) return;
    const manifest = await res.json();
    $("demo").hidden = false;
    $("demo").title = manifest.description ?? "";
    $("demo").addEventListener("click", async () => {
      const [bundle, test] = await Promise.all([
        fetch(`demo/${manifest.bundle}`).then((r) => r.arrayBuffer()),
        fetch(`demo/${manifest.test}`).then((r) => r.text()),
      ]);
      setTest(manifest.test, test);
      await loadBundle(manifest.bundle, bundle);
      if (manifest.example) $("problem").value = manifest.example;
    });
  } catch {
    // Opened from file:// or no demo exported: nothing to offer.
  }
}

$("workers").placeholder = `auto (${defaultWorkerCount()})`;
// A new backend choice takes effect at once (the model is loaded again); a new worker count at
// the next run.
$("backend-choice").addEventListener("change", () => {
  if (state.bundle && !state.busy) loadBundle(state.bundle.name, state.bundle.bytes);
});
// ---- links and the last model: ?model=URL&test=URL, and the Cache API ----
const CACHE = "calt-playground";
const LAST_BUNDLE = "last-bundle";

async function remember(name, bytes) {
  try {
    const cache = await caches.open(CACHE);
    await cache.put(LAST_BUNDLE, new Response(bytes.slice(0), { headers: { "x-calt-name": encodeURIComponent(name) } }));
    $("bundle-name").dataset.kept = "true";
  } catch {
    // No Cache API (an insecure origin, a private window): the next visit starts empty.
  }
}

async function offerLastBundle() {
  try {
    const cached = await (await caches.open(CACHE)).match(LAST_BUNDLE);
    if (!cached) return;
    const name = decodeURIComponent(cached.headers.get("x-calt-name") ?? "model.safetensors");
    const button = $("last-bundle");
    button.textContent = `Load the last model again (${name})`;
    button.hidden = false;
    button.onclick = async () => loadBundle(name, await cached.clone().arrayBuffer());
  } catch {
    // As above: nothing to offer.
  }
}

async function fetchFrom(url, what) {
  let res;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new Error(`${what} ${url}: could not fetch it (${err.message}; another site must allow it with CORS)`);
  }
  if (!res.ok) throw new Error(`${what} ${url}: the server answered ${res.status} ${res.statusText}`);
  return res;
}

async function openLinkedFiles() {
  const params = new URLSearchParams(location.search);
  const [model, test] = [params.get("model"), params.get("test")];
  if (!model && !test) return false;
  const name = (url) => decodeURIComponent(new URL(url, location.href).pathname.split("/").pop() || url);
  try {
    if (test) setTest(name(test), await (await fetchFrom(test, "test file")).text());
    if (model) await loadBundle(name(model), await (await fetchFrom(model, "model")).arrayBuffer());
  } catch (err) {
    showError(err.message);
    status("A linked file could not be loaded; pick the files instead.");
  }
  return true;
}

refreshButtons();
offerDemo();
openLinkedFiles().then((linked) => { if (!linked) offerLastBundle(); });
