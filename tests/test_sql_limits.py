"""The per-query walls of the guarded SQL path hold for every query: 1 GB, the deadline, no huge cells, no deep
nesting. These reproduce the attack run's findings (issue 17: 1, 10, 11) against a real tenant file."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import pytest

from agent.session import session_for
from forecasting.warehouse.connect import tenant_file
from tests.agent_fakes import RecordingModel, call, say
from tools.guarded_sql import SqlError, SqlTimeout, run_sql
from tools.sql_guard import MAX_NESTING, SqlRefused
from tools.sql_sandbox import KILL_GRACE_S, MEMORY_BUDGET_BYTES, Limits, SandboxFailure, run_walled

# Queries whose memory DuckDB's own limit does not see (string and list building in one function call).
MEMORY_HOGS = {
    "repeat_3e9": "SELECT length(repeat('x', 3000000000))",
    "repeat_concat": "SELECT length(repeat('x', 3000000000) || repeat('y', 3000000000))",
    "lpad_huge": "SELECT length(lpad('x', 2000000000, 'ab'))",
    "string_agg_of_repeats": "SELECT length(string_agg(repeat('ab', 1000), ',')) FROM range(10000000) t(x)",
    "list_of_range": "SELECT len(list(x)) FROM range(300000000) t(x)",
    "repeat_per_row": "SELECT sum(length(repeat(product, 10000000))) FROM sales",
}

# One row whose projection is many long non-interruptible calls: only the parent's deadline stops it.
UNINTERRUPTIBLE = "SELECT " + ", ".join(f"md5(repeat('{c}', 300000000))" for c in "abcdefghijkl")


def _own_peak_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


@pytest.mark.parametrize("name", sorted(MEMORY_HOGS))
def test_memory_hog_is_stopped_inside_the_budget(name: str, home: Path) -> None:
    before = _own_peak_bytes()
    started = time.perf_counter()
    with pytest.raises(SqlError, match="memory|stopped"):
        run_sql("oj", MEMORY_HOGS[name], timeout_s=5)
    assert time.perf_counter() - started < 5 + KILL_GRACE_S + 5
    assert _own_peak_bytes() - before < 200 << 20, "the calling process grew: the query did not run walled"


@pytest.mark.parametrize("name", sorted(MEMORY_HOGS))
def test_walled_child_never_passes_its_budget(name: str, home: Path) -> None:
    try:
        peak = run_walled(tenant_file("oj"), MEMORY_HOGS[name], Limits(timeout_s=5, max_rows=10)).peak_rss_bytes
    except SandboxFailure as stopped:
        assert stopped.timed_out
        peak = stopped.peak_rss_bytes
    assert 0 < peak <= MEMORY_BUDGET_BYTES + (200 << 20)


def test_a_big_legitimate_query_still_runs(home: Path) -> None:
    answer = run_walled(
        tenant_file("oj"),
        "SELECT count(*), length(repeat('x', 200000000)) FROM sales a JOIN sales b USING (week_start, store) "
        "WHERE a.product < b.product",
        Limits(timeout_s=30, max_rows=10),
    )
    assert answer.error is None and answer.rows[0][0] > 100_000 and answer.rows[0][1] == 200_000_000


def test_deadline_holds_when_duckdb_cannot_be_interrupted(home: Path) -> None:
    started = time.perf_counter()
    with pytest.raises(SqlTimeout, match="stopped after 1 s"):
        run_sql("oj", UNINTERRUPTIBLE, timeout_s=1)
    assert time.perf_counter() - started < 1 + KILL_GRACE_S + 3


def test_interruptible_query_stops_at_its_timeout(home: Path) -> None:
    with pytest.raises(SqlTimeout):
        run_sql("oj", "SELECT count(*) FROM sales a, sales b, sales c", timeout_s=1)


def test_a_query_after_a_killed_one_runs_normally(home: Path) -> None:
    with pytest.raises(SqlError):
        run_sql("oj", MEMORY_HOGS["repeat_3e9"], timeout_s=2)
    assert run_sql("oj", "SELECT count(*) FROM sales").rows[0][0] > 0


@pytest.mark.parametrize("depth", [62, 500, 5000])
def test_deep_nesting_is_refused_quickly_with_a_message(depth: int, home: Path) -> None:
    with pytest.raises(SqlRefused, match="nested too deeply"):
        run_sql("oj", "SELECT " + "(" * depth + "1" + ")" * depth)


def test_nesting_inside_strings_and_comments_does_not_count(home: Path) -> None:
    text = "(" * (MAX_NESTING + 5)
    result = run_sql("oj", f"SELECT '{text}' AS t -- {text}\n")
    assert result.rows == [[text]]


def test_nesting_at_the_limit_runs(home: Path) -> None:
    assert run_sql("oj", "SELECT " + "(" * MAX_NESTING + "1" + ")" * MAX_NESTING).rows == [[1]]


def test_huge_cell_is_cut_with_a_note(home: Path) -> None:
    result = run_sql("oj", "SELECT repeat('x', 20000000) AS big, 7 AS small")
    big, small = result.rows[0]
    assert len(big) < 20_000 and big.startswith("xxx") and "20,000,000 characters" in big
    assert small == 7 and result.cells_cut == 1


def test_huge_list_cell_is_cut_too(home: Path) -> None:
    result = run_sql("oj", "SELECT list(units) AS all_units FROM sales")
    assert isinstance(result.rows[0][0], str) and "characters in all" in result.rows[0][0]
    assert result.cells_cut == 1


def test_ordinary_cells_are_untouched(home: Path) -> None:
    result = run_sql("oj", "SELECT product, list(DISTINCT store ORDER BY store)[1:3] FROM sales GROUP BY 1 LIMIT 2")
    assert result.cells_cut == 0 and all(isinstance(r[1], list) for r in result.rows)


def test_chat_turn_with_a_memory_hog_answers_and_the_server_does_not_grow(home: Path) -> None:
    """The attack run's chat case: a model that writes the hog gets a tool error; the serving process stays small."""
    replies = [call("query_sales", {"sql": MEMORY_HOGS["repeat_concat"]}), say("That query was too big.")]
    before = _own_peak_bytes()
    result = session_for("tuna", RecordingModel(replies=replies), "fake").ask("How long is a very long string?")
    step = result.tool_calls[0]
    assert step.name == "query_sales" and not step.ok and "memory" in step.summary
    assert result.error is None and result.answer
    assert _own_peak_bytes() - before < 200 << 20
