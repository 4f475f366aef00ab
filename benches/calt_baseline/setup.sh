#!/usr/bin/env bash
# Installs the Python CALT baseline for `calt bench-generate` into benches/calt_baseline/.venv:
# calt-x 1.5.0 from PyPI without its training stack (torch, transformers, wandb are not needed
# by CALT's dataset pipeline) plus what that pipeline imports.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --no-deps calt-x==1.5.0
.venv/bin/pip install --quiet --disable-pip-version-check \
  joblib==1.6.0 cloudpickle sympy==1.14.0 numpy pyyaml
echo "calt baseline ready: $(pwd)/.venv/bin/python"
