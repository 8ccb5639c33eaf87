"""Read a merchant's CSV file as text cells, and write cells back out so a spreadsheet cannot run them.

Reading: the delimiter is chosen once per file (the one that splits the header and the first lines alike), the
encoding is UTF-8 (a byte-order mark is dropped) or, failing that, Windows-1252, which is what spreadsheets export.
A line with more or fewer fields than the header is kept as a row with a problem (it becomes a reject naming its
line), not guessed at: pandas would have shifted its values into an index and failed with a ``TypeError``.

Writing: rejects files are opened by people in spreadsheets, and a cell such as ``=HYPERLINK(...)`` or
``@SUM(...)`` in a merchant's file would run there. Following OWASP's CSV-injection guidance, every cell (and
column name) starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, except
plain numbers such as ``-3``, which no spreadsheet evaluates as a formula.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

DELIMITERS = [",", ";", "\t", "|"]
_SAMPLE_LINES = 200
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")


@dataclass
class CsvTable:
    """The file's cells as text, one row per data line, with what was assumed to read it."""

    frame: pd.DataFrame
    delimiter: str
    encoding: str
    problems: dict[int, str] = field(default_factory=dict)  # row index -> why the line cannot be used


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "windows-1252"


def choose_delimiter(text: str) -> str:
    """The delimiter that splits the header into most fields while keeping the sampled lines the header's width."""
    sample = "\n".join(text.splitlines()[:_SAMPLE_LINES])
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        rows = [r for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        score = (sum(len(r) == width for r in rows[1:]), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _unique(header: list[str]) -> list[str]:
    """Column names as pandas would give them: blanks named ``Unnamed: i``, repeats suffixed ``.1``, ``.2``."""
    seen: dict[str, int] = {}
    names = []
    for i, name in enumerate(header):
        name = name.strip() or f"Unnamed: {i}"
        count = seen.get(name, 0)
        seen[name] = count + 1
        names.append(name if count == 0 else f"{name}.{count}")
    return names


def read_csv_cells(path: Path, delimiter: str | None = None) -> CsvTable:
    """All data lines of ``path`` as text cells (blank lines skipped); ragged lines are rows with a problem."""
    text, encoding = decode(path.read_bytes())
    delimiter = delimiter or choose_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next((r for r in reader if any(c.strip() for c in r)), [])
    columns = _unique(header)
    width = len(columns)
    rows: list[list[str]] = []
    problems: dict[int, str] = {}
    for fields in reader:
        if not any(c.strip() for c in fields):
            continue
        if len(fields) != width:
            problems[len(rows)] = _ragged(reader.line_num, fields, width, delimiter)
            fields = (fields + [""] * width)[:width]
        rows.append(fields)
    frame = pd.DataFrame(rows, columns=columns, dtype=str) if rows else pd.DataFrame(columns=columns)
    return CsvTable(frame=frame, delimiter=delimiter, encoding=encoding, problems=problems)


def _ragged(line: int, fields: list[str], width: int, delimiter: str) -> str:
    name = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}[delimiter]
    if len(fields) > width:
        extra = delimiter.join(fields[width:])
        return (
            f"line {line}: {len(fields)} fields where the header has {width} (extra '{extra}'); a value that "
            f"contains a {name} must be in double quotes"
        )
    return f"line {line}: {len(fields)} fields where the header has {width}; every line needs a value (or an empty one) per column"


def neutralise(value: object) -> object:
    """``value`` made safe to open in a spreadsheet (OWASP CSV injection): formula-like text gets a leading '."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_safe_csv(frame: pd.DataFrame, target: Path) -> None:
    """Write ``frame`` as CSV with every text cell and column name neutralised."""
    safe = frame.rename(columns=lambda c: neutralise(str(c)))
    for column in safe.columns:
        if safe[column].dtype == object:
            safe[column] = safe[column].map(neutralise)
    safe.to_csv(target, index=False, lineterminator="\r\n")  # RFC 4180: cells holding a CR or LF are quoted
