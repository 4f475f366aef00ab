#!/usr/bin/env bash
# The one command that runs every test (README "Testing"). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

bash scripts/setup.sh

step() { echo; echo "==> $*"; }
# The shared build cache keeps every test binary it ever linked (hundreds of MB each with debug
# info); drop those untouched for two days so the disk does not fill. Cargo relinks any it needs.
for deps in "$CARGO_TARGET_DIR"/debug/deps "$CARGO_TARGET_DIR"/wasm32-unknown-unknown/debug/deps; do
  if [ -d "$deps" ]; then
    find "$deps" -maxdepth 1 -type f -perm -u+x ! -name '*.so' -mtime +2 -delete
  fi
done
step "format";  cargo fmt --all -- --check
step "clippy";  cargo clippy --workspace --all-targets -- -D warnings
step "tests";   cargo test --workspace
step "calt-core and calt-generate build for wasm32"
cargo build -p calt-core -p calt-generate --target wasm32-unknown-unknown
if [ -d crates/calt-wasm ]; then
  step "browser tests (wasm-pack, headless Chromium)"
  bash scripts/wasm-test.sh
fi
echo; echo "all tests passed"
