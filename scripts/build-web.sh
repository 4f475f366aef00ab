#!/usr/bin/env bash
# Builds the browser playground's wasm bundle into web/pkg as wasm-pack.toml says.
# Usage: bash scripts/build-web.sh            (then: calt serve, and open http://127.0.0.1:8000/)
#        CALT_WEB_PROFILE=dev bash scripts/build-web.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/calt-target}"

# Reads `key = "value"` from wasm-pack.toml (flat keys, string values; comments ignored).
setting() {
  sed -n "s/^$1[[:space:]]*=[[:space:]]*\"\{0,1\}\([^\"#]*\)\"\{0,1\}[[:space:]]*\(#.*\)\{0,1\}$/\1/p" wasm-pack.toml \
    | head -n1 | sed 's/[[:space:]]*$//'
}
crate=$(setting crate)
target=$(setting target)
out_dir=$(setting out-dir)
out_name=$(setting out-name)
profile="${CALT_WEB_PROFILE:-$(setting profile)}"
wasm_opt=$(setting wasm-opt)
wasm_opt_args=$(setting wasm-opt-args)
for v in crate target out_dir out_name profile; do
  [ -n "${!v}" ] || { echo "build-web: wasm-pack.toml has no ${v//_/-}" >&2; exit 1; }
done
case "$profile" in release|dev|profiling) ;; *) echo "build-web: unknown profile $profile" >&2; exit 1;; esac

command -v wasm-pack >/dev/null || { echo "build-web: wasm-pack missing: run bash scripts/setup.sh" >&2; exit 1; }
command -v wasm-bindgen >/dev/null || { echo "build-web: wasm-bindgen missing: run bash scripts/setup.sh" >&2; exit 1; }

# wasm-pack's --out-dir is relative to the crate.
out_abs="$PWD/$out_dir"
cmd=(wasm-pack build "$crate" --"$profile" --target "$target" --out-dir "$out_abs" --out-name "$out_name" --no-pack)
echo "build-web: ${cmd[*]}"
"${cmd[@]}"

wasm="$out_abs/${out_name}_bg.wasm"
if [ "$wasm_opt" = "auto" ] && [ "$profile" = "release" ] && command -v wasm-opt >/dev/null; then
  echo "build-web: wasm-opt $wasm_opt_args"
  # shellcheck disable=SC2086  # the arguments are a word list on purpose
  wasm-opt $wasm_opt_args "$wasm" -o "$wasm.opt" && mv "$wasm.opt" "$wasm"
fi
rm -f "$out_abs/.gitignore"
echo "build-web: $(du -h "$wasm" | cut -f1) $wasm"
echo "build-web: serve the page with: calt serve   (or: cargo run -p calt-cli -- serve)"
