#!/usr/bin/env bash
# The one command that runs every test (README "Testing"). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

bash scripts/setup.sh

step() { echo; echo "==> $*"; }
step "format";  cargo fmt --all -- --check
step "clippy";  cargo clippy --workspace --all-targets -- -D warnings
step "tests";   cargo test --workspace
step "calt-core builds for wasm32"
cargo build -p calt-core --target wasm32-unknown-unknown
if [ -d crates/calt-wasm ]; then
  step "browser tests (wasm-pack, headless Chromium)"
  bash scripts/wasm-test.sh
fi
echo; echo "all tests passed"
