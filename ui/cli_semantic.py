"""``salescast semantic show`` and ``semantic init``: the merchant's semantic model, as the chat sees it, and a file
to correct it.

``show`` prints the measures, breakdowns, products with their brand/size/category (read from the tenant tables or
inferred from the names), store attributes, holidays and the words meaning "everything", and which override file
was read. ``init`` writes the inferred catalog into ``$SALESCAST_HOME/semantic/<merchant>.yaml`` so a merchant can
fix a brand or a category and add words of its own; the chat reads the file on the next session.
"""

from __future__ import annotations

from typing import Annotated

import typer
import yaml
from rich.console import Console
from rich.table import Table

from forecasting.warehouse.errors import WarehouseError
from tools.semantic.model import SemanticModel, override_path, semantic_model

semantic_app = typer.Typer(help="Show or edit the business terms the chat uses for a merchant.", no_args_is_help=True)
out = Console()
err = Console(stderr=True, soft_wrap=True)  # a path in an error is one unbroken line
MerchantOpt = Annotated[str, typer.Option("--merchant", "-m", help="Merchant, e.g. oj or tuna.")]


def _model(merchant: str) -> SemanticModel:
    try:
        return semantic_model(merchant)
    except WarehouseError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(code=2) from None


@semantic_app.command("show")
def show(merchant: MerchantOpt) -> None:
    """Print the merchant's semantic model."""
    model = _model(merchant)
    out.print(f"[bold]{merchant}[/]: weekly data {model.first_week} to the week of {model.last_week}; "
              f"{len(model.stores)} store(s); overrides: {', '.join(model.sources) or 'none'}", highlight=False)  # fmt: skip
    out.print("Measures: " + ", ".join(m.name for m in model.measures), highlight=False)
    out.print("Breakdowns: " + ", ".join(d.name for d in model.dimensions), highlight=False)
    out.print("Words for everything: " + (", ".join(model.category_words) or "none"), highlight=False)
    table = Table("product", "brand", "size", "category")
    for p in model.catalog:
        table.add_row(p.product, p.brand or "", p.size or "", p.category or "")
    out.print(table)
    for column, values in model.store_attributes.items():
        out.print(f"Store {column}: {', '.join(sorted(set(values.values()))[:12])}", highlight=False)
    out.print("Holidays: " + (", ".join(sorted(model.events)) or "none"), highlight=False)


@semantic_app.command("init")
def init(
    merchant: MerchantOpt,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Write the merchant's override file from what is inferred today, for the merchant to correct."""
    model = _model(merchant)
    path = override_path(merchant)
    if path.exists() and not force:
        err.print(f"[bold red]error:[/] {path} exists; edit it, or pass --force to replace it.", highlight=False)
        raise typer.Exit(code=2)
    body = {
        "category_label": model.category_label,
        "category_words": model.category_words,
        "products": {p.product: {k: v for k, v in p.model_dump().items() if k != "product" and v}
                     for p in model.catalog},
        "synonyms": model.synonyms,
    }  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    header = f"# {merchant}'s business terms for salescast; edit and save, the chat reads it on the next session.\n"
    path.write_text(header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True))
    out.print(f"Wrote {path}", highlight=False)
