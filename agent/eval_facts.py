"""Facts an eval answer must state, computed at run time straight from the data and the forecaster.

A fact is never a number copied from an earlier run of the agent: it is SQL over the merchant's tenant database, or
a direct call of the forecaster, explainer or what-if engine, so the eval checks the agent against the data as it is
now. An answer states a number when any number in it is within 1 % of the value (or within its written rounding),
and a text when it contains it (case-insensitive).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agent.grounding import quoted_numbers
from forecasting.explain import explain
from forecasting.models.saved import read_meta
from forecasting.predict import engine
from forecasting.whatif import Change, what_if
from tools.guarded_sql import run_sql

RELATIVE = 0.01


class FactCheck(BaseModel):
    fact: str
    expected: Any
    ok: bool


def states_number(answer: str, value: float) -> bool:
    for q in quoted_numbers(answer):
        if abs(abs(q.value) - abs(value)) <= max(RELATIVE * abs(value), q.tolerance, 0.05):
            return True
    return False


def states(answer: str, value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return str(value).lower() in answer.lower()
    if isinstance(value, (int, float)):
        return states_number(answer, float(value))
    return str(value).lower() in answer.lower()


def expected_value(merchant: str, fact: dict[str, Any]) -> Any:
    """The value a fact names, computed now (see the module docstring for the kinds)."""
    if "sql" in fact:
        rows = run_sql(merchant, fact["sql"]).rows
        return rows[0][0] if rows else None
    if "forecast_total" in fact:
        f = fact["forecast_total"]
        result = engine(merchant).forecast(f.get("store"), f["product"], f.get("horizon", 4))
        return round(sum(w.p50 for w in result.weeks), 1)
    if "top_driver" in fact:
        f = fact["top_driver"]
        return explain(engine(merchant), f.get("store"), f["product"], week=f.get("week", 1)).drivers[0].name
    if "whatif_change" in fact:
        f = dict(fact["whatif_change"])
        store, product = f.pop("store", None), f.pop("product")
        return what_if(engine(merchant), store, product, Change(**f)).change_units
    if "validation_mape" in fact:
        return read_meta(merchant).validation.mape
    raise ValueError(f"unknown fact kind: {sorted(fact)}")


def check_fact(merchant: str, answer: str, fact: dict[str, Any]) -> FactCheck:
    """One fact against the answer: computed values, literal texts (``contains``/``contains_any``) or ``absent``."""
    if "contains" in fact:
        return FactCheck(fact="contains", expected=fact["contains"], ok=states(answer, fact["contains"]))
    if "contains_any" in fact:
        options = fact["contains_any"]
        return FactCheck(fact="contains_any", expected=options, ok=any(states(answer, o) for o in options))
    if "absent" in fact:
        return FactCheck(fact="absent", expected=fact["absent"], ok=fact["absent"].lower() not in answer.lower())
    value = expected_value(merchant, fact)
    return FactCheck(fact=next(iter(fact)), expected=value, ok=value is not None and states(answer, value))
