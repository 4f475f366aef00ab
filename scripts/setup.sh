#!/usr/bin/env bash
# Installs everything calt's build and tests need on a fresh Debian machine, from Debian's
# archive and crates.io only (nothing downloads binaries at build or run time). Idempotent:
# a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(
  mesa-vulkan-drivers   # lavapipe: software Vulkan, so WGPU runs without a GPU
  libvulkan1
  chromium              # headless browser for wasm-pack tests and the page test
  chromium-driver
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

rustup target list --installed | grep -qx wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown
rustup component list --installed | grep -q '^clippy' || rustup component add clippy
rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt

# wasm-bindgen-cli must match the wasm-bindgen version in Cargo.lock exactly.
if grep -q '^name = "wasm-bindgen"$' Cargo.lock 2>/dev/null; then
  want=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    echo "setup: installing wasm-bindgen-cli $want"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
  command -v wasm-pack >/dev/null || cargo install wasm-pack --locked
fi
echo "setup: ok"
