// A pool of Web Workers (worker.js), each with its own wasm instance and copy of the model:
// an evaluation is cut into shares of consecutive lines that idle workers take in turn, and
// the shares' records are merged back in file order. Cancelling stops every worker at once;
// the shares finished so far are the partial result, and fresh workers reload the model.

/// More workers than this cost memory (one model each) for little: batches already fill a core.
export const MAX_WORKERS = 8;

/// Shares of the file's lines per worker: enough that workers finish together and a cancelled
/// run keeps most of its work.
const SHARES_PER_WORKER = 4;

export function defaultWorkerCount() {
  return Math.max(1, Math.min(navigator.hardwareConcurrency || 1, MAX_WORKERS));
}

/// One worker and its request/answer protocol (see worker.js).
class Client {
  constructor(onProgress) {
    this.worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.nextId = 1;
    this.worker.onmessage = ({ data }) => {
      if (data.type === "progress") return onProgress(this, data.done, data.total);
      const request = this.pending.get(data.id);
      if (!request) return;
      this.pending.delete(data.id);
      if (data.type === "error") request.reject(new Error(data.message));
      else request.resolve(data.result);
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(`worker failed: ${event.message ?? "could not start (is web/pkg built?)"}`));
    };
  }

  ask(type, payload = {}, transfer = []) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type, id, ...payload }, transfer);
    });
  }

  fail(error) {
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
  }

  stop() {
    this.worker.terminate();
    this.fail(new Cancelled());
  }
}

export class Cancelled extends Error {
  constructor() { super("cancelled"); }
}

export class Pool {
  constructor() {
    this.clients = [];
    this.model = null; // { bytes, backend, choice, count } of the last successful load
    this.shareProgress = new Map();
    this.onProgress = () => {};
    this.running = false;
  }

  /// Starts `count` workers and loads the bundle into each. WebGPU shares one device, so a
  /// model that landed on WebGPU runs in one worker.
  async load(bytes, backend, count) {
    this.stopAll();
    this.model = null;
    const first = this.spawn();
    const loaded = await first.ask("load", { bytes, backend });
    // What a worker is asked to load on: the backend the first one landed on.
    const choice = loaded.backend.startsWith("webgpu") ? "webgpu" : "cpu";
    this.model = { bytes, backend: loaded.backend, choice, count: 1 };
    try {
      await this.resize(count);
    } catch (err) {
      this.stopAll();
      this.model = null;
      throw err;
    }
    return { ...loaded, workers: this.size };
  }

  get size() { return this.clients.length; }

  /// Runs the loaded model in `count` workers from now on (WebGPU: always one): workers are
  /// started and given the model, or stopped.
  async resize(count) {
    if (!this.model) return;
    const target = this.model.choice === "webgpu" ? 1 : count;
    while (this.clients.length > target) this.clients.pop().stop();
    const added = Array.from({ length: target - this.clients.length }, () => this.spawn());
    try {
      await Promise.all(added.map((c) => c.ask("load", { bytes: this.model.bytes, backend: this.model.choice })));
    } catch (err) {
      this.clients = this.clients.filter((c) => !added.includes(c));
      for (const c of added) c.stop();
      throw err;
    }
    this.model.count = count;
  }

  spawn() {
    const client = new Client((c, done) => {
      this.shareProgress.set(c, done);
      this.onProgress();
    });
    this.clients.push(client);
    return client;
  }

  stopAll() {
    for (const c of this.clients) c.stop();
    this.clients = [];
  }

  /// One problem, on the first worker.
  generate(problem) {
    return this.clients[0].ask("generate", { problem });
  }

  /// Fresh problems of a built-in task (see fresh.js), drawn on the first worker; Cancel
  /// stops it as it stops an evaluation (a slow task can take long over many problems).
  async freshProblems(request) {
    this.running = true;
    try {
      return await this.clients[0].ask("fresh", { request });
    } finally {
      this.running = false;
    }
  }

  /// Evaluates `text`; `progress(done, expected)` as samples finish (`expected`: the file's
  /// non-empty lines). Resolves to the merged summary, or rejects with `Cancelled` carrying
  /// the shares finished so far.
  async evaluate(name, text, options, progress) {
    const lines = text.split("\n");
    const expected = lines.filter((l) => l.trim()).length;
    const shareLines = Math.max(options.batchSize ?? 1, Math.ceil(lines.length / (this.size * SHARES_PER_WORKER)));
    const shares = Math.ceil(lines.length / shareLines);
    const results = [];
    let nextShare = 0;
    let finished = 0;
    this.shareProgress = new Map();
    this.onProgress = () => {
      let inFlight = 0;
      for (const n of this.shareProgress.values()) inFlight += n;
      progress(finished + inFlight, expected);
    };
    const started = performance.now();
    const workers = this.size;
    const backend = this.model?.backend ?? "";
    // The first failure stops every worker from taking another share.
    let failure = null;
    const run = async (client) => {
      while (!failure && nextShare < shares) {
        const start = nextShare++ * shareLines;
        this.shareProgress.set(client, 0);
        const r = await client.ask("evaluate", { name, text, options: { ...options, lines: [start, start + shareLines] } });
        this.shareProgress.set(client, 0);
        finished += r.total;
        results.push(r);
        this.onProgress();
      }
    };
    this.running = true;
    await Promise.all(this.clients.map((c) => run(c).catch((err) => { failure ??= err; })));
    this.running = false;
    const merged = merge(results, performance.now() - started, backend, workers);
    if (failure) {
      if (failure instanceof Cancelled) failure.partial = merged;
      throw failure;
    }
    if (merged.total === 0) throw new Error(`${name}: the test set has no usable samples`);
    return merged;
  }

  /// Stops a running evaluation: every worker is terminated (the wasm cannot be interrupted
  /// mid-batch), and fresh ones load the model again so that the page stays usable.
  async cancel() {
    if (!this.running || !this.model) return;
    this.stopAll();
    const { bytes, choice, count } = this.model;
    await this.load(bytes, choice, count);
  }
}

/// The shares' summaries as one, records in file order.
function merge(shares, millis, backend, workers) {
  const records = shares.flatMap((s) => s.records).sort((a, b) => a.line - b.line);
  const correct = records.filter((r) => r.correct).length;
  const seconds = millis / 1000;
  return {
    accuracy: records.length ? correct / records.length : 0,
    correct,
    total: records.length,
    skipped: shares.reduce((sum, s) => sum + s.skipped, 0),
    seconds,
    samples_per_second: records.length / Math.max(seconds, 1e-9),
    backend,
    workers,
    records,
  };
}
