"""The salescast command as a user runs it: a real process, real warehouse files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).parent / "salescast"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "ui.cli"]


def salescast(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALESCAST_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, env=env, timeout=300, check=False)


def test_build_then_count_rows(tmp_path: Path) -> None:
    home = tmp_path / "home"
    built = salescast("data", "build", home=home)
    assert built.returncode == 0, built.stderr
    assert "106,139" in built.stdout and "2,366" in built.stdout
    oj = salescast("sql", "--merchant", "oj", "select count(*) from sales", home=home)
    assert oj.returncode == 0 and "106139" in oj.stdout
    tuna = salescast("sql", "--merchant", "tuna", "select count(*) from sales", "--json", home=home)
    assert json.loads(tuna.stdout) == {"columns": ["count_star()"], "rows": [[2366]], "truncated": False}


def test_json_shape_is_exact(built_home: Path) -> None:
    done = salescast(
        "sql", "-m", "oj", "SELECT store, product FROM sales", "--json", "--max-rows", "3", home=built_home
    )
    payload = json.loads(done.stdout)
    assert list(payload) == ["columns", "rows", "truncated"]
    assert payload["columns"] == ["store", "product"] and len(payload["rows"]) == 3 and payload["truncated"] is True


@pytest.mark.parametrize(
    "query, reason",
    [
        ("DELETE FROM sales", "Only read-only SELECT"),
        ("SELECT * FROM read_csv('/etc/passwd')", "not allowed"),
        ("SELECT * FROM orders", "Unknown table 'orders'"),
    ],
)
def test_refusal_exits_non_zero_with_reason_on_stderr(built_home: Path, query: str, reason: str) -> None:
    done = salescast("sql", "-m", "oj", query, "--json", home=built_home)
    assert done.returncode != 0
    assert done.stdout == ""
    assert reason in done.stderr and "Traceback" not in done.stderr


def test_unknown_merchant_lists_known_ones(built_home: Path) -> None:
    done = salescast("sql", "-m", "acme", "SELECT 1", home=built_home)
    assert done.returncode != 0 and "Known merchants: oj, tuna" in done.stderr


def test_ingest_json_report(tmp_path: Path, built_home: Path) -> None:
    import shutil

    home = tmp_path / "home"
    shutil.copytree(built_home, home)
    csv = tmp_path / "s.csv"
    csv.write_text("date,product,units\n2024-01-01,Tea,3\n2024-01-02,Tea,x\n")
    done = salescast("data", "ingest", "-m", "shop", str(csv), "--json", home=home)
    report = json.loads(done.stdout)
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (2, 1, 1)
    assert Path(report["rejects_file"]).is_file()
    bad_map = salescast("data", "ingest", "-m", "shop", str(csv), "--map", "units", home=home)
    assert bad_map.returncode != 0 and "TARGET=COLUMN" in bad_map.stderr


def test_start_builds_when_missing_and_summarises(tmp_path: Path) -> None:
    done = salescast("start", "--no-train", "--no-serve", home=tmp_path / "home")
    assert done.returncode == 0, done.stderr
    assert "oj" in done.stdout and "106,139" in done.stdout and (tmp_path / "home" / "warehouse.duckdb").is_file()
