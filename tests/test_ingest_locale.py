"""Issue 17 finding 7: a file's decimal mark, thousands mark, delimiter and date order are decided once per file,
applied to every row, reported, and what stays ambiguous is refused or rejected with a reason. Real CSV files
ingested into a real warehouse; the CLI through typer's runner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from forecasting.warehouse.connect import open_tenant
from forecasting.warehouse.ingest import ingest_file
from forecasting.warehouse.ingest_validate import IngestError
from ui.cli import app


def _write(tmp_path: Path, text: str, name: str = "sales.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(merchant: str, sql: str) -> list[list]:
    """What the merchant's own queries see, read from its tenant file."""
    with open_tenant(merchant) as con:
        return [[v.isoformat() if hasattr(v, "isoformat") else v for v in row] for row in con.execute(sql).fetchall()]


def _raw(merchant: str) -> list[list]:
    return _rows(merchant, "SELECT week_start, product, units, price FROM sales ORDER BY 1, 2")


def test_decimal_commas_in_a_semicolon_file_are_decimals(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date;product;units;price\n2024-01-01;A;"1,5";"2,49"\n2024-01-08;A;3;1,99\n')
    report = ingest_file("comma", path)
    assert _raw("comma") == [["2024-01-01", "A", 1.5, 2.49], ["2024-01-08", "A", 3.0, 1.99]]
    assert report.conventions["delimiter"] == "';' (semicolon)"
    assert report.conventions["decimal separator"] == "',' (comma), as in '1,5'"


def test_quoted_decimal_commas_in_a_comma_file_are_not_read_as_thousands(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date,product,units,price\n2024-01-01,A,"1,5","2,49"\n')
    ingest_file("comma", path)
    assert _raw("comma") == [["2024-01-01", "A", 1.5, 2.49]]  # was 15 units at 249


def test_european_thousands_and_decimals_together(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date;product;units;price\n2024-01-01;A;1.234;2,50\n2024-01-08;A;2.000.000;1.250,00\n")
    report = ingest_file("euro", path)
    assert _raw("euro") == [["2024-01-01", "A", 1234, 2.5], ["2024-01-08", "A", 2_000_000, 1250.0]]
    assert report.conventions["thousands separator"].startswith("'.' (point)")


def test_us_thousands_with_decimal_points(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date,product,units,price\n2024-01-01,A,"1,234",2.50\n2024-01-08,A,7,"1,250.00"\n')
    ingest_file("usa", path)
    assert _raw("usa") == [["2024-01-01", "A", 1234, 2.5], ["2024-01-08", "A", 7, 1250.0]]


def test_a_file_writing_decimals_both_ways_is_refused(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date,product,units,price\n2024-01-01,A,1,2.50\n2024-01-08,A,1,"2,49"\n')
    with pytest.raises(IngestError, match=r"decimal point \('2.50'\).*decimal comma \('2,49'\).*--decimal"):
        ingest_file("both", path)
    report = ingest_file("both", path, decimal=".")  # said explicitly: the comma row is rejected with a reason
    rejects = pd.read_csv(report.rejects_file)
    assert report.rows_loaded == 1 and list(rejects["reason"]) == ["price: '2,49' is not a number"]


def test_ambiguous_thousands_or_decimal_is_rejected_per_row(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date,product,units\n2024-01-01,A,"1,234"\n2024-01-08,A,5\n')
    report = ingest_file("amb", path)
    assert (report.rows_read, report.rows_loaded, report.rows_rejected) == (2, 1, 1)
    reason = pd.read_csv(report.rejects_file)["reason"][0]
    assert "'1,234' could be a whole number with a thousands separator or a decimal" in reason
    assert "--decimal" in reason
    ingest_file("amb", path, decimal=",")
    assert _raw("amb") == [["2024-01-01", "A", 1.234, None], ["2024-01-08", "A", 5.0, None]]


def test_day_first_dates_are_read_day_first_in_every_row(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n01/02/2024,A,1\n13/02/2024,A,2\n05/03/2024,A,4\n")
    report = ingest_file("dmy", path, week_start="monday")
    days = _rows("dmy", "SELECT week_start, units FROM sales ORDER BY 1")
    assert days == [["2024-01-29", 1], ["2024-02-12", 2], ["2024-03-04", 4]]  # 1 Feb, 13 Feb, 5 Mar
    assert report.first_date.isoformat() == "2024-02-01"
    assert report.conventions["dates"] == "day first (DD/MM/YYYY), as in '13/02/2024'"


def test_month_first_dates_are_read_month_first_in_every_row(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n01/02/2024,A,1\n02/13/2024,A,2\n")
    report = ingest_file("mdy", path)
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == ("2024-01-02", "2024-02-13")


def test_dates_that_read_both_ways_refuse_the_file_and_ask_for_a_format(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n01/02/2024,A,1\n03/04/2024,A,2\n")
    with pytest.raises(IngestError, match=r"'01/02/2024' could be either.*--date-format %d/%m/%Y"):
        ingest_file("either", path)
    report = ingest_file("either", path, date_format="%d/%m/%Y")
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == ("2024-02-01", "2024-04-03")
    assert report.conventions["dates"] == "as --date-format %d/%m/%Y"


def test_dates_written_both_ways_refuse_the_file(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "date,product,units\n13/02/2024,A,1\n02/14/2024,A,2\n")
    with pytest.raises(IngestError, match=r"day first \('13/02/2024'\) and month first \('02/14/2024'\)"):
        ingest_file("mixed", path)


def test_dotted_dates_are_day_first(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "Datum;Artikel;Menge\n01.02.2024;A;1\n03.04.2024;A;2\n", name="verkauf.csv")
    report = ingest_file("dotted", path, mapping={"date": "Datum", "product": "Artikel", "units": "Menge"})
    assert (report.first_date.isoformat(), report.last_date.isoformat()) == ("2024-02-01", "2024-04-03")


def test_cli_prints_what_it_assumed(fresh_home: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, 'date;product;units;price\n13/02/2024;A;"1,5";"2,49"\n')
    done = CliRunner().invoke(app, ["data", "ingest", "--merchant", "comma", str(path)])
    assert done.exit_code == 0, done.output
    flat = " ".join(done.output.split())
    assert "Read as: delimiter: ';' (semicolon)" in flat and "decimal separator: ',' (comma)" in flat
    assert "dates: day first (DD/MM/YYYY), as in '13/02/2024'" in flat
    ambiguous = _write(tmp_path, "date,product,units\n01/02/2024,A,1\n", name="amb.csv")
    refused = CliRunner().invoke(app, ["data", "ingest", "--merchant", "amb", str(ambiguous)])
    assert refused.exit_code == 2 and "--date-format" in refused.output and "Traceback" not in refused.output


def test_parquet_numbers_and_dates_need_no_conventions(fresh_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "typed.parquet"
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-02-13"]), "product": ["A"], "units": [1.5], "price": [2.49]})
    frame.to_parquet(path)
    report = ingest_file("typed", path)
    assert _raw("typed") == [["2024-02-12", "A", 1.5, 2.49]]
    assert report.conventions == {
        "decimal separator": "not needed (numbers stored as numbers)",
        "thousands separator": "none seen",
        "dates": "dates stored as dates",
    }
