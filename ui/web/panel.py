"""The side panel: what the signed-in merchant's answers are based on (data range, products, model status).

Shown next to the chat so a merchant can judge an answer without asking: which weeks the data covers, what the
products are called (the names the tools understand), and how old and how accurate the forecasting model is.
"""

from __future__ import annotations

from forecasting.models.saved import ModelMissing, read_meta
from forecasting.warehouse.build import merchant_summary
from forecasting.warehouse.connect import open_tenant
from forecasting.warehouse.errors import WarehouseError
from ui.web.shown import redact_paths


def product_names(merchant: str) -> list[str]:
    with open_tenant(merchant) as con:
        return [r[0] for r in con.execute("SELECT DISTINCT product FROM sales ORDER BY 1").fetchall()]


def data_section(merchant: str) -> str:
    s = merchant_summary(merchant)
    stores = "chain level" if s.stores == 1 else f"{s.stores} stores"
    return f"**Data** · {s.first_week} → {s.last_week}  \n{s.rows:,} weekly rows · {stores} · {s.products} products"


def products_section(merchant: str) -> str:
    names = product_names(merchant)
    return "**Products**\n" + "\n".join(f"- {name}" for name in names)


def model_section(merchant: str) -> str:
    """Trained when, on what, and the held-out accuracy; or why there is no model yet."""
    try:
        meta = read_meta(merchant)
    except ModelMissing:
        return (
            "**Model** · not trained yet: sales questions work now, forecasts once "
            f"`salescast train --merchant {merchant}` has finished."
        )
    v = meta.validation
    coverage = f" · P10–P90 covers {v.coverage80:.0f}%" if v.coverage80 is not None else ""
    return (
        f"**Model** · `{meta.model}` trained {meta.trained_at:%Y-%m-%d %H:%M} UTC on data to {meta.data_last_week}  \n"
        f"Validation (last held-out weeks): MAPE {v.mape:.1f}% · WAPE {v.wape:.1f}%{coverage}  \n"
        f"Version `{meta.version}`"
    )


def panel_markdown(merchant: str) -> str:
    """The whole panel; a broken part says what is wrong instead of taking the page down."""
    parts = [f"### Signed in as merchant `{merchant}`"]
    for section in (data_section, model_section, products_section):
        try:
            parts.append(section(merchant))
        except WarehouseError as exc:
            parts.append(f"⚠️ {redact_paths(str(exc))}")
    return "\n\n".join(parts)
