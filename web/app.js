// The page: picks files, talks to the worker (worker.js), shows progress, the accuracy and the
// sample table. No framework: a few elements and one message protocol.

const $ = (id) => document.getElementById(id);

// ---- worker requests: each returns a promise settled by the worker's answer ----
const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const pending = new Map();
let nextId = 1;
let onProgress = () => {};
worker.onmessage = ({ data }) => {
  if (data.type === "progress") return onProgress(data.done, data.total);
  const request = pending.get(data.id);
  if (!request) return;
  pending.delete(data.id);
  if (data.type === "error") request.reject(new Error(data.message));
  else request.resolve(data.result);
};
worker.onerror = (event) => showError(`worker failed: ${event.message ?? "could not start (is web/pkg built?)"}`);
function ask(type, payload = {}, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ type, id, ...payload }, transfer);
  });
}

// ---- state ----
const state = { bundleLoaded: false, test: null, busy: false, records: [] };

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}
function status(text) { $("status").textContent = text; }
function refreshButtons() {
  $("run").disabled = state.busy || !state.bundleLoaded || !state.test;
  $("generate").disabled = state.busy || !state.bundleLoaded;
  $("problem").disabled = !state.bundleLoaded;
}

// ---- inputs ----
async function loadBundle(name, bytes) {
  showError("");
  state.bundleLoaded = false;
  state.busy = true;
  refreshButtons();
  $("bundle-name").textContent = `${name} (${(bytes.byteLength / 1e6).toFixed(2)} MB)`;
  status(`Loading ${name}…`);
  try {
    const loaded = await ask("load", { bytes, backend: $("backend-choice").value }, [bytes]);
    state.bundleLoaded = true;
    $("backend").textContent = loaded.backend;
    $("backend-note").textContent = loaded.note ? `— ${loaded.note}` : "";
    $("bundle-drop").classList.add("loaded");
    const c = loaded.info.model_config;
    status(`Model loaded: d_model ${c.d_model}, ${c.encoder_layers}+${c.decoder_layers} layers, vocabulary ${loaded.info.vocab_size}.`);
  } catch (err) {
    $("bundle-drop").classList.remove("loaded");
    $("backend").textContent = "not loaded";
    showError(err.message);
    status("The model bundle could not be loaded.");
  } finally {
    state.busy = false;
    refreshButtons();
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
  $(input).addEventListener("change", (e) => { if (e.target.files[0]) pickFile(e.target.files[0]); });
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

$("run").addEventListener("click", async () => {
  showError("");
  state.busy = true;
  refreshButtons();
  $("progress").value = 0;
  const started = performance.now();
  onProgress = (done, total) => {
    $("progress").max = total;
    $("progress").value = done;
    const secs = (performance.now() - started) / 1000;
    status(`Generating… ${done} / ${total}` + (done ? ` (${(done / secs).toFixed(1)} samples/s)` : ""));
  };
  try {
    const r = await ask("evaluate", { name: state.test.name, text: state.test.text, options: options() });
    showSummary(r);
    state.records = r.records;
    renderTable();
    status(`Done: ${r.total} samples in ${r.seconds.toFixed(2)} s on ${r.backend}.`);
  } catch (err) {
    showError(err.message);
    status("Evaluation failed.");
  } finally {
    state.busy = false;
    refreshButtons();
  }
});

function showSummary(r) {
  $("summary").hidden = false;
  $("accuracy").textContent = `${(100 * r.accuracy).toFixed(1)}%`;
  $("accuracy").dataset.accuracy = String(r.accuracy);
  $("counts").textContent = `${r.correct} / ${r.total} correct` + (r.skipped ? `, ${r.skipped} bad lines skipped` : "");
  $("speed").textContent = `${r.samples_per_second.toFixed(1)} samples/s on ${r.backend}`;
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
  const a = reference.split(/\s+/).filter(Boolean);
  const b = generated.split(/\s+/).filter(Boolean);
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
    $("answer").textContent = await ask("generate", { problem: $("problem").value });
  } catch (err) {
    $("answer").textContent = "";
    showError(err.message);
  }
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

refreshButtons();
offerDemo();
