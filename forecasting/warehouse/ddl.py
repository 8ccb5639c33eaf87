"""Tables of ``warehouse.duckdb``. Every row carries its merchant; tenant databases are cut from these."""

from __future__ import annotations

import re

import duckdb

from forecasting.warehouse.errors import InvalidMerchantName
from forecasting.warehouse.sqlutil import one

SCHEMA_VERSION = 1

_MERCHANT_RE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")

STATEMENTS = [
    """CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS merchants (
        merchant VARCHAR PRIMARY KEY,
        display_name VARCHAR NOT NULL,
        source VARCHAR NOT NULL,            -- 'demo' or 'ingested'
        week_start_isodow INTEGER NOT NULL, -- 1 = Monday .. 7 = Sunday
        currency VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
    """CREATE TABLE IF NOT EXISTS sales_raw (
        merchant VARCHAR NOT NULL,
        date DATE NOT NULL,                 -- day of sale, or the week start for weekly sources
        store VARCHAR NOT NULL,
        product VARCHAR NOT NULL,
        units DOUBLE NOT NULL,
        price DOUBLE,
        deal DOUBLE,
        feature DOUBLE,
        display DOUBLE,
        profit DOUBLE,
        wholesale_price DOUBLE,
        source VARCHAR NOT NULL,            -- 'demo' or the sha256 of the ingested file
        PRIMARY KEY (merchant, date, store, product))""",
    """CREATE TABLE IF NOT EXISTS products (
        merchant VARCHAR NOT NULL, product VARCHAR NOT NULL, brand VARCHAR, size_oz DOUBLE,
        PRIMARY KEY (merchant, product))""",
    """CREATE TABLE IF NOT EXISTS stores (
        merchant VARCHAR NOT NULL, store VARCHAR NOT NULL, city VARCHAR, price_tier VARCHAR, zone INTEGER,
        zip VARCHAR, address VARCHAR, age60 DOUBLE, educ DOUBLE, ethnic DOUBLE, income DOUBLE, hhlarge DOUBLE,
        workwom DOUBLE, hval150 DOUBLE, sstrdist DOUBLE, sstrvol DOUBLE, cpdist5 DOUBLE, cpwvol5 DOUBLE,
        PRIMARY KEY (merchant, store))""",
    """CREATE TABLE IF NOT EXISTS calendar (
        merchant VARCHAR NOT NULL, week_start DATE NOT NULL, week_end DATE NOT NULL, event VARCHAR,
        PRIMARY KEY (merchant, week_start))""",
    """CREATE TABLE IF NOT EXISTS shelf_prices (
        merchant VARCHAR NOT NULL, week_start DATE NOT NULL, store VARCHAR NOT NULL, product VARCHAR NOT NULL,
        price DOUBLE NOT NULL,
        PRIMARY KEY (merchant, week_start, store, product))""",
    """CREATE TABLE IF NOT EXISTS ingests (
        merchant VARCHAR NOT NULL, file_sha256 VARCHAR NOT NULL, file_name VARCHAR NOT NULL,
        rows_read BIGINT NOT NULL, rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL,
        rejects_file VARCHAR, loaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp)""",
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create missing tables; refuse a warehouse written by an incompatible version."""
    for statement in STATEMENTS:
        con.execute(statement)
    row = one(con, "SELECT value FROM meta WHERE key = 'schema_version'")
    if row is None:
        con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    elif int(row[0]) != SCHEMA_VERSION:
        raise RuntimeError(f"warehouse schema version {row[0]} is not {SCHEMA_VERSION}; rebuild it in a new home")


def check_merchant_name(merchant: str) -> str:
    if not isinstance(merchant, str) or not _MERCHANT_RE.fullmatch(merchant):
        raise InvalidMerchantName(merchant)
    return merchant
