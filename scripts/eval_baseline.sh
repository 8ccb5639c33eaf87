#!/usr/bin/env bash
# The baseline for a held-out question set: the chat as it was before the semantic redesign (commit 0a5da84, the
# last with the narrow analytics tools and the regex-checked router), on this checkout's warehouse and models.
#
#   scripts/eval_baseline.sh tests/eval/holdout9.yaml baseline.json [--llm embedded]
#
# It checks the old code out into a temporary git worktree, gives it this checkout's eval scorer (which counts the
# old tool names as sales_query, and nothing else), runs `salescast eval` there and removes the worktree.
set -euo pipefail
REV="${SALESCAST_BASELINE_REV:-0a5da84}"
questions="$(realpath "$1")"; out="$(realpath -m "$2")"; shift 2
root="$(git rev-parse --show-toplevel)"
export SALESCAST_HOME="$(realpath -m "${SALESCAST_HOME:-$root/var}")"
tree="$(mktemp -d)/baseline"
git -C "$root" worktree add --detach --quiet "$tree" "$REV"
trap 'git -C "$root" worktree remove --force "$tree"' EXIT
cp "$root/agent/eval_runner.py" "$tree/agent/eval_runner.py"
cd "$tree"
"$root/.venv/bin/python" -c "import agent, sys; sys.exit(agent.__file__.startswith('$tree') is False)" \
  || { echo "the baseline would import this checkout's code, not $REV's" >&2; exit 1; }
"$root/.venv/bin/python" -m ui.cli eval --llm embedded --questions "$questions" --json "$out" "$@"
