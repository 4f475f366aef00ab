#!/usr/bin/env bash
# The main job (README "The two commands"): lex a task's data and check a dataset exactly as
# training loads it, using the sample data CALT ships for gf17_addition.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"
cargo build --release -q -p calt-cli
calt="$CARGO_TARGET_DIR/release/calt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"
cp tests/data/sample_data/gf17_addition/*_raw.txt "$work/data/"
cp configs/gf17_addition/lexer.yaml configs/gf17_addition/train.yaml "$work/"
echo "== calt lex"
head -3 "$work/data/train_raw.txt" | cut -d'#' -f1 | "$calt" lex --config "$work/lexer.yaml"
echo "== calt data check"
"$calt" data check --config "$work/train.yaml"
