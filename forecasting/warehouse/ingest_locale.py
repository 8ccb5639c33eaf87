"""How one file writes numbers and dates, decided once for the whole file and then applied to every row.

A sales file exported in Germany writes ``1.234,5`` and ``13.02.2024``; one from the US writes ``1,234.5`` and
``02/13/2024``. Reading each cell on its own (as pandas' "mixed" parsing does) reads ``01/02/2024`` as 2 January and
``13/02/2024`` as 13 February in the same file, and stripping every comma reads ``1,5`` units as 15. So the
conventions are decided from the evidence in all of the file's cells (a ``1,5`` or ``2,49`` settles the decimal
comma, a ``13/02`` settles day first), reported, and applied to all rows alike. Where the file gives no evidence
either way and the reading matters, nothing is guessed: an ambiguous number is a reject with a reason, and dates
that read both ways refuse the file and ask for ``--date-format``; a file that contradicts itself is refused.
"""

from __future__ import annotations

import re

import pandas as pd
from pydantic import BaseModel

from forecasting.warehouse.errors import WarehouseError

DATE_ORDERS = {
    "iso": "year first (YYYY-MM-DD)",
    "dmy": "day first (DD/MM/YYYY)",
    "mdy": "month first (MM/DD/YYYY)",
    "dmy.": "day first (DD.MM.YYYY: dates written with dots are day first wherever they are used)",
    "same": "day and month equal in every date (either order reads the same)",
    "names": "month names (e.g. 5 Jan 2024)",
}
_SPACES = " \u00a0\u202f"  # space, no-break space, narrow no-break space: thousands in fr/ru/... exports
_THOUSANDS = {".": [",", "'", *_SPACES], ",": [".", "'", *_SPACES]}
_NUMBER_CHARS = re.compile(r"[+-]?[\d.,'" + _SPACES + r"]+(?:[eE][+-]?\d+)?")
_DAY_MONTH = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:[ T].*)?")
_YEAR_FIRST = re.compile(r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?:[ T].*)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


class ConventionError(WarehouseError):
    """The file contradicts itself, or leaves a reading open that changes the numbers: nothing is loaded."""


class Conventions(BaseModel):
    """What was assumed to read one file; ``described()`` is what the ingest report shows."""

    delimiter: str | None = None
    encoding: str | None = None
    decimal: str | None = None  # None: no fractional number in the file, so it did not matter
    thousands: str | None = None
    dates: str = "iso"
    text_numbers: bool = True  # False: every number column is typed (Parquet), so no separator is read
    date_format: str | None = None
    evidence: dict[str, str] = {}

    def described(self) -> dict[str, str]:
        seen = self.evidence
        out: dict[str, str] = {}
        if self.delimiter is not None:
            out["delimiter"] = _name(self.delimiter)
        if self.encoding is not None:
            out["encoding"] = self.encoding
        out["decimal separator"] = (
            f"{_name(self.decimal)}{_because(seen.get('decimal'))}"
            if self.decimal
            else ("none seen (whole numbers)" if self.text_numbers else "not needed (numbers stored as numbers)")
        )
        out["thousands separator"] = (
            f"{_name(self.thousands)}{_because(seen.get('thousands'))}" if self.thousands else "none seen"
        )
        out["dates"] = DATE_ORDERS.get(self.dates, self.dates) + _because(seen.get("dates"))
        return out


def _name(char: str) -> str:
    names = {",": "comma", ".": "point", ";": "semicolon", "\t": "tab", "|": "bar", "'": "apostrophe"}
    return f"'{char}' ({names[char]})" if char in names else f"{char!r} (space)"


def _because(example: str | None) -> str:
    return f", as in '{example}'" if example else ""


# ---- numbers -------------------------------------------------------------------------------------------------


def _mantissa(text: str) -> str:
    return re.split(r"[eE]", text.lstrip("+-"), maxsplit=1)[0]


def _votes(cell: str) -> tuple[str | None, str | None]:
    """(decimal, thousands) this one cell proves, if any."""
    body = _mantissa(cell)
    grouped = next((s for s in _SPACES + "'" if s in body.strip(_SPACES)), None)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal = "." if body.rfind(".") > body.rfind(",") else ","
        return decimal, "," if decimal == "." else "."
    for sep in (".", ","):
        count = body.count(sep)
        if count > 1:
            return ("," if sep == "." else "."), sep
        if count == 1:
            whole, frac = body.split(sep)
            digits = whole.strip(_SPACES + "'")
            if len(frac) != 3 or len(digits) > 3 or digits in ("", "0") or grouped:
                return sep, grouped
    return None, grouped


def detect_numbers(cells: pd.Series, decimal: str | None = None) -> tuple[str | None, str | None, dict[str, str]]:
    """The file's decimal and thousands separators from all its number cells, and the cell that showed each.

    ``decimal`` (from ``--decimal``) overrides what the file shows; a file showing both conventions is refused.
    """
    seen: dict[str, dict[str, str]] = {"decimal": {}, "thousands": {}}
    numbers = [c for c in dict.fromkeys(cells.astype(str).str.strip()) if _NUMBER_CHARS.fullmatch(c)]
    for cell in numbers:
        dec, thou = _votes(cell)
        if dec:
            seen["decimal"].setdefault(dec, cell)
        if thou:
            seen["thousands"].setdefault(thou, cell)
    decimal_seen = _one_decimal(seen) if decimal is None else (decimal, seen["decimal"].get(decimal))
    decimal = decimal_seen[0]
    if decimal and not seen["thousands"]:  # with the decimal known, the other mark can only group thousands
        grouped = next((c for c in numbers if _other(decimal) in c), None)
        if grouped:
            seen["thousands"][_other(decimal)] = grouped
    thousands = [t for t in seen["thousands"] if t != decimal]
    if len(thousands) > 1:
        raise ConventionError(
            "The file groups thousands in more than one way ("
            + ", ".join(f"'{seen['thousands'][t]}'" for t in thousands)
            + "): write every number the same way and ingest it again."
        )
    thousand = thousands[0] if thousands else None
    evidence = {"decimal": decimal_seen[1], "thousands": seen["thousands"].get(thousand or "")}
    return decimal, thousand, {k: v for k, v in evidence.items() if v}


def _other(sep: str) -> str:
    return "," if sep == "." else "."


def _one_decimal(seen: dict[str, dict[str, str]]) -> tuple[str | None, str | None]:
    implied = {_other(t): v for t, v in seen["thousands"].items() if t in ".,"}
    candidates = {**implied, **seen["decimal"]}
    if len(candidates) > 1:
        point, comma = candidates["."], candidates[","]
        raise ConventionError(
            f"The file writes numbers both with a decimal point ('{point}') and with a decimal comma ('{comma}'), "
            "so either reading would misread some rows. Write every number the same way, or say which it is with "
            "--decimal . or --decimal , (rows written the other way are then rejected with a reason)."
        )
    return next(iter(candidates.items()), (None, None))


def parse_numbers(cells: pd.Series, decimal: str | None, thousands: str | None) -> tuple[pd.Series, pd.Series]:
    """(values, ambiguous): each cell read with the file's separators; NaN where it is not such a number.

    ``ambiguous`` marks cells like ``1,234`` or ``1.234`` in a file that shows no decimals: 1234 or 1.234.
    """
    if pd.api.types.is_numeric_dtype(cells):
        values = cells.astype("float64")
        return values, pd.Series(False, index=cells.index)
    text = cells.astype(str).str.strip()
    ambiguous = pd.Series(False, index=cells.index)
    if decimal is None:
        ambiguous = text.str.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}")
    pattern = _number_pattern(decimal or ".", thousands)
    ok = text.str.fullmatch(pattern, case=False) & ~ambiguous
    plain = text.where(ok, "")
    if thousands:
        plain = plain.str.replace(thousands, "", regex=False)
    if decimal == ",":
        plain = plain.str.replace(",", ".", regex=False)
    return pd.to_numeric(plain.where(ok), errors="coerce"), ambiguous


def _number_pattern(decimal: str, thousands: str | None) -> str:
    d = re.escape(decimal)
    whole = r"\d+" if thousands is None else rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    return rf"[+-]?(?:{whole}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity|nan)"


# ---- dates ---------------------------------------------------------------------------------------------------


def detect_date_order(cells: pd.Series, date_format: str | None = None) -> tuple[str, str | None]:
    """How the file's numeric dates order day and month, decided from all of them, and the date that showed it."""
    if date_format:
        return f"as --date-format {date_format}", None
    if pd.api.types.is_datetime64_any_dtype(cells):
        return "dates stored as dates", None
    shown = pd.Series(cells.astype(str).str.strip().unique())
    parts = shown.str.extract(f"^{_DAY_MONTH.pattern}$").dropna()
    if parts.empty:
        return ("iso" if shown.str.fullmatch(_YEAR_FIRST.pattern).any() else "names"), None
    first, second = parts[0].astype(int), parts[2].astype(int)
    day_first, month_first = parts.index[first > 12], parts.index[second > 12]
    if len(day_first) and len(month_first):
        raise ConventionError(
            f"The file writes dates both day first ('{shown[day_first[0]]}') and month first "
            f"('{shown[month_first[0]]}'): give the format with --date-format (e.g. %d/%m/%Y) and the other "
            "rows are rejected with a reason, or fix the file."
        )
    if len(day_first):
        return "dmy", shown[day_first[0]]
    if len(month_first):
        return "mdy", shown[month_first[0]]
    if (first == second).all():
        return "same", None
    if (parts[1] == ".").all():
        return "dmy.", None
    sep = parts[1].iloc[0]
    example = shown[parts.index[first != second][0]]
    raise ConventionError(
        f"Every date in the file reads both day first and month first ('{example}' could be either), so the "
        f"dates cannot be read without a guess: give --date-format %d{sep}%m{sep}%Y (day first) or "
        f"--date-format %m{sep}%d{sep}%Y (month first)."
    )


def parse_dates(cells: pd.Series, order: str, date_format: str | None = None) -> pd.Series:
    """Dates at midnight (NaT where a cell is not a date in the file's conventions)."""
    if pd.api.types.is_datetime64_any_dtype(cells):
        return pd.to_datetime(cells).dt.tz_localize(None).dt.normalize()
    text = cells.astype(str).str.strip()
    if date_format:
        return pd.to_datetime(text, errors="coerce", format=date_format).dt.normalize()
    unique = pd.Series(text.unique())  # a file repeats each date over many rows: read each once
    parsed = pd.Series(_parse_text(unique, order).to_numpy(), index=unique.to_numpy())
    return text.map(parsed).astype("datetime64[ns]")


def _parse_text(text: pd.Series, order: str) -> pd.Series:
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    dm = text.str.extract(f"^{_DAY_MONTH.pattern}$")
    day, month = (dm[2], dm[0]) if order == "mdy" else (dm[0], dm[2])
    out = out.fillna(_from_parts(dm[3], month, day))
    ymd = text.str.extract(f"^{_YEAR_FIRST.pattern}$")
    out = out.fillna(_from_parts(ymd[0], ymd[2], ymd[3]))
    compact = text.str.extract(f"^{_COMPACT.pattern}$")
    out = out.fillna(_from_parts(compact[0], compact[1], compact[2]))
    named = out.isna() & text.str.contains(r"[A-Za-z]{3}", regex=True)
    if named.any():  # "5 Jan 2024", "Jan 5, 2024": the month is a name, so the order cannot be misread
        out[named] = pd.to_datetime(text[named], errors="coerce", format="mixed", dayfirst=order.startswith("dmy"))
    return out.dt.normalize()


def _from_parts(year: pd.Series, month: pd.Series, day: pd.Series) -> pd.Series:
    y = pd.to_numeric(year, errors="coerce")
    y = y.where(year.str.len() != 2, y + 2000 - 100 * (y >= 69))  # strptime's %y: 69..99 -> 19xx
    frame = pd.DataFrame(
        {"year": y, "month": pd.to_numeric(month, errors="coerce"), "day": pd.to_numeric(day, errors="coerce")}
    )
    return pd.to_datetime(frame, errors="coerce")
