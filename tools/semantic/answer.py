"""A semantic query's result as the sentences a merchant reads: the headline number first, then the table.

Every number printed is a field of the result, formatted the way ``number``/``money`` print it, so the answer passes
the grounding check by construction. Units and revenue go together (a merchant asking for one usually wants the
other in view); a comparison states both periods and the change; a share states its percent and what it divides.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tools.agent_tools_base import number
from tools.semantic.declared import measure as declared_measure

MAX_LINES = 12


def money(value: float | None) -> str:
    return "n/a" if value is None else f"${value:,.2f}"


def amount(name: str, value: Any) -> str:
    """One measure's value with its unit: "1,234 units", "$5.00", "12.5%", "22 weeks on deal"."""
    m = declared_measure(name)
    if value is None:
        return f"no {m.label}"
    if m.unit == "money":
        return f"{money(value)} revenue"
    if m.unit == "price":
        return f"{m.label} {money(value)}"
    if m.unit == "percent":
        return f"{number(value, 2)}% {m.label.replace('share ', '')}"
    if m.unit == "units":
        return f"{number(value)} {m.label}"
    if m.unit == "date":
        return f"{m.label}: week of {value}"
    return f"{number(value)} {m.label}"


def amounts(values: dict[str, Any]) -> str:
    parts = [amount(n, v) for n, v in values.items()]
    return parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")


def answer_text(d: dict[str, Any]) -> str:
    q, rows = d["query"], d["rows"]
    if not q["by"]:
        return _single(d, rows[0])
    return _table(d, q, rows)


def _single(d: dict[str, Any], row: dict[str, Any]) -> str:
    q = d["query"]
    text = f"{_scope(d)}: {amounts(row['values'])}."
    if d.get("share_of") and d.get("share_base"):
        base = ", ".join(amount(n.replace("share_", ""), v) for n, v in d["share_base"].items())
        text += f" That is out of {base} for {d['share_of']}."
    if q.get("compare") and row.get("compare") is not None:
        text += " " + _change(row.get("compare_label") or q["compare"]["label"], row)
    return text


def _change(label: str, row: dict[str, Any]) -> str:
    first = next(iter(row["values"]))
    then, change, pct = row["compare"].get(first), (row.get("change") or {}).get(first), \
        (row.get("change_pct") or {}).get(first)  # fmt: skip
    if then is None:
        return f"There are no sales to compare with in {label}."
    earlier = amounts({m: v for m, v in row["compare"].items() if v is not None})  # every measure, not only the first
    if change is None:  # a date ("last week on deal") has no difference to state
        return f"Against {label}: {earlier}."
    direction = "up" if change > 0 else "down" if change < 0 else "level"
    pct_text = f", {pct:+.2f}%" if pct is not None else ""
    return (f"Against {label}: {earlier}, so {direction} by {number(abs(change))}{pct_text}."
            if direction != "level" else f"Against {label}: {earlier}, the same.")  # fmt: skip


def _table(d: dict[str, Any], q: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    by = " and ".join(q["by"])
    lead_rank = {"top": "Top", "bottom": "Bottom"}.get(q.get("rank") or "", "")
    of = f" of {d['groups']}" if d.get("groups") and d["groups"] > len(rows) else ""
    head = f"{lead_rank + ' ' if lead_rank else ''}{by.capitalize() if not lead_rank else by}s by {declared_measure(q['measures'][0]).label}"
    lines = []
    for i, row in enumerate(rows[:MAX_LINES], 1):
        name = ", ".join(_key(k, v) for k, v in row["key"].items())
        line = f"{i}. {name}: {amounts(row['values'])}"
        if q.get("compare") and row.get("compare") is not None:
            line += " — " + _change(_key(q["by"][0], row["compare_label"]) if row.get("compare_label") else
                                    q["compare"]["label"], row)  # fmt: skip
        lines.append(line)
    more = f"\n({len(rows) - MAX_LINES} more rows in the table.)" if len(rows) > MAX_LINES else ""
    total = f"\nAll {by}s together: {amounts(d['total'])}." if d.get("total") and len(rows) > 1 else ""
    if total and d.get("compare_total") and d["compare_total"].get("compare") is not None:
        total = total[:-1] + ". " + _change(q["compare"]["label"], d["compare_total"])
    if len(rows) == 1 and q.get("rank"):
        return f"{head}, {d['scope']}: {lines[0][3:]}{' (' + str(d['groups']) + ' in all)' if of else ''}."
    return f"{head}, {d['scope']} ({len(rows)}{of}):\n" + "\n".join(lines) + more + total


def _key(dimension: str, value: Any) -> str:
    """A group as the merchant reads it: "store 12", "January 1991", "week of 1992-05-21"."""
    if value is None:
        return f"(no {dimension})"
    if dimension == "store" and str(value).isdigit():
        return f"store {value}"
    if dimension == "month" and re.fullmatch(r"\d{4}-\d{2}", str(value)):
        return date.fromisoformat(f"{value}-01").strftime("%B %Y")
    if dimension == "week":
        return f"week of {value}"
    if dimension == "quarter" and re.fullmatch(r"\d{4}-Q\d", str(value)):
        return f"Q{str(value)[-1]} {str(value)[:4]}"
    return f"{value}"


def _scope(d: dict[str, Any]) -> str:
    return d["scope"][:1].upper() + d["scope"][1:]
