#!/usr/bin/env bash
# Install salescast into ./.venv (created if missing). `--dev` adds the test tools.
# torch: the project accepts torch>=2.5, but an unpinned install pulls several GB of CUDA wheels, so where torch is
# absent we install the 2.13.0 CPU build first. To use a GPU, install your CUDA torch into .venv before this script.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "salescast needs Python >= 3.11")'
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  .venv/bin/pip install --quiet "torch==2.13.0"
fi
extras=""
if [ "${1:-}" = "--dev" ]; then extras="[dev]"; fi
.venv/bin/pip install --quiet -e ".${extras}"
