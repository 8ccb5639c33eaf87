"""Many merchants chatting at once: N simultaneous web sessions against a real ``salescast serve``.

Run from the repository root: ``.venv/bin/python benchmarks/bench_concurrency.py [--sessions 20] [--json FILE]``.
It starts the app in a child process with the deterministic scripted chat model (unless ``--url`` points at a running
one), signs in N ``gradio_client`` sessions alternately as ``oj`` and ``tuna``, releases all their questions at the same
instant, and checks every answer against the one the agent gives for that merchant and question when asked alone: an
answer that went to the wrong session, or came from the wrong merchant's data, counts as wrong. Prints and optionally
writes p50/p95 latency (submit to last streamed update) and time to first update. ``$SALESCAST_HOME`` needs the
warehouse and trained models (``salescast start --no-serve``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import platform
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from gradio_client import Client

from forecasting import paths
from ui.users import DEMO_USERS
from ui.web.child import AppProcess

YEARS = {"oj": [1991, 1992], "tuna": [1991, 1992, 1993, 1994, 1995, 1996]}
FORECAST = {"oj": "Tropicana 64 oz", "tuna": "Star Kist 6 oz"}


@dataclass
class Question:
    session: int
    user: str
    kind: str
    text: str


@dataclass
class Outcome:
    session: int
    user: str
    kind: str
    question: str
    ok: bool
    error: str | None
    seconds: float
    first_update_s: float | None


def questions_for(session: int, kinds: list[str]) -> list[Question]:
    """Questions that differ per session, so an answer delivered to the wrong session cannot pass as right."""
    user = list(DEMO_USERS)[session % len(DEMO_USERS)]
    years = YEARS[user]
    n, year = 1 + (session // 2) % 5, years[(session // 10) % len(years)]
    texts = {
        "top": f"What were the top {n} products by units in {year}?",
        "forecast": f"Forecast {FORECAST[user]} for the next {2 + session % 6} weeks",
    }
    return [Question(session, user, k, texts[k]) for k in kinds]


def expected_answers(questions: list[Question]) -> dict[tuple[str, str], str]:
    """The answer to each question asked alone, in this process, against the same home."""
    from agent.session import ChatSession

    sessions = {user: ChatSession(user, llm="scripted") for user in DEMO_USERS}
    return {(q.user, q.text): _norm(sessions[q.user].ask(q.text).answer) for q in questions}


def _norm(text: str) -> str:
    return inspect.cleandoc(text).strip()


def final_answer(chat: list[dict]) -> str:
    """The last assistant message that is not a tool step, as text."""
    for message in reversed(chat):
        if message["role"] == "assistant" and not message.get("metadata", {}).get("title"):
            parts = message["content"] if isinstance(message["content"], list) else [message["content"]]
            return "".join(p.get("text", "") for p in parts if isinstance(p, dict))
    return ""


def run_session(url: str, questions: list[Question], expected: dict, start: threading.Barrier) -> list[Outcome]:
    user = questions[0].user
    client = Client(url, auth=(user, DEMO_USERS[user]), verbose=False)
    start.wait()
    return [_ask(client, q, expected[(q.user, q.text)]) for q in questions]


def _ask(client: Client, q: Question, expected: str) -> Outcome:
    began, first = time.perf_counter(), None
    try:
        job = client.submit(q.text, api_name="/chat")
        for _ in job:
            first = first if first is not None else time.perf_counter() - began
        answer = _norm(final_answer(job.result()[1]))
        error = None if answer == expected else f"wrong answer: {answer[:120]!r}"
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported, not raised
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - began
    return Outcome(
        q.session, q.user, q.kind, q.text, error is None, error, round(seconds, 4), first and round(first, 4)
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))], 4)


def latency(times: list[float]) -> dict[str, float]:
    if not times:
        return {}
    return {
        "p50": percentile(times, 0.5),
        "p95": percentile(times, 0.95),
        "max": round(max(times), 4),
        "mean": round(statistics.mean(times), 4),
    }


def summarize(outcomes: list[Outcome], sessions: int, wall: float) -> dict:
    kinds = sorted({o.kind for o in outcomes})
    return {
        "sessions": sessions,
        "questions": len(outcomes),
        "errors": sum(not o.ok for o in outcomes),
        "latency_s": latency([o.seconds for o in outcomes]),
        "latency_by_question_s": {k: latency([o.seconds for o in outcomes if o.kind == k]) for k in kinds},
        "first_update_s": latency([o.first_update_s for o in outcomes if o.first_update_s is not None]),
        "wall_s": round(wall, 3),
        "llm": "scripted",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "gradio": version("gradio")},
        "failures": [asdict(o) for o in outcomes if not o.ok],
    }


def run_load(url: str, sessions: int, kinds: list[str]) -> dict:
    """Sign in ``sessions`` clients, ask all at once, and return the summary (``errors`` must be 0)."""
    plan = [questions_for(i, kinds) for i in range(sessions)]
    expected = expected_answers([q for qs in plan for q in qs])
    barrier = threading.Barrier(sessions)
    results: list[list[Outcome]] = [[] for _ in plan]

    def worker(i: int) -> None:
        results[i] = run_session(url, plan[i], expected, barrier)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(sessions)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summarize([o for r in results for o in r], sessions, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="simultaneous chat sessions")
    parser.add_argument("--questions", default="top,forecast", help="per session, in order: top, forecast")
    parser.add_argument("--url", help="a running app (same SALESCAST_HOME, started with --llm scripted)")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.questions.split(",") if k.strip()]
    if args.url:
        summary = run_load(args.url, args.sessions, kinds)
    else:
        with AppProcess(paths.home(), llm="scripted") as app:
            summary = run_load(app.url, args.sessions, kinds)
    text = json.dumps(summary, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    sys.exit(1 if summary["errors"] else 0)


if __name__ == "__main__":
    main()
