#!/usr/bin/env bash
# Installs the Python CALT with its training stack for `benches/learning/run.py --caltx`:
# calt-x 1.5.0, transformers 4.57.1 and torch from PyPI, in benches/learning/.venv.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check calt-x==1.5.0 transformers==4.57.1
echo "calt-x ready: $(pwd)/.venv/bin/python"
