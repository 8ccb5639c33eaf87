"""``salescast explain``, ``whatif``, ``importance`` and ``report``: why a forecast is what it is, and what would change it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from forecasting.warehouse.errors import WarehouseError

if TYPE_CHECKING:  # the forecasting stack (torch, SHAP) loads when one of these commands runs
    from forecasting.explain import Explanation, Importance
    from forecasting.whatif import Change, WhatIf

out = Console()
err = Console(stderr=True)

MerchantOpt = Annotated[str, typer.Option("--merchant", "-m", help="Merchant to act for, e.g. oj or tuna.")]
StoreOpt = Annotated[str | None, typer.Option(help="Store as you write it, e.g. 12; omit for chain-level data.")]
ProductOpt = Annotated[str, typer.Option(help='Product as you write it, e.g. "Tropicana 64 oz".')]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


def register_explain_commands(app: typer.Typer) -> None:
    app.command("explain")(explain_cmd)
    app.command("whatif")(whatif_cmd)
    app.command("importance")(importance_cmd)
    app.command("report")(report_cmd)


def _fail(exc: Exception) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2)


def _week(text: str) -> int | date:
    """A horizon step ("2") or the start date of a forecast week ("1992-10-08")."""
    if text.isdigit():
        return int(text)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"--week takes a step like 2 or a date like 1992-10-08, not {text!r}.") from None


def explain_cmd(
    merchant: MerchantOpt,
    product: ProductOpt,
    store: StoreOpt = None,
    week: Annotated[str, typer.Option(help="Forecast week: a step (1 = next week) or its start date.")] = "1",
    background: Annotated[str, typer.Option(help="series (its own last year) or merchant (all series).")] = "series",
    as_json: JsonOpt = False,
) -> None:
    """Explain one week's forecast: a base plus signed driver contributions in units (SHAP)."""
    from forecasting.explain import explain
    from forecasting.predict import engine

    _emit(lambda: explain(engine(merchant), store, product, _week(week), background=background), as_json,
          _explanation_table)  # fmt: skip


def _emit(compute: Callable[[], BaseModel], as_json: bool, render: Callable[[BaseModel], Table]) -> None:
    """Run, then print JSON or a table; expected failures become one line on stderr and exit code 2."""
    try:
        result = compute()
    except (WarehouseError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    out.print(render(result))


def _explanation_table(ex: Explanation) -> Table:
    table = Table(title=f"Why {ex.forecast:,.1f} units of {ex.product} (store {ex.store}), week of {ex.week_start}?")
    table.add_column("driver")
    table.add_column("units", justify="right")
    table.add_column("what it means")
    table.add_row("base", f"{ex.base:,.1f}", f"a typical week ({ex.background})")
    for d in ex.drivers:
        table.add_row(d.name, f"{d.contribution:+,.1f}", d.description)
    table.add_row("forecast (P50)", f"{ex.forecast:,.1f}", f"additivity error {ex.additivity_error:.1e}")
    return table


def whatif_cmd(
    merchant: MerchantOpt,
    product: ProductOpt,
    store: StoreOpt = None,
    price: Annotated[str | None, typer.Option(help='New price: "-10%", "+5%" or a unit price like 2.49.')] = None,
    deal: Annotated[str | None, typer.Option(help="on or off.")] = None,
    feature: Annotated[str | None, typer.Option(help="Feature advertising: on or off.")] = None,
    weeks: Annotated[str, typer.Option(help='Forecast weeks the change applies to: "1", "1-2", "1,3".')] = "1",
    horizon: Annotated[int | None, typer.Option(help="Weeks to show (default: through the last changed week).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Forecast a scenario (price, deal, feature ad) next to the baseline, with the effect on the other brands."""
    from forecasting.predict import engine
    from forecasting.whatif import what_if

    try:
        change = _change(price, deal, feature, weeks)
        result = what_if(engine(merchant), store, product, change, horizon)
    except (WarehouseError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
    if as_json:
        sys.stdout.write(result.model_dump_json() + "\n")
        return
    _print_whatif(result)


def _change(price: str | None, deal: str | None, feature: str | None, weeks: str) -> Change:
    """The scenario from the command-line levers (shared by ``whatif`` and ``report``)."""
    from forecasting.whatif import Change

    return Change(price=price, deal=_switch(deal, "--deal"), feature=_switch(feature, "--feature"), weeks=weeks)


def _switch(value: str | None, option: str) -> bool | None:
    if value is None:
        return None
    if value.lower() in ("on", "yes", "true", "1"):
        return True
    if value.lower() in ("off", "no", "false", "0"):
        return False
    raise typer.BadParameter(f"{option} takes on or off, not {value!r}.")


def _print_whatif(w: WhatIf) -> None:
    table = Table(title=f"What if: {w.change} — {w.product} (store {w.store})")
    for col in ("week", "price", "baseline P50", "scenario P50", "scenario P10–P90"):
        table.add_column(col, justify="right")
    for p in w.weeks:
        price = f"{p.scenario_price:.2f}" if p.scenario_price is not None else "—"
        table.add_row(str(p.week_start), price, f"{p.baseline_p50:,.1f}", f"{p.scenario_p50:,.1f}",
                      f"{p.scenario_p10:,.0f}–{p.scenario_p90:,.0f}")  # fmt: skip
    out.print(table)
    revenue = f", revenue {w.change_revenue:+,.2f}" if w.change_revenue is not None else ""
    out.print(f"Change over the changed weeks: {w.change_units:+,.1f} units{revenue}")
    for d in w.drivers:
        out.print(f"  {d['name']}: {d['contribution']:+,.1f} units")
    if w.other_brands:
        out.print(
            "Other brands in the store: " + ", ".join(f"{b.product} {b.change_units:+,.1f}" for b in w.other_brands)
        )
    for warning in w.warnings:
        err.print(f"[yellow]warning:[/] {warning}")


def importance_cmd(
    merchant: MerchantOpt,
    step: Annotated[int, typer.Option(help="Forecast step to explain (1 = next week).")] = 1,
    max_series: Annotated[int, typer.Option(help="Series sampled (stratified by product).")] = 40,
    as_json: JsonOpt = False,
) -> None:
    """Which drivers move this merchant's forecasts most: mean |SHAP| overall and per product."""
    from forecasting.explain import importance
    from forecasting.predict import engine

    _emit(lambda: importance(engine(merchant), step, max_series), as_json, _importance_table)


def _importance_table(imp: Importance) -> Table:
    table = Table(title=f"Driver importance for {imp.merchant} ({imp.series_explained} of {imp.series_total} series)")
    table.add_column("driver")
    table.add_column("mean |units|", justify="right")
    table.add_column("share", justify="right")
    for d in imp.overall:
        table.add_row(d.name, f"{d.mean_abs:,.1f}", f"{100 * d.share:.1f}%")
    return table


def report_cmd(
    merchant: MerchantOpt,
    product: ProductOpt,
    out_file: Annotated[Path, typer.Option("--out", help="FILE.html or FILE.pdf")],
    store: StoreOpt = None,
    question: Annotated[str, typer.Option(help="The question the report answers (printed at the top).")] = "",
    price: Annotated[str | None, typer.Option(help="Add a what-if section: new price, e.g. -10%.")] = None,
    deal: Annotated[str | None, typer.Option(help="What-if section: deal on or off.")] = None,
    feature: Annotated[str | None, typer.Option(help="What-if section: feature ad on or off.")] = None,
    weeks: Annotated[str, typer.Option(help="What-if weeks, e.g. 1-2.")] = "1",
    horizon: Annotated[int, typer.Option(help="Forecast weeks.")] = 8,
) -> None:
    """Write an explanation report (forecast, accuracy, drivers, optional what-if, provenance) as HTML or PDF."""
    from tools.report_builder import make_report  # tools load plotly and weasyprint: only when a report is made

    try:
        wants = any(v is not None for v in (price, deal, feature))
        change = _change(price, deal, feature, weeks) if wants else None
        path = make_report(merchant, store, product, question, change, out=out_file, horizon=horizon)
    except (WarehouseError, FileNotFoundError, ValueError) as exc:
        _fail(exc)
    out.print(f"Report written: {path}")
