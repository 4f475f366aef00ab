// End-to-end test of the browser playground in headless Chromium (Debian's /usr/bin/chromium
// driven by playwright-core; no browser is downloaded).
//
// The CLI trains a tiny model and scores it with `calt eval`; `calt serve` serves web/; the
// test uploads the same bundle and test file through the page, runs the evaluation and asserts
// that the accuracy and the generations shown equal the CLI's, with one worker and with several
// (the evaluation sharded over Web Workers). It also checks fresh problems (drawn in the page
// byte for byte as `calt generate` draws them, scored as `calt eval` scores them), Cancel
// (partial results, the page still works), the one-problem box, the wrong-only filter, links,
// the corrupt-bundle error, and saves screenshots at desktop and phone width.
//
// Run by scripts/wasm-test.sh (which builds web/pkg and the CLI first). Environment:
//   CALT_BIN      the calt binary (default: calt on PATH)
//   CALT_E2E_OUT  folder for the work files and the screenshot (default: $CARGO_TARGET_DIR/calt-e2e)
//   CALT_E2E_BUNDLE, CALT_E2E_TEST  a trained bundle and a test file to use instead of training
//                 the tiny model (to compare the page's speed with the CLI's on a real model)
//   CALT_E2E_WEBGPU=1  offer Chromium's software WebGPU adapter (SwiftShader) to the page
//   CALT_E2E_WORKERS   worker counts to evaluate with, e.g. "1,2" (default "1,3"); result.json
//                 gets the page's samples/s for each next to calt eval's

import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, writeFileSync, readFileSync, copyFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const calt = process.env.CALT_BIN || "calt";
const targetDir = process.env.CARGO_TARGET_DIR || join(process.env.HOME, ".cache/calt-target");
const out = resolve(process.env.CALT_E2E_OUT || join(targetDir, "calt-e2e"));
const log = (...a) => console.log("e2e:", ...a);

// ---- 1. a tiny learnable task: running sums of two or three numbers mod 7 ----
// The data comes from `calt generate`, so the bundle carries its task (fresh problems).
const TASK = "task:\n  name: gf17_addition\n  prime: 7\n  min_length: 2\n  max_length: 3\n";
function dataYaml(saveDir, rootSeed, train, test, task = TASK) {
  return `dataset:
  save_dir: ${saveDir}
  num_train_samples: ${train}
  num_test_samples: ${test}
  batch_size: 100
  n_jobs: 1
  root_seed: ${rootSeed}
  verbose: false
${task}`;
}

// A long test file for Cancel: swapped pairs (any numbers the lexer reads will do).
function dataset(n, seed) {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % 17);
  const lines = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = [rand(), rand()];
    lines.push(`${a},${b} # ${b},${a}`);
  }
  return lines.join("\n") + "\n";
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const given = process.env.CALT_E2E_BUNDLE && process.env.CALT_E2E_TEST;
const run = (args) => execFileSync(calt, args, { cwd: out, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

if (!given) {
  writeFileSync(join(out, "data.yaml"), dataYaml("data", 1, 1500, 48));
  run(["generate", "--config", "data.yaml"]);
  copyFileSync(join(repo, "configs/gf17_addition/lexer.yaml"), join(out, "lexer.yaml"));
  writeFileSync(join(out, "train.yaml"), `model:
  model_type: generic
  num_encoder_layers: 1
  num_encoder_heads: 2
  num_decoder_layers: 1
  num_decoder_heads: 2
  d_model: 32
  encoder_ffn_dim: 64
  decoder_ffn_dim: 64
  max_sequence_length: 16
train:
  save_dir: run
  num_train_epochs: 30
  learning_rate: 3e-3
  weight_decay: 0.01
  warmup_ratio: 0.05
  batch_size: 32
  test_batch_size: 64
  lr_scheduler_type: linear
  max_grad_norm: 1.0
  seed: 7
  eval_steps: 100000
  save_steps: 100000
  logging_steps: 50
  wandb:
    no_wandb: true
data:
  train_dataset_path: data/train_raw.txt
  test_dataset_path: data/test_raw.txt
  lexer_config: lexer.yaml
  num_train_samples: -1
  num_test_samples: -1
`);

  log("training a tiny model with", calt);
  run(["train", "--config", "train.yaml", "--device", "cpu", "--output", "run"]);
}
const bundle = given ? resolve(process.env.CALT_E2E_BUNDLE) : join(out, "run", "model.safetensors");
const testFile = given ? resolve(process.env.CALT_E2E_TEST) : join(out, "data", "test_raw.txt");

// ---- 2. what the CLI says ----
const evalOut = run(["eval", "--model", bundle, "--data", testFile, "--device", "cpu", "--output", join(out, "cli_eval.json")]);
log(evalOut.split("\n")[0]);
const m = evalOut.match(/generation_accuracy ([\d.]+) \((\d+)\/(\d+)\).*?([\d.]+) samples\/s/);
assert.ok(m, `unexpected calt eval output:\n${evalOut}`);
const [cliHits, cliTotal, cliSpeed] = [Number(m[2]), Number(m[3]), Number(m[4])];
const cliRecords = JSON.parse(readFileSync(join(out, "cli_eval.json"), "utf8"));
assert.equal(cliRecords.length, cliTotal);

// ---- 3. serve the page ----
const server = spawn(calt, ["serve", "--dir", join(repo, "web"), "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((ok, fail) => {
  let buf = "";
  server.stdout.on("data", (d) => {
    buf += d;
    const found = buf.match(/at (http:\/\/[^ ]+\/)/);
    if (found) ok(found[1]);
  });
  server.on("exit", (code) => fail(new Error(`calt serve exited with ${code}`)));
  setTimeout(() => fail(new Error("calt serve printed no address")), 30000);
});
log("page at", url);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-default-apps",
    ...(process.env.CALT_E2E_WEBGPU === "1" ? ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"] : [])],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const consoleErrors = [];
  page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });
  page.on("pageerror", (err) => consoleErrors.push(String(err)));
  page.setDefaultTimeout(300000);
  await page.goto(url);

  const webgpu = await page.evaluate(async () => {
    if (!navigator.gpu) return "no navigator.gpu";
    const adapter = await navigator.gpu.requestAdapter().catch(() => null);
    return adapter ? "adapter available" : "navigator.gpu present, no adapter";
  });
  log("WebGPU in this headless Chromium:", webgpu);

  // ---- 4. a corrupt bundle is an error in the page, not a dead worker ----
  const junk = join(out, "junk.safetensors");
  writeFileSync(junk, readFileSync(bundle).subarray(0, 200));
  await page.setInputFiles("#bundle-input", junk);
  await page.waitForSelector("#error:not([hidden])");
  const junkError = await page.textContent("#error");
  assert.match(junkError, /not a usable calt model bundle/, junkError);

  // ---- 5. upload the real files and run, with each worker count ----
  const evaluate = async (whileRunning) => {
    // The status still says how the last run ended; wait for this run's ending.
    await page.$eval("#status", (e) => { e.textContent = ""; });
    await page.click("#run");
    if (whileRunning) await whileRunning();
    await page.waitForFunction(() => /^(Done|Evaluation failed)/.test(document.querySelector("#status").textContent));
    assert.equal(await page.isHidden("#error"), true, await page.textContent("#error"));
    return page.evaluate(() => ({
      accuracy: Number(document.querySelector("#accuracy").dataset.accuracy),
      counts: document.querySelector("#counts").textContent,
      speed: Number(document.querySelector("#speed").dataset.samplesPerSecond),
      speedText: document.querySelector("#speed").textContent,
      progress: [document.querySelector("#progress").value, document.querySelector("#progress").max],
      rows: [...document.querySelectorAll("#results tbody tr")].map((tr) => ({
        generated: tr.dataset.generated,
        reference: tr.dataset.reference,
        wrong: tr.classList.contains("wrong"),
        marks: tr.querySelectorAll("mark.diff").length,
      })),
    }));
  };
  const workerCounts = (process.env.CALT_E2E_WORKERS || "1,3").split(",").map(Number);
  // Startup: from the bundle given to the page to the model loaded in every worker, and on to
  // the first answers.
  await page.fill("#workers", String(workerCounts[0]));
  const dropped = Date.now();
  await page.setInputFiles("#bundle-input", bundle);
  await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Model loaded"));
  const loadSeconds = (Date.now() - dropped) / 1000;
  assert.equal(await page.isHidden("#error"), true);
  const backend = await page.$eval("#backend", (e) => e.dataset.backend);
  log("backend:", backend, await page.textContent("#backend-note"), `(loaded in ${loadSeconds.toFixed(2)} s)`);
  await page.setInputFiles("#test-input", testFile);
  const byWorkers = {};
  let firstAnswerSeconds = null;
  for (const workers of workerCounts) {
    // A new count applies at the next run; WebGPU runs in one worker whatever the count.
    await page.fill("#workers", String(workers));
    const clicked = Date.now();
    const shown = await evaluate(firstAnswerSeconds === null ? async () => {
      await page.waitForFunction(() => document.querySelector("#progress").value > 0, null, { polling: 10 });
      firstAnswerSeconds = loadSeconds + (Date.now() - clicked) / 1000;
    } : null);
    const ran = backend.startsWith("webgpu") ? 1 : workers;
    assert.equal(await page.$eval("#backend", (e) => e.dataset.workers), String(ran));
    assert.match(shown.speedText, new RegExp(`, ${ran} workers?$`), shown.speedText);
    byWorkers[workers] = shown.speed;
    log(`page, ${workers} worker(s) on ${backend}: ${shown.counts}, ${shown.speed.toFixed(1)} samples/s; CLI: ${cliHits}/${cliTotal}, ${cliSpeed} samples/s`);
    assert.equal(shown.counts.split(" ")[0], String(cliHits), "correct count differs from calt eval");
    assert.ok(shown.counts.startsWith(`${cliHits} / ${cliTotal} correct`), shown.counts);
    assert.ok(Math.abs(shown.accuracy - cliHits / cliTotal) < 1e-12, `accuracy ${shown.accuracy}`);
    assert.deepEqual(shown.progress, [cliTotal, cliTotal]);
    assert.equal(shown.rows.length, cliTotal);
    shown.rows.forEach((row, i) => {
      assert.equal(row.generated, cliRecords[i].generated, `${workers} workers, sample ${i + 1}: generated differs from calt eval`);
      assert.equal(row.reference, cliRecords[i].reference, `sample ${i + 1}: reference differs`);
      assert.equal(row.wrong, row.generated.trim() !== row.reference.trim());
      assert.equal(row.marks > 0, row.wrong, `sample ${i + 1}: highlight`);
    });
    // A model that learned nothing or everything would make the comparison weak.
    log(`accuracy ${shown.accuracy}: ${shown.rows.filter((r) => r.wrong).length} wrong rows`);
  }

  // ---- 5a. beam search in the page equals `calt eval --beams` ----
  {
    const beamOut = run(["eval", "--model", bundle, "--data", testFile, "--device", "cpu", "--beams", "3",
      "--output", join(out, "cli_eval_beams.json")]);
    const beamRecords = JSON.parse(readFileSync(join(out, "cli_eval_beams.json"), "utf8"));
    await page.fill("#beams", "3");
    const shown = await evaluate();
    await page.fill("#beams", "1");
    log(`page, 3 beams: ${shown.counts}; ${beamOut.split("\n")[0]}`);
    shown.rows.forEach((row, i) => assert.equal(row.generated, beamRecords[i].generated, `3 beams, sample ${i + 1}`));
    // The downloads below are of a greedy run again.
    await evaluate();
  }

  // ---- 5b. the insights and the downloads of the last run ----
  const bars = await page.$$eval("#by-length svg rect.bar", (r) => r.length);
  assert.ok(bars > 0, "no answer-length chart");
  const wrongCount = cliTotal - cliHits;
  const confusionRows = await page.$$eval("#confusion tbody tr", (r) => r.length);
  assert.equal(confusionRows > 0, wrongCount > 0, "first-difference table");
  const [jsonDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
  const downloaded = JSON.parse(readFileSync(await jsonDownload.path(), "utf8"));
  assert.deepEqual(downloaded, cliRecords, "the page's eval JSON differs from calt eval's file");
  const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
  const csvLines = readFileSync(await csvDownload.path(), "utf8").trim().split("\n");
  assert.equal(csvLines.length, cliTotal + 1);

  // ---- 5c. Cancel: the samples finished so far are shown, and the page keeps working ----
  if (!given) {
    const long = join(out, "long_test.txt");
    writeFileSync(long, dataset(2000, 3));
    await page.setInputFiles("#test-input", long);
    await page.fill("#batch-size", "8");
    await page.click("#run");
    // Past 30%, some share has finished (the shares in flight hold less than that).
    await page.waitForFunction(() => document.querySelector("#progress").value >= 600);
    await page.click("#cancel");
    await page.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Cancelled"));
    const partial = await page.$$eval("#results tbody tr", (trs) => trs.length);
    log(`cancelled with ${partial} of 2000 samples shown`);
    assert.ok(partial > 0 && partial < 2000, `cancel: ${partial} rows shown`);
    await page.waitForFunction(() => !document.querySelector("#run").disabled);
    await page.fill("#batch-size", "64");
    await page.setInputFiles("#test-input", testFile);
    const again = await evaluate();
    assert.ok(again.counts.startsWith(`${cliHits} / ${cliTotal} correct`), `after cancel: ${again.counts}`);
  }

  // ---- 5d. fresh problems: drawn in the page as `calt generate` draws them, then evaluated
  // as `calt eval` evaluates them; a bad parameter is an error and the page keeps working ----
  if (!given) {
    assert.equal(await page.isHidden("#fresh"), false, "the bundle's task is not offered");
    assert.equal(await page.textContent("#fresh-task-name"), "gf17_addition");
    assert.equal(await page.inputValue("#fresh-seed"), "2", "default seed: the training seed + 1");
    await page.fill('#fresh-parameters input[data-key="prime"]', "8");
    await page.click("#fresh-run");
    await page.waitForSelector("#error:not([hidden])");
    assert.match(await page.textContent("#error"), /prime/);
    await page.click("#fresh-reset");
    // A longer list than in training, with a seed beyond 2^53.
    const seed = "9007199254740993";
    await page.fill('#fresh-parameters input[data-key="max_length"]', "4");
    await page.fill("#fresh-seed", seed);
    await page.fill("#fresh-count", "40");
    await page.click("#fresh-run");
    await page.waitForFunction(() => /^(Done|Evaluation failed|The problems)/.test(document.querySelector("#status").textContent));
    assert.equal(await page.isHidden("#error"), true, await page.textContent("#error"));
    assert.match(await page.textContent("#fresh-changes"), /max_length: 3 → 4/);
    const [freshDownload] = await Promise.all([page.waitForEvent("download"), page.click("#fresh-download")]);
    assert.equal(freshDownload.suggestedFilename(), `fresh_seed${seed}_test_raw.txt`);
    const pageProblems = readFileSync(await freshDownload.path(), "utf8");
    writeFileSync(join(out, "fresh.yaml"), dataYaml("fresh", seed, 1, 40, TASK.replace("max_length: 3", "max_length: 4")));
    run(["generate", "--config", "fresh.yaml"]);
    const cliProblems = join(out, "fresh", "test_raw.txt");
    assert.equal(pageProblems, readFileSync(cliProblems, "utf8"), "fresh problems differ from calt generate's");
    const freshEval = run(["eval", "--model", bundle, "--data", cliProblems, "--device", "cpu"]);
    const [, freshHits, freshTotal] = freshEval.match(/generation_accuracy [\d.]+ \((\d+)\/(\d+)\)/);
    const freshCounts = await page.textContent("#counts");
    log(`fresh problems (max_length 4): page ${freshCounts}; calt eval ${freshHits}/${freshTotal}`);
    assert.ok(freshCounts.startsWith(`${freshHits} / ${freshTotal} correct`), freshCounts);
    await page.setInputFiles("#test-input", testFile);
    const back = await evaluate();
    assert.ok(back.counts.startsWith(`${cliHits} / ${cliTotal} correct`), `after fresh problems: ${back.counts}`);
  }

  // ---- 6. the wrong-only filter and the one-problem box ----
  await page.check("#wrong-only");
  const visible = await page.$$eval("#results tbody tr", (trs) => trs.filter((tr) => tr.offsetParent !== null).length);
  assert.equal(visible, cliTotal - cliHits);
  await page.uncheck("#wrong-only");
  const firstProblem = readFileSync(testFile, "utf8").split("\n")[0].split("#")[0].trim();
  await page.fill("#problem", firstProblem);
  await page.click("#generate");
  await page.waitForFunction(() => !["", "…"].includes(document.querySelector("#answer").textContent));
  assert.equal(await page.textContent("#answer"), cliRecords[0].generated);

  // ---- 7. links: ?model=URL&test=URL from another origin (CORS), a bad link, the last model ----
  const files = createServer((req, res) => {
    const path = join(out, decodeURIComponent(new URL(req.url, "http://x").pathname));
    res.setHeader("Access-Control-Allow-Origin", "*");
    try {
      const body = readFileSync(path);
      res.writeHead(200);
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((ok) => files.listen(0, "127.0.0.1", ok));
  const filesUrl = `http://127.0.0.1:${files.address().port}`;
  try {
    const linked = await browser.newPage();
    linked.setDefaultTimeout(300000);
    const modelPath = bundle.startsWith(out) ? bundle.slice(out.length) : null;
    const testPath = testFile.startsWith(out) ? testFile.slice(out.length) : null;
    if (modelPath && testPath) {
      await linked.goto(`${url}?model=${encodeURIComponent(filesUrl + modelPath)}&test=${encodeURIComponent(filesUrl + testPath)}`);
      await linked.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Model loaded"));
      await linked.click("#run");
      await linked.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Done"));
      const counts = await linked.textContent("#counts");
      assert.ok(counts.startsWith(`${cliHits} / ${cliTotal} correct`), `linked files: ${counts}`);
    }
    await linked.goto(`${url}?model=${encodeURIComponent(filesUrl + "/no-such.safetensors")}`);
    await linked.waitForSelector("#error:not([hidden])");
    const linkError = await linked.textContent("#error");
    assert.match(linkError, /no-such\.safetensors.*404/, linkError);
    await linked.setInputFiles("#bundle-input", bundle);
    await linked.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Model loaded"));
    // The next plain visit offers the model loaded last (once the page has stored it).
    await linked.waitForSelector("#bundle-name[data-kept]", { state: "attached" });
    await linked.goto(url);
    await linked.waitForSelector("#last-bundle:not([hidden])");
    await linked.click("#last-bundle");
    await linked.waitForFunction(() => document.querySelector("#status").textContent.startsWith("Model loaded"));
    await linked.close();
  } finally {
    files.close();
  }

  const shot = join(out, "playground.png");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: shot, fullPage: false });
  await page.setViewportSize({ width: 390, height: 844 });
  const phoneShot = join(out, "playground-phone.png");
  await page.screenshot({ path: phoneShot, fullPage: true });
  log("screenshots:", shot, phoneShot);
  const bugs = consoleErrors.filter((e) => /calt-wasm bug|RuntimeError|unreachable/.test(e));
  assert.deepEqual(bugs, [], "the wasm module reported a bug");
  writeFileSync(join(out, "result.json"), JSON.stringify({ webgpu, backend,
    browser_samples_per_second_by_workers: byWorkers, cli_samples_per_second: cliSpeed,
    load_seconds: loadSeconds, first_answer_seconds: firstAnswerSeconds,
    accuracy: cliHits / cliTotal, samples: cliTotal }, null, 2));
  log("ok");
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await browser.close();
  server.kill();
}
process.exit(failed ? 1 : 0);
