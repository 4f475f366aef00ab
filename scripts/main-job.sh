#!/usr/bin/env bash
# The main job (README "The two commands"): generate a gf17_addition dataset, train a small
# model on it (on a GPU through WGPU when there is one, else on the CPU) and score it by
# generation exact match. Everything happens in a scratch copy of configs/gf17_addition.
#
# Sizes can be changed without editing anything:
#   CALT_TRAIN_SAMPLES (default 20000)  CALT_TEST_SAMPLES (1000)  CALT_EPOCHS (10)
#   CALT_DEVICE (auto | wgpu | cpu)     CALT_WORK (folder to keep the run in; default: a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"

# Build `calt` exactly as the tests build it, so this reuses their build of burn instead of
# compiling a second variant (a release build is `cargo install --path crates/calt-cli`).
cargo test --workspace --no-run -q
calt="$CARGO_TARGET_DIR/debug/calt"

if [ -n "${CALT_WORK:-}" ]; then
  work="$CALT_WORK"
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
cp configs/gf17_addition/data.yaml configs/gf17_addition/lexer.yaml configs/gf17_addition/train.yaml "$work/"
sed -i -e "s/^\(  num_train_samples:\).*/\1 ${CALT_TRAIN_SAMPLES:-20000}/" \
       -e "s/^\(  num_test_samples:\).*/\1 ${CALT_TEST_SAMPLES:-1000}/" "$work/data.yaml"
sed -i -e "s/^\(  num_train_epochs:\).*/\1 ${CALT_EPOCHS:-10}/" "$work/train.yaml"

echo "== calt generate"
"$calt" generate --config "$work/data.yaml"
echo "== calt data check"
"$calt" data check --config "$work/train.yaml"
echo "== calt train"
"$calt" train --config "$work/train.yaml" --device "${CALT_DEVICE:-auto}"
echo "== calt eval"
"$calt" eval --model "$work/results" --data "$work/data/test_raw.txt" --device "${CALT_DEVICE:-auto}"
