"""Attempts to escape the guarded SQL path. Each must be refused, or contained, and nothing may be written."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from forecasting.warehouse.connect import open_tenant
from forecasting.warehouse.errors import InvalidMerchantName
from tools.guarded_sql import SqlError, run_sql
from tools.sql_guard import ALLOWED_TABLE_FUNCTIONS, SqlRefused, check_select, table_only_functions

DATA = Path(__file__).resolve().parents[1] / "data" / "dominicks"
OJ_PRODUCTS = set(pd.read_parquet(DATA / "oj_products.parquet")["product"])
TUNA_PRODUCTS = set(pd.read_parquet(DATA / "tuna_products.parquet")["product"])
TUNA_PARQUET = str(DATA / "tuna_sales.parquet")

# (merchant running the query, query). The oj merchant tries to reach tuna's rows and vice versa.
ATTACKS: dict[str, tuple[str, str]] = {
    "union_other_schema": ("oj", "SELECT product FROM sales UNION ALL SELECT product FROM tuna.sales"),
    "catalog_qualified": ("oj", "SELECT * FROM tuna.main.sales"),
    "warehouse_raw_table": ("oj", "SELECT * FROM sales_raw WHERE merchant = 'tuna'"),
    "subquery_other_table": ("tuna", "SELECT * FROM sales WHERE product IN (SELECT product FROM wh.products)"),
    "cte_over_raw_table": ("oj", "WITH x AS (SELECT * FROM sales_raw) SELECT * FROM x"),
    "cte_shadowing_trick": ("tuna", "WITH sales AS (SELECT * FROM competitor_prices) SELECT * FROM sales"),
    "read_csv_passwd": ("oj", "SELECT * FROM read_csv('/etc/passwd')"),
    "read_parquet_other_merchant": ("oj", f"SELECT * FROM read_parquet('{TUNA_PARQUET}')"),
    "replacement_scan_file": ("oj", f"SELECT * FROM '{TUNA_PARQUET}'"),
    "glob_files": ("oj", "SELECT * FROM glob('/*')"),
    "read_text": ("oj", "SELECT * FROM read_text('/etc/hostname')"),
    "http_url": ("oj", "SELECT * FROM 'https://example.com/data.csv'"),
    "read_json_url": ("oj", "SELECT * FROM read_json_auto('http://127.0.0.1:9/x.json')"),
    "scalar_file_read_in_select": ("oj", "SELECT (SELECT count(*) FROM read_csv_auto('/etc/passwd'))"),
    "attach_warehouse": ("oj", "ATTACH 'warehouse.duckdb' AS wh"),
    "attach_memory": ("oj", "ATTACH ':memory:' AS m"),
    "copy_to_file": ("oj", "COPY sales TO '/tmp/salescast_stolen.csv'"),
    "copy_query_to_file": ("oj", "COPY (SELECT * FROM sales) TO 'stolen.parquet' (FORMAT parquet)"),
    "pragma": ("oj", "PRAGMA database_list"),
    "call_pragma": ("oj", "CALL pragma_database_list()"),
    "install_extension": ("oj", "INSTALL httpfs"),
    "load_extension": ("oj", "LOAD httpfs"),
    "set_external_access": ("oj", "SET enable_external_access = true"),
    "set_threads": ("oj", "SET threads = 64"),
    "create_table": ("oj", "CREATE TABLE stolen AS SELECT * FROM sales"),
    "drop_table": ("oj", "DROP TABLE sales"),
    "delete_rows": ("oj", "DELETE FROM sales"),
    "update_rows": ("oj", "UPDATE sales SET units = 0"),
    "insert_rows": ("oj", "INSERT INTO sales SELECT * FROM sales"),
    "alter_table": ("oj", "ALTER TABLE sales RENAME TO old_sales"),
    "select_into": ("oj", "SELECT * INTO stolen FROM sales"),
    "two_statements": ("oj", "SELECT 1; DROP TABLE sales"),
    "comment_hiding_statement": ("oj", "SELECT 1 -- harmless\n; DROP TABLE sales"),
    "block_comment_then_statement": ("oj", "SELECT 1 /* note */; DELETE FROM sales"),
    "transaction": ("oj", "BEGIN TRANSACTION"),
    "checkpoint": ("oj", "CHECKPOINT"),
    "vacuum": ("oj", "VACUUM"),
    "export_database": ("oj", "EXPORT DATABASE '/tmp/salescast_export'"),
    "use_other_db": ("oj", "USE tuna"),
    "detach": ("oj", "DETACH DATABASE oj"),
    "getenv": ("oj", "SELECT getenv('HOME')"),
    "settings_catalog": ("oj", "SELECT * FROM duckdb_settings()"),
    "databases_catalog": ("oj", "SELECT * FROM duckdb_databases()"),
    "query_function": ("oj", "SELECT * FROM query('SELECT * FROM tuna.sales')"),
    "query_table_function": ("oj", "SELECT * FROM query_table('sales_raw')"),
    "sqlite_scan": ("oj", "SELECT * FROM sqlite_scan('x.db', 't')"),
    "huge_cartesian_product": ("oj", "SELECT count(*) FROM sales a, sales b, sales c"),
    "huge_range": ("oj", "SELECT sum(x) FROM range(1000000000000) t(x)"),
    "infinite_recursion": ("oj", "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"),
    "huge_string": ("oj", "SELECT length(repeat('x', 2000000000))"),
    "tuna_asks_for_oj_table": ("tuna", "SELECT * FROM competitor_prices"),
    # Issue 17, finding 3: a name defined in one scope's WITH stood for the catalog elsewhere; LATERAL skipped the
    # table-function list.
    "cte_in_subquery_shadows_pg_settings": (
        "tuna", "SELECT name, setting FROM (WITH pg_settings AS (SELECT 1) SELECT 1) x, pg_settings"),
    "cte_in_subquery_shadows_duckdb_databases": (
        "tuna", "SELECT * FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1) x, duckdb_databases"),
    "cte_in_subquery_shadows_sqlite_master": ("oj", "SELECT * FROM (WITH sqlite_master AS (SELECT 1) SELECT 1) x, sqlite_master"),
    "cte_in_subquery_shadows_pragma_database_list": (
        "oj", ("SELECT * FROM sales WHERE EXISTS (WITH pragma_database_list AS (SELECT 1) SELECT 1) "
               "UNION ALL SELECT * FROM pragma_database_list")),
    "cte_in_where_shadows_pg_class": ("oj", "SELECT * FROM pg_class WHERE 1 IN (WITH pg_class AS (SELECT 1 AS x) SELECT x FROM pg_class)"),
    "cte_sees_itself_without_recursive": ("oj", "WITH duckdb_logs AS (SELECT * FROM duckdb_logs) SELECT * FROM duckdb_logs"),
    "later_cte_used_by_earlier": ("oj", "WITH a AS (SELECT * FROM pg_settings), pg_settings AS (SELECT 1) SELECT * FROM a"),
    "lateral_summary": ("oj", "SELECT * FROM sales, LATERAL summary(sales)"),
    "lateral_test_all_types": ("oj", "SELECT * FROM sales JOIN LATERAL test_all_types() t ON true"),
    "lateral_truncate_logs": ("oj", "SELECT * FROM sales, LATERAL truncate_duckdb_logs()"),
    "lateral_settings": ("oj", "SELECT * FROM sales, LATERAL duckdb_settings()"),
    "information_schema": ("oj", "SELECT * FROM information_schema.tables"),
    "deep_nesting": ("oj", "SELECT " + "(" * 62 + "1" + ")" * 62),
    "string_concat_over_8gb": ("tuna", "SELECT length(repeat('x', 3000000000) || repeat('y', 3000000000))"),
}  # fmt: skip

# Queries that are allowed to run but must stay inside the merchant's own rows.
CONTAINED: dict[str, tuple[str, str]] = {
    "tuna_reads_everything_it_can": (
        "tuna",
        "SELECT product FROM sales UNION SELECT product FROM products UNION SELECT store FROM stores",
    ),
    "oj_reads_everything_it_can": ("oj", "SELECT DISTINCT product FROM sales UNION SELECT competitor FROM competitor_prices"),
    "streaming_cartesian_is_capped": ("oj", "SELECT * FROM sales, products, stores"),
}  # fmt: skip


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def attack_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("attack") / "home"
    shutil.copytree(built_home, home)
    return home, _digest(home)


@pytest.fixture
def sandbox(attack_home: tuple[Path, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    home, before = attack_home
    monkeypatch.setenv("SALESCAST_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    yield
    assert _digest(home) == before, "the warehouse or a tenant file changed"
    assert list(tmp_path.iterdir()) == [], "a file was written in the working directory"
    assert not Path("/tmp/salescast_stolen.csv").exists() and not Path("/tmp/salescast_export").exists()


def test_attack_suite_is_large_enough() -> None:
    assert len(ATTACKS) + len(CONTAINED) >= 30


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_is_refused(name: str, sandbox: None) -> None:
    merchant, query = ATTACKS[name]
    with pytest.raises((SqlRefused, SqlError)) as refused:
        run_sql(merchant, query, timeout_s=2)
    assert str(refused.value)  # every refusal says why


@pytest.mark.parametrize("name", sorted(CONTAINED))
def test_attack_is_contained(name: str, sandbox: None) -> None:
    merchant, query = CONTAINED[name]
    result = run_sql(merchant, query, timeout_s=5, max_rows=500)
    seen = {str(v) for row in result.rows for v in row}
    foreign = TUNA_PRODUCTS if merchant == "oj" else OJ_PRODUCTS
    assert not seen & foreign
    assert len(result.rows) <= 500


@pytest.mark.parametrize("merchant", ["../warehouse", "oj; DROP TABLE sales", "OJ", "tuna/../oj", "", "o"])
def test_merchant_argument_cannot_name_a_path(merchant: str, home: Path) -> None:
    with pytest.raises(InvalidMerchantName):
        run_sql(merchant, "SELECT 1")


# Harmless on a read-only sandboxed connection, or stopped only by the timeout: not part of the second-wall check.
_ONLY_GUARDED = {
    "checkpoint", "vacuum", "pragma", "transaction", "settings_catalog", "databases_catalog",
    "huge_cartesian_product", "huge_range", "infinite_recursion", "huge_string", "getenv", "deep_nesting",
    "string_concat_over_8gb", *(name for name in ATTACKS if "shadows" in name or name.startswith(("lateral", "cte_"))),
    "information_schema", "later_cte_used_by_earlier",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(set(ATTACKS) - _ONLY_GUARDED))
def test_second_wall_connection_refuses_without_the_checker(name: str, sandbox: None) -> None:
    """Even if the SQL checker were bypassed, the tenant connection itself cannot escape or write."""
    merchant, query = ATTACKS[name]
    with open_tenant(merchant) as con, pytest.raises(duckdb.Error):
        con.execute(query).fetchall()


# The generated family (issue 17): every DuckDB table function and catalog view, through every way a name can be
# smuggled in. Read from the DuckDB in use, so a new release's additions are covered without editing this file.
def _catalog_names() -> tuple[list[str], list[str]]:
    with duckdb.connect(":memory:") as con:
        functions = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type IN ('table', 'table_macro') "
                "ORDER BY 1"
            ).fetchall()
        ]
        views = [
            r[0]
            for r in con.execute("SELECT DISTINCT view_name FROM duckdb_views() WHERE internal ORDER BY 1").fetchall()
        ]
    return [f for f in functions if f not in ALLOWED_TABLE_FUNCTIONS], views


FUNCTIONS, VIEWS = _catalog_names()

SMUGGLING_FORMS: dict[str, str] = {
    "from": "SELECT * FROM {ref}",
    "cte_shadow_in_subquery": "SELECT * FROM (WITH {name} AS (SELECT 1) SELECT 1) x, {ref}",
    "cte_shadow_in_where": "SELECT * FROM {ref} WHERE 1 IN (WITH {name} AS (SELECT 1 AS c) SELECT c FROM {name})",
    "cte_self_reference": "WITH {name} AS (SELECT * FROM {ref}) SELECT * FROM {name}",
    "lateral": "SELECT * FROM sales, LATERAL (SELECT * FROM {ref}) t",
    "join": "SELECT * FROM sales JOIN {ref} t ON true",
    "scalar_subquery": "SELECT (SELECT count(*) FROM {ref})",
    "exists": "SELECT * FROM sales WHERE EXISTS (SELECT 1 FROM {ref})",
    "alias_as_own_table": "SELECT * FROM {ref} AS sales",
    "union": "SELECT product FROM sales UNION ALL SELECT * FROM {ref}",
}


def _family(form: str) -> list[str]:
    template = SMUGGLING_FORMS[form]
    queries = [template.format(name=f, ref=f"{f}()") for f in FUNCTIONS]
    queries += [template.format(name=v, ref=v) for v in VIEWS]
    if form == "lateral":
        queries += [f"SELECT * FROM sales, LATERAL {f}()" for f in FUNCTIONS]
    return queries


def test_generated_family_covers_the_catalog() -> None:
    assert len(FUNCTIONS) > 100 and {"summary", "test_all_types", "duckdb_settings"} <= set(FUNCTIONS)
    assert {"pg_settings", "sqlite_master", "duckdb_databases", "pragma_database_list", "pg_class"} <= set(VIEWS)


@pytest.mark.parametrize("form", sorted(SMUGGLING_FORMS))
def test_generated_catalog_family_is_refused(form: str, sandbox: None) -> None:
    leaked = []
    for query in _family(form):
        try:
            run_sql("oj", query, timeout_s=2, max_rows=5)
        except (SqlRefused, SqlError):
            continue
        leaked.append(query)
    assert not leaked, f"{len(leaked)} ran: {leaked[:5]}"


@pytest.mark.parametrize("name", [f for f in FUNCTIONS if f in table_only_functions()])
def test_table_only_function_in_a_select_list_is_refused(name: str) -> None:
    with pytest.raises(SqlRefused):
        check_select(f"SELECT {name}() AS x FROM sales", {"sales": ["product"]})
