"""Issue 17, ingest findings 2 (numbers out of any sane range), 10 (a line with an extra field) and 11 (formulas
in the rejects file): real CSV files, a real warehouse, the CLI through typer's runner."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting import paths
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.connect import open_tenant, open_warehouse
from forecasting.warehouse.ingest import ingest_file
from forecasting.warehouse.ingest_csv import neutralise
from forecasting.warehouse.ingest_validate import IngestError
from ui.cli import app


def _write(tmp_path: Path, text: str, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _units(merchant: str) -> float:
    with open_tenant(merchant) as con:
        return con.execute("SELECT sum(units) FROM sales").fetchone()[0]


def test_a_huge_number_is_a_reject_with_a_reason_and_the_cli_says_so(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n2024-01-01,A,1e19\n", name="h.csv")
    done = CliRunner().invoke(app, ["data", "ingest", "--merchant", "huge", str(path)])
    assert done.exit_code == 2 and "Traceback" not in done.output
    flat = " ".join(done.output.split())
    assert "units: '1e19' is above the limit of 1,000,000,000" in flat and "Nothing was loaded" in flat
    con = open_warehouse()
    assert con.execute("SELECT count(*) FROM merchants WHERE merchant = 'huge'").fetchone() == (0,)
    con.close()
    assert sorted(p.name for p in paths.tenants_dir().iterdir()) == ["oj.duckdb", "tuna.duckdb"]  # no temp files
    build = CliRunner().invoke(app, ["data", "build"])
    assert build.exit_code == 0, build.output


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("units", "1000000001", "units: '1000000001' is above the limit of 1,000,000,000"),
        ("units", "-1e300", "units: '-1e300' is above the limit"),
        ("units", "inf", "units: not a finite number"),
        ("price", "2e9", "price: '2e9' is above the limit of 1,000,000,000"),
        ("price", "-1", "price: must be >= 0"),
        ("date", "9999-12-31", "date: '9999-12-31' is outside 1900-01-01 .. 2100-12-31"),
    ],
)
def test_values_out_of_range_are_rejected_per_row(
    column: str, value: str, reason: str, fresh_home: Path, tmp_path: Path
) -> None:
    row = {"date": "2024-01-02", "product": "A", "units": "3", "price": "2.5", column: value}
    path = _write(tmp_path, "date,product,units,price\n2024-01-01,A,5,2.5\n" + ",".join(row.values()) + "\n")
    report = ingest_file("ranges", path)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 1, 1)
    assert reason in pd.read_csv(report.rejects_file, dtype=str)["reason"][0]
    assert _units("ranges") == 5


def test_rows_at_the_cap_fill_a_week_without_overflowing(fresh_home: Path, tmp_path: Path) -> None:
    days = "".join(f"2024-01-0{d},A,1000000000\n" for d in range(1, 8))
    report = ingest_file("cap", _write(tmp_path, "date,product,units\n" + days))
    assert report.rows_loaded == 7 and _units("cap") == 7_000_000_000


def test_a_line_with_an_extra_field_is_a_reject_naming_the_line(fresh_home: Path, tmp_path: Path) -> None:
    text = "date,product,units,price\n2024-01-01,A,1,2.5\n2024-01-02,Juice, large,2,2.5\n2024-01-03,A,4\n"
    report = ingest_file("ragged", _write(tmp_path, text))
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (3, 1, 2)
    reasons = list(pd.read_csv(report.rejects_file, dtype=str)["reason"])
    assert reasons[0].startswith("line 3: 5 fields where the header has 4 (extra '2.5')")
    assert "must be in double quotes" in reasons[0]
    assert reasons[1].startswith("line 4: 3 fields where the header has 4")
    assert _units("ragged") == 1


def test_the_cli_names_the_line_instead_of_a_multiindex_traceback(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n2024-01-01,A,1,2\n")
    done = CliRunner().invoke(app, ["data", "ingest", "--merchant", "ragged", str(path)])
    assert done.exit_code == 2 and "MultiIndex" not in done.output and "Traceback" not in done.output
    assert "line 2: 4 fields where the header has 3" in " ".join(done.output.split())


FORMULAS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_formulas_in_rejected_rows_are_neutralised(fresh_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "evil.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "product", "units", "=cmd()"])
        writer.writerow(["2024-01-01", "A", "1", "ok"])
        for formula in FORMULAS:
            writer.writerow(["2024-01-02", formula, "oops", formula])
        writer.writerow(["2024-01-03", "A", "-3", "negative"])
    report = ingest_file("evil", path)
    assert report.rows_read == report.rows_loaded + report.rows_rejected == 1 + len(FORMULAS) + 1
    with open(report.rejects_file, newline="") as fh:
        header, *rows = list(csv.reader(fh))
    assert header == ["row", "reason", "date", "product", "units", "'=cmd()"]
    for row, formula in zip(rows, FORMULAS):
        assert row[3] == row[5] == "'" + formula
    assert rows[-1][4] == "-3"  # a plain negative number is not a formula and is left as written
    cells = [c for row in rows for c in row] + header
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r") or (c[:1] == "-" and c != "-3")]


def test_neutralise_leaves_ordinary_text_and_numbers_alone() -> None:
    assert [neutralise(v) for v in ["Apple Juice", "-3", "+4.5", "-0,5", 7, None]] == [
        "Apple Juice", "-3", "+4.5", "-0,5", 7, None,
    ]  # fmt: skip
    assert neutralise("-A1+B1") == "'-A1+B1"


def test_build_after_refused_huge_file_still_builds_every_merchant(fresh_home: Path, tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="above the limit"):
        ingest_file("huge", _write(tmp_path, "date,product,units\n2024-01-01,A,1e19\n"))
    ingest_file("zed", _write(tmp_path, "date,product,units\n2024-01-01,A,2\n", name="z.csv"))
    summary = build_warehouse()
    assert [m.merchant for m in summary.merchants] == ["oj", "tuna", "zed"] and not summary.failed
