#!/usr/bin/env bash
# Browser tests (called by scripts/test.sh): calt-core and calt-wasm under
# `wasm-pack test --headless --chrome` in Debian's Chromium, then the end-to-end page test
# (tests/e2e: the CLI trains a tiny model, the page evaluates it, both must agree).
# Installs nothing beyond scripts/setup.sh, except the e2e test's one npm package
# (playwright-core, pinned in tests/e2e/package-lock.json; it downloads no browser).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
# Model tests take longer than the runner's default 20 s on two cores.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-600}"
# Chromium flags for running as root, without a sandbox or GPU, on a closed network.
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/calt-wasm/webdriver.json"

for tool in wasm-pack wasm-bindgen chromedriver /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "wasm-test: $tool missing: run bash scripts/setup.sh" >&2; exit 1; }
done

step() { echo; echo "--> $*"; }
step "calt-core in the browser (lexer, tokenizer, bundle, forward pass, generation)"
wasm-pack test --headless --chrome crates/calt-core --test browser_core
step "calt-wasm in the browser (playground API)"
wasm-pack test --headless --chrome crates/calt-wasm --test browser
step "calt-wasm on WebGPU (Chromium's software SwiftShader adapter): same answers as the CPU"
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/crates/calt-wasm/webdriver-webgpu.json" \
  wasm-pack test --headless --chrome crates/calt-wasm --test browser -- webgpu

if [ "${CALT_SKIP_E2E:-0}" = 1 ]; then
  echo "wasm-test: CALT_SKIP_E2E=1: end-to-end page test skipped"
  exit 0
fi
step "end-to-end: CLI-trained model evaluated in the page equals calt eval"
CALT_WEB_PROFILE="${CALT_WEB_PROFILE:-dev}" bash scripts/build-web.sh
# The `calt` binary the workspace tests already built (same features, so no second build of burn).
cargo test --workspace --no-run -q
(cd tests/e2e && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })
CALT_BIN="$CARGO_TARGET_DIR/debug/calt" node tests/e2e/playground.test.mjs
