#!/usr/bin/env bash
# The playground's speed with and without WebAssembly SIMD128, against `calt eval` in the same
# runs: builds the page's wasm twice (release; the scalar build in its own target folder, as it
# recompiles burn: ~30 min on two cores), then runs the end-to-end test's measuring mode with
# each build in turn and prints one result.json line per run. web/pkg is the SIMD128 build
# again at the end.
#
# Usage: bash benches/playground/simd.sh MODEL.safetensors TEST_RAW.txt [ROUNDS]
#   e.g. a gf17_addition model (configs/gf17_addition, num_train_samples: 20000) and its
#   data/test_raw.txt; CALT_BIN picks the calt binary (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
model=$(realpath "$1")
test=$(realpath "$2")
rounds=${3:-4}
target="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
calt="${CALT_BIN:-$target/release/calt}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

CALT_WEB_PROFILE=release bash scripts/build-web.sh >&2
cp -r web/pkg "$work/simd"
# The repository's cargo config adds +simd128 for wasm32; the environment's flags come after it.
CARGO_TARGET_DIR="$target-scalar-wasm" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-simd128" \
  wasm-pack build crates/calt-wasm --release --target web --out-dir "$work/scalar" \
  --out-name calt_wasm --no-pack >&2

for round in $(seq "$rounds"); do
  for build in simd scalar; do
    rm -rf web/pkg && cp -r "$work/$build" web/pkg
    out="$work/$build-$round"
    (cd tests/e2e && CALT_E2E_OUT="$out" CALT_BIN="$calt" CALT_E2E_BUNDLE="$model" \
      CALT_E2E_TEST="$test" CALT_E2E_WORKERS=1,2 node playground.test.mjs >"$out.log" 2>&1) \
      || { echo "$build run $round failed: see the log below" >&2; cat "$out.log" >&2; }
    echo "{\"build\": \"$build\", \"round\": $round, \"result\": $(tr -d '\n' < "$out/result.json" 2>/dev/null || echo null)}"
  done
done
rm -rf web/pkg && cp -r "$work/simd" web/pkg
