"""``salescast settings``: every setting salescast reads, its variable, current value, default and what it does.

The list is ``forecasting.settings.Settings`` itself, so it cannot fall behind the code; secrets show only whether
they are set. A bad value is reported with the variable's name instead of a table.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from forecasting.settings import SettingsError, listing

out = Console()
err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def show_settings(as_json: JsonOpt = False) -> None:
    """List every setting (environment variable) with its current value, default and what it does."""
    try:
        rows = listing()
    except SettingsError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    if as_json:
        sys.stdout.write(json.dumps({r["variable"]: _plain(r["value"]) for r in rows}) + "\n")
        return
    table = Table("variable", "value", "default", "what it does", title="salescast settings")
    for r in rows:
        table.add_row(r["variable"], _shown(r["value"]), _shown(r["default"]), r["description"])
    out.print(table)


def _plain(value: Any) -> Any:
    return None if value is None else value if isinstance(value, (bool, int, float)) else str(value)


def _shown(value: Any) -> str:
    return "-" if value is None else str(value)
