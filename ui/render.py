"""Rich tables for the command line; kept apart from the commands so the formatting has one home."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table

if TYPE_CHECKING:  # types only: the forecasting stack loads with the commands that use it
    from forecasting.backtest.suite import BacktestReport
    from forecasting.models.saved import ModelMeta
    from forecasting.predict import Forecast
    from forecasting.warehouse.build import MerchantSummary
    from forecasting.warehouse.ingest import IngestReport
    from tools.guarded_sql import SqlResult


def merchants_table(merchants: list[MerchantSummary]) -> Table:
    table = Table(title="Merchants in the warehouse")
    for name in ("merchant", "rows", "stores", "products", "first week", "last week"):
        table.add_column(name, justify="right" if name in ("rows", "stores", "products") else "left")
    for m in merchants:
        table.add_row(m.merchant, f"{m.rows:,}", str(m.stores), str(m.products), str(m.first_week), str(m.last_week))
    return table


def sql_table(result: SqlResult) -> Table:
    shown = f"{len(result.rows)} row(s)" + (" — truncated, add filters or LIMIT" if result.truncated else "")
    table = Table(caption=f"{shown} in {result.seconds:.2f} s")
    for column in result.columns:
        table.add_column(column)
    for row in result.rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{value:,.0f}"
    return str(value)


def ingest_table(report: IngestReport) -> Table:
    table = Table(title=f"Ingested {report.file} for {report.merchant}", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("rows read", f"{report.rows_read:,}")
    table.add_row("rows loaded", f"{report.rows_loaded:,}")
    table.add_row(
        "rows rejected", f"{report.rows_rejected:,}" + (f" → {report.rejects_file}" if report.rejects_file else "")
    )
    table.add_row("keys new / replaced", f"{report.keys_new:,} / {report.keys_replaced:,}")
    table.add_row(
        "grain, dates", f"{report.grain}, {report.first_date} .. {report.last_date} (weeks start {report.week_start})"
    )
    table.add_row("columns", ", ".join(f"{k}←{v}" for k, v in report.columns.items()))
    if report.ignored_columns:
        table.add_row("ignored columns", ", ".join(report.ignored_columns))
    if report.already_ingested:
        table.add_row("note", "this exact file was ingested before; its rows were replaced, not duplicated")
    return table


def model_table(meta: ModelMeta) -> Table:
    table = Table(title=f"Model {meta.version} ({meta.model})", show_header=False)
    table.add_column("what")
    table.add_column("value")
    v = meta.validation
    rows = [
        ("data", f"{meta.data_first_week} .. {meta.data_last_week}"),
        ("device", meta.device),
        (
            "training",
            f"{meta.train_seconds:.1f} s, {meta.epochs} epochs (best {meta.best_epoch}), {meta.train_rows:,} rows",
        ),
        (
            "held-out weeks",
            (
                f"MAPE {v.mape:.1f} % (P50: {v.mape_p50:.1f} %), WAPE {v.wape:.1f} %, "
                f"80 % interval coverage {v.coverage80} %"
            ),
        ),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def forecast_table(fc: Forecast) -> Table:
    table = Table(
        title=f"{fc.product}, store {fc.store} ({fc.merchant}), after {fc.last_data_week}",
        caption=f"assumed: {fc.assumptions}; model {fc.model_version}",
    )
    numbers = ("P10", "P50", "P90", "point", "price")
    for name in ("week", *numbers, "deal", "feature", "event"):
        table.add_column(name, justify="right" if name in numbers else "left")
    for w in fc.weeks:
        price = f"{w.price:.2f}" if w.price is not None else "-"
        table.add_row(str(w.week_start), f"{w.p10:,.0f}", f"{w.p50:,.0f}", f"{w.p90:,.0f}", f"{w.point:,.0f}", price,
                      f"{w.deal:g}", f"{w.feature:g}", w.event or "")  # fmt: skip
    return table


def backtest_table(report: BacktestReport) -> Table:
    table = Table(title=f"Backtest {report.protocol} on {report.merchant} ({report.rounds} rounds)")
    columns = ("model", "MAPE %", "P50 MAPE %", "WAPE %", "MASE", "80% cov %", "train s", "predict s", "device")
    for name in columns:
        table.add_column(name, justify="left" if name in ("model", "device") else "right")
    for r in report.results:
        s = r.scores
        cov = f"{s.coverage80:.1f}" if s.coverage80 is not None else "-"
        table.add_row(r.model, f"{s.mape:.2f}", f"{s.mape_p50:.2f}", f"{s.wape:.2f}", f"{s.mase:.3f}", cov,
                      f"{r.train_seconds:.1f}", f"{r.predict_seconds:.2f}", r.device)  # fmt: skip
    return table
