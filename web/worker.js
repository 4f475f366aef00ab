// The Web Worker that owns the wasm module: loading, evaluation, generation and drawing fresh
// problems all run here so the page stays responsive. Messages in:
// {type: "load" | "evaluate" | "generate" | "fresh", id, ...};
// messages out: {type: "progress"} while evaluating, then {type: "done", id, result} or
// {type: "error", id, message}.
import init, { Playground, freshProblems } from "./pkg/calt_wasm.js";

const ready = init();
let playground = null;

const handlers = {
  async load({ bytes, backend }) {
    await ready;
    if (playground) playground.free();
    playground = null;
    const loaded = await Playground.load(new Uint8Array(bytes), backend);
    playground = loaded;
    return { backend: loaded.backend, note: loaded.backendNote ?? null, info: loaded.info() };
  },
  async evaluate({ name, text, options }) {
    const pg = requireModel();
    const onProgress = (done, total) => postMessage({ type: "progress", done, total });
    return await pg.evaluate(name, text, options, onProgress);
  },
  async generate({ problem }) {
    return await requireModel().generate(problem);
  },
  async fresh({ request }) {
    await ready;
    return freshProblems(request);
  },
};

function requireModel() {
  if (!playground) throw new Error("load a model bundle first");
  return playground;
}

// One request at a time, in order: the model is not shared between concurrent calls.
let queue = Promise.resolve();
onmessage = ({ data }) => {
  queue = queue.then(async () => {
    try {
      const handler = handlers[data.type];
      if (!handler) throw new Error(`unknown request ${data.type}`);
      postMessage({ type: "done", id: data.id, result: await handler(data) });
    } catch (err) {
      postMessage({ type: "error", id: data.id, message: String(err?.message ?? err) });
    }
  });
};
