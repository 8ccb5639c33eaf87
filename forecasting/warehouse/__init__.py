"""The DuckDB warehouse: ``warehouse.duckdb`` holds every merchant's rows; each merchant also gets a tenant
database (``tenants/<merchant>.duckdb``) holding only its own tables, which is all a merchant-scoped query can open.
"""
