"""Connections to the warehouse (trusted, for build and ingest) and to a tenant database (sandboxed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from forecasting import paths
from forecasting.warehouse.ddl import check_merchant_name, ensure_schema
from forecasting.warehouse.errors import UnknownMerchant, WarehouseLost, WarehouseMissing

# Every tenant connection gets exactly this configuration. DuckDB shares one database instance per file within a
# process, and only connections with an identical configuration may share it, so it is a constant. Locked, so a
# query cannot undo any of it.
SANDBOX_CONFIG: dict[str, object] = {
    "enable_external_access": False,
    "python_enable_replacements": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_persistent_secrets": False,
    "max_temp_directory_size": "0B",
    "memory_limit": "1GB",
    "threads": 2,
    "lock_configuration": True,
}


def open_warehouse(rebuildable: frozenset[str] = frozenset()) -> duckdb.DuckDBPyConnection:
    """A read-write connection to ``warehouse.duckdb``, created with its tables if absent.

    A missing warehouse is only created when no tenant file holds rows it would lose: tenant files are cut from the
    warehouse, so building them again from a new, empty one would silently replace a merchant's data with nothing.
    ``rebuildable`` names merchants whose rows can be loaded again from elsewhere (the demo merchants, from data/).
    """
    path = paths.warehouse_path()
    orphans = [m for m in known_merchants() if m not in rebuildable]
    if not path.is_file() and orphans:
        raise WarehouseLost(path, orphans)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def known_merchants() -> list[str]:
    """Merchants with a tenant database, i.e. the ones a query can be scoped to."""
    folder = paths.tenants_dir()
    return sorted(p.stem for p in folder.glob("*.duckdb")) if folder.is_dir() else []


def tenant_file(merchant: str) -> Path:
    """The merchant's tenant database, or a clear error naming the known merchants."""
    check_merchant_name(merchant)
    path = paths.tenant_path(merchant)
    if not path.is_file():
        if not paths.warehouse_path().is_file():
            raise WarehouseMissing(paths.warehouse_path())
        raise UnknownMerchant(merchant, known_merchants())
    return path


def open_tenant(merchant: str) -> duckdb.DuckDBPyConnection:
    """A read-only connection that sees one merchant's tables and cannot reach files, URLs or extensions.

    Open one per query and close it: a connection held across an ingest would keep reading the replaced file.
    """
    return duckdb.connect(str(tenant_file(merchant)), read_only=True, config=SANDBOX_CONFIG)
