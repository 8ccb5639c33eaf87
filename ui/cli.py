"""The ``salescast`` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from forecasting.models import DEFAULT_MODEL
from forecasting.settings import SettingsError
from forecasting.warehouse.build import build_warehouse
from forecasting.warehouse.errors import WarehouseError
from forecasting.warehouse.ingest import ingest_file
from forecasting.warehouse.schema import render
from tools.guarded_sql import SqlError, describe_merchant, run_sql
from tools.sql_guard import SqlRefused
from ui.cli_agent import register_agent_commands
from ui.cli_explain import register_explain_commands
from ui.cli_llm import llm_app
from ui.cli_semantic import semantic_app
from ui.cli_settings import show_settings
from ui.cli_web import web_app
from ui.progress import train_with_progress
from ui.render import backtest_table, forecast_table, ingest_table, merchants_table, model_table, sql_table
from ui.users import ensure_demo_users

app = typer.Typer(help="salescast: answers about your sales, grounded in your own data.", no_args_is_help=True)
data_app = typer.Typer(help="Build the warehouse and load merchants' sales files.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(web_app)  # serve, start, users (ui/cli_web.py)
app.add_typer(llm_app, name="llm")  # llm status, llm stop (ui/cli_llm.py)
app.add_typer(semantic_app, name="semantic")
register_agent_commands(app)  # ask, eval (ui/cli_agent.py)
register_explain_commands(app)  # explain, whatif, importance, report (ui/cli_explain.py)
app.command("settings")(show_settings)  # ui/cli_settings.py

out = Console()
err = Console(stderr=True)

MerchantOpt = Annotated[str, typer.Option("--merchant", "-m", help="Merchant to act for, e.g. oj or tuna.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn expected failures into one clear line on stderr and a non-zero exit, never a traceback."""
    try:
        yield
    except (SqlRefused, SqlError, WarehouseError, FileNotFoundError, SettingsError) as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def _json_option(text: str | None, option: str) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"{option} must be JSON: {exc}") from None
    if not isinstance(value, dict):
        raise typer.BadParameter(f'{option} must be a JSON object like {{"neural_mlp": {{"members": 3}}}}.')
    return value


def _print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, default=str) + "\n")


@data_app.command("build")
def data_build(as_json: JsonOpt = False) -> None:
    """Create or refresh $SALESCAST_HOME/warehouse.duckdb from data/ (keeps merchants' ingested rows)."""
    with user_errors():
        summary = build_warehouse()
        ensure_demo_users()
    if as_json:
        _print_json(summary.model_dump(mode="json"))
    else:
        out.print(merchants_table(summary.merchants))
        out.print(f"Warehouse: {summary.warehouse} ({summary.seconds:.1f} s)")
    for failure in summary.failed:
        err.print(
            f"error: {failure.merchant}'s tenant file could not be rebuilt ({failure.reason}); its queries still see "
            "its data as before. The other merchants were rebuilt."
        )
    if summary.failed:
        raise typer.Exit(2)


@data_app.command("ingest")
def data_ingest(
    merchant: MerchantOpt,
    file: Annotated[
        Path, typer.Argument(help="CSV or Parquet with columns date, product, units [store, price, promotion].")
    ],
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="Map a column explicitly, e.g. --map units=qty_sold (repeatable)."),
    ] = None,
    date_format: Annotated[str | None, typer.Option(help="strftime format of the dates, e.g. %d/%m/%Y.")] = None,
    week_start: Annotated[str | None, typer.Option(help="First day of the merchant's week, e.g. monday.")] = None,
    decimal: Annotated[
        str | None, typer.Option(help="Decimal mark of the file's numbers, . or , (detected when omitted).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a merchant's own sales; bad rows go to a rejects file with a reason each."""
    with user_errors():
        overrides = _parse_mapping(mapping or [])
        report = ingest_file(
            merchant, file, mapping=overrides, date_format=date_format, week_start=week_start, decimal=decimal
        )
    if as_json:
        _print_json(report.model_dump(mode="json"))
        return
    out.print(ingest_table(report))
    read_as = "; ".join(f"{what}: {how}" for what, how in report.conventions.items())
    out.print(f"Read as: {read_as}", highlight=False, markup=False)


def _parse_mapping(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        target, sep, column = item.partition("=")
        if not sep or not target.strip() or not column.strip():
            raise WarehouseError(f"--map takes TARGET=COLUMN (e.g. units=qty_sold), not {item!r}.")
        pairs[target.strip().lower()] = column.strip()
    return pairs


@app.command("sql")
def sql(
    merchant: MerchantOpt,
    query: Annotated[str, typer.Argument(help="One read-only SELECT over the merchant's tables.")],
    as_json: JsonOpt = False,
    max_rows: Annotated[int, typer.Option(min=1, max=10_000, help="Rows returned at most.")] = 200,
    timeout: Annotated[float, typer.Option(min=0.1, max=300, help="Seconds before the query is stopped.")] = 10.0,
) -> None:
    """Run one read-only SELECT over a merchant's sales, products, stores and calendar."""
    with user_errors():
        result = run_sql(merchant, query, max_rows=max_rows, timeout_s=timeout)
    if as_json:
        _print_json(result.public())
        return
    out.print(sql_table(result))


@app.command("schema")
def schema(merchant: MerchantOpt) -> None:
    """Show the tables and columns a merchant's queries can use."""
    with user_errors():
        views = describe_merchant(merchant)
    out.print(render(views), highlight=False, markup=False)


@app.command("train")
def train(
    merchant: MerchantOpt,
    model: Annotated[str, typer.Option(help="neural_mlp (default, best in the backtest) or transformer_tst.")] = (
        DEFAULT_MODEL
    ),
    device: Annotated[str, typer.Option(help="auto (CUDA when present), cpu or cuda.")] = "auto",
    as_json: JsonOpt = False,
) -> None:
    """Train the merchant's forecaster on all its data and save it under $SALESCAST_HOME/models."""
    with user_errors():
        meta = train_with_progress(merchant, device, model)
    if as_json:
        _print_json(meta.model_dump(mode="json"))
        return
    out.print(model_table(meta))


@app.command("forecast")
def forecast_cmd(
    merchant: MerchantOpt,
    product: Annotated[str, typer.Option(help="Product as you call it, e.g. 'Tropicana 64 oz' or 'tropicana 64'.")],
    store: Annotated[str | None, typer.Option(help="Store, e.g. 12; omit for chain-level merchants.")] = None,
    horizon: Annotated[int, typer.Option(min=1, help="Weeks ahead.")] = 8,
    as_json: JsonOpt = False,
) -> None:
    """Forecast units per week with P10/P50/P90 and the prices and promotions assumed."""
    from forecasting.predict import forecast  # torch: only the commands that forecast load it

    with user_errors():
        result = forecast(merchant, store, product, horizon)
    if as_json:
        _print_json(result.model_dump(mode="json"))
        return
    out.print(forecast_table(result))


@app.command("backtest")
def backtest(
    merchant: MerchantOpt,
    protocol: Annotated[str, typer.Option(help="oj-ms (the published OJ benchmark) or rolling.")] = "oj-ms",
    models: Annotated[str | None, typer.Option(help="Comma-separated, e.g. neural_mlp,lightgbm.")] = None,
    device: Annotated[str, typer.Option(help="auto, cpu or cuda (for the neural models).")] = "auto",
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the full report as JSON here.")] = None,
    config: Annotated[
        str | None,
        typer.Option(help='Override model settings as JSON, e.g. \'{"neural_mlp": {"members": 3}}\'.'),
    ] = None,
) -> None:
    """Retrain every model in every round of a protocol and score them side by side."""
    from forecasting.backtest.suite import run_backtest, save_backtest

    chosen = [m.strip() for m in models.split(",")] if models else None
    overrides = _json_option(config, "--config")
    with user_errors(), Progress(*Progress.get_default_columns(), console=err) as bar:
        task = bar.add_task("backtest", total=None)
        report = run_backtest(
            merchant,
            protocol,
            chosen,
            device,
            on_round=lambda m, i: bar.update(task, description=f"{m} round {i + 1}"),
            overrides=overrides,
        )
    saved = save_backtest(report)  # the latest run per merchant, which the assistant quotes for accuracy
    if json_file:
        json_file.write_text(report.model_dump_json(indent=1))
    out.print(backtest_table(report))
    err.print(f"Saved as {saved}")


if __name__ == "__main__":
    app()
