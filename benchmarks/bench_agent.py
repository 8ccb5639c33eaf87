"""Score the chat agent on the eval questions and print one BENCHMARKS.md table row per LLM.

    SALESCAST_HOME=... python benchmarks/bench_agent.py --llm scripted --llm embedded [--only forecast,why] [--limit N]

The models must be trained in that home (``salescast train``). Each run also writes the full per-question report
to ``bench-agent-<llm>.json`` so a failure can be read answer by answer.
"""

from __future__ import annotations

import argparse
import os
import platform
from pathlib import Path

from agent.eval_runner import default_questions, run_eval


def row(summary: dict, cores: int | None) -> str:
    return (
        f"| {summary['llm']} | {summary['questions']} | {100 * summary['tool_choice_accuracy']:.0f} % | "
        f"{100 * summary['answer_correctness']:.0f} % | {summary['grounding_failures']} | {summary['p50_seconds']} s | "
        f"{summary['p95_seconds']} s | {cores or '?'} cores, {platform.machine()} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", action="append", default=None, help="scripted, embedded, env or a model name")
    parser.add_argument("--only", default=None, help="comma-separated categories")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print("| LLM | questions | tool choice | correct | grounding failures | p50 | p95 | machine |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for llm in args.llm or ["scripted"]:
        categories = [c.strip() for c in args.only.split(",")] if args.only else None
        report = run_eval(default_questions(), llm=llm, limit=args.limit, categories=categories)
        Path(f"bench-agent-{llm}.json").write_text(report.model_dump_json(indent=1))
        print(row(report.summary(), os.cpu_count()), flush=True)


if __name__ == "__main__":
    main()
