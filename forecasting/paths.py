"""Where salescast reads its shipped data and writes what it generates.

Everything generated (warehouse, tenant databases, models, reports) lives under ``SALESCAST_HOME`` so that one
environment variable moves or isolates a whole installation (tests point it at a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

from forecasting.settings import settings

REPO_ROOT = Path(__file__).resolve().parents[1]


def home() -> Path:
    """The folder for generated state: ``$SALESCAST_HOME``, else ``./var`` under the current directory."""
    return settings().home.expanduser().resolve()


def data_dir() -> Path:
    """The shipped data: ``$SALESCAST_DATA`` or the repository's ``data/`` folder."""
    return (settings().data or REPO_ROOT / "data").expanduser().resolve()


def warehouse_path() -> Path:
    return home() / "warehouse.duckdb"


def tenants_dir() -> Path:
    return home() / "tenants"


def tenant_path(merchant: str) -> Path:
    return tenants_dir() / f"{merchant}.duckdb"


def model_dir(merchant: str) -> Path:
    """A merchant's saved forecaster (``meta.json`` and weights)."""
    return home() / "models" / merchant


def rejects_dir() -> Path:
    return home() / "rejects"
