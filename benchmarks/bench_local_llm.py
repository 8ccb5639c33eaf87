"""Measure the embedded LLM: load time, prompt and generation speed, memory, and structured-call latency.

Run from the repository root: ``.venv/bin/python benchmarks/bench_local_llm.py [--models qwen-0.5b,qwen-1.5b]
[--threads 2] [--runs 3] [--json FILE]``. Each installed model is served the way the app serves it (a child
process behind the OpenAI API) and timed through HTTP, so the numbers include everything an agent waits for. The
load average is recorded before and after: on a shared 2-core machine a busy neighbour halves the speeds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent import local_llm
from agent.local_llm import MODELS, LocalLLM, LocalLLMError

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "run_sql",
            "description": "Run one read-only DuckDB SQL query on the merchant's sales tables.",
            "parameters": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "forecast",
            "description": "Forecast weekly units of one product for the next weeks.",
            "parameters": {
                "type": "object",
                "properties": {"product": {"type": "string"}, "weeks": {"type": "integer"}},
                "required": ["product", "weeks"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "price_effect",
            "description": "Estimate how units change when the price of a product changes.",
            "parameters": {
                "type": "object",
                "properties": {"product": {"type": "string"}, "price_change_pct": {"type": "number"}},
                "required": ["product", "price_change_pct"],
            },
        },
    },
]
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}, "confidence": {"type": "string", "enum": ["low", "medium", "high"]}},
    "required": ["answer", "confidence"],
}
LONG_CONTEXT = " ".join(
    f"Week {i}: store 12 sold {100 + i * 7 % 50} units of Tropicana 64 oz at $2.{i % 10}9." for i in range(40)
)


def _post(base_url: str, body: dict, fresh: bool = True) -> tuple[dict, float]:
    """The reply and its wall time. ``fresh`` puts a nonce first in the prompt, so the server's KV prefix cache cannot
    help (a first question); without it, a repeated system prompt and tool list are reused (a later turn)."""
    body = {"temperature": 0, **body}
    session = uuid.uuid4().hex if fresh else "fixed"
    body["messages"] = [
        {"role": "system", "content": f"Session {session}. You help a grocery merchant."},
        *body["messages"],
    ]
    request = urllib.request.Request(
        base_url + "/chat/completions", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as resp:
        reply = json.loads(resp.read())
    return reply, time.perf_counter() - start


def _rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def _rate(tokens: float, ms: float) -> float:
    return round(tokens / (ms / 1000), 1) if ms else 0.0


def measure_speed(base_url: str, runs: int) -> dict:
    """Prompt tokens/s on a ~1,240-token prompt, generation tokens/s on 128 free-text tokens (medians)."""
    prompt_rates, gen_rates, prompt_tokens = [], [], 0
    for _ in range(runs):
        reply, _ = _post(
            base_url, {"messages": [{"role": "user", "content": LONG_CONTEXT + " Summarise."}], "max_tokens": 1}
        )
        prompt_tokens = reply["timings"]["prompt_n"]
        prompt_rates.append(_rate(prompt_tokens, reply["timings"]["prompt_ms"]))
        reply, _ = _post(
            base_url,
            {"messages": [{"role": "user", "content": "Count from 1 to 300, comma separated."}], "max_tokens": 128},
        )
        gen_rates.append(_rate(reply["timings"]["predicted_n"], reply["timings"]["predicted_ms"]))
    return {
        "prompt_tokens": prompt_tokens,
        "prompt_tok_s": round(statistics.median(prompt_rates), 1),
        "gen_tok_s": round(statistics.median(gen_rates), 1),
        "prompt_tok_s_runs": prompt_rates,
        "gen_tok_s_runs": gen_rates,
    }


def _tool_call(base_url: str, question: str, fresh: bool) -> tuple[str | None, float]:
    reply, seconds = _post(
        base_url,
        {
            "messages": [{"role": "user", "content": question}],
            "tools": TOOLS,
            "tool_choice": "required",
            "max_tokens": 200,
        },
        fresh,
    )
    calls = reply["choices"][0]["message"].get("tool_calls") or [{"function": {"name": None}}]
    return calls[0]["function"]["name"], round(seconds, 2)


def measure_structured(base_url: str, runs: int) -> dict:
    """Wall seconds of a forced tool call (3 tools listed) on a cold prompt and on a later turn whose system prompt
    and tool list are already in the KV cache, and of a json_schema answer."""
    cold, warm, schema_s, picked = [], [], [], []
    fmt = {"type": "json_schema", "json_schema": {"name": "Answer", "schema": ANSWER_SCHEMA}}
    for i in range(runs):
        name, seconds = _tool_call(base_url, "Forecast Tropicana for 6 weeks.", fresh=True)
        cold.append(seconds)
        picked.append(name)
        _tool_call(base_url, "How many units of Dominicks sold last year?", fresh=False)
        name, seconds = _tool_call(base_url, f"What happens to Minute Maid units if its price rises {5 + i}%?", False)
        warm.append(seconds)
        picked.append(name)
        _, seconds = _post(
            base_url,
            {
                "messages": [{"role": "user", "content": "Is 120 units a good week for OJ?"}],
                "response_format": fmt,
                "max_tokens": 200,
            },
        )
        schema_s.append(round(seconds, 2))
    return {
        "tool_call_cold_s": round(statistics.median(cold), 2),
        "tool_call_warm_s": round(statistics.median(warm), 2),
        "json_schema_s": round(statistics.median(schema_s), 2),
        "tool_call_cold_s_runs": cold,
        "tool_call_warm_s_runs": warm,
        "json_schema_s_runs": schema_s,
        "tools_picked": picked,
    }


def bench_model(key: str, threads: int, runs: int) -> dict:
    os.environ["SALESCAST_LOCAL_MODEL"] = key
    start = time.perf_counter()
    path = local_llm.ensure_weights(MODELS[key])
    assemble_s = round(time.perf_counter() - start, 2)
    with LocalLLM(threads=threads, n_ctx=4096) as server:
        row = {
            "model": key,
            "file": path.name,
            "size_mb": round(path.stat().st_size / 2**20),
            "threads": threads,
            "assemble_or_check_s": assemble_s,
            "load_s": round(server.load_seconds, 2),
        }
        row.update(measure_speed(server.base_url, runs))
        row.update(measure_structured(server.base_url, runs))
        row["rss_mb"] = _rss_mb(server.pid)
    return row


def installed_models(wanted: list[str]) -> list[str]:
    found = []
    for key in wanted:
        try:
            local_llm.part_paths(MODELS[key])
            found.append(key)
        except LocalLLMError as exc:
            print(f"skip {key}: {exc}", file=sys.stderr)
    return found


def print_table(rows: list[dict]) -> None:
    cols = [
        "model",
        "threads",
        "load_s",
        "prompt_tok_s",
        "gen_tok_s",
        "tool_call_cold_s",
        "tool_call_warm_s",
        "json_schema_s",
        "rss_mb",
    ]
    print(" | ".join(cols))
    print(" | ".join("---" for _ in cols))
    for row in rows:
        print(" | ".join(str(row[c]) for c in cols))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="qwen-0.5b,qwen-1.5b", help="comma-separated keys of agent.local_llm")
    parser.add_argument("--threads", type=int, default=local_llm.default_threads())
    parser.add_argument("--runs", type=int, default=3, help="repetitions per measurement (median reported)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    machine = {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "load_before": os.getloadavg(),
    }
    rows = [bench_model(key, args.threads, args.runs) for key in installed_models(args.models.split(","))]
    machine["load_after"] = os.getloadavg()
    print_table(rows)
    print(f"machine: {machine}")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "results": rows}, indent=2))


if __name__ == "__main__":
    main()
