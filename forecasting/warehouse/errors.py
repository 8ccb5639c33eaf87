"""Errors a person can act on: each message says what is wrong and what to do about it."""


def first_line(err: Exception) -> str:
    """The first non-blank line of an error (DuckDB's messages go on with hints and context), or its type."""
    return next((line.strip() for line in str(err).splitlines() if line.strip()), type(err).__name__)


class WarehouseError(RuntimeError):
    """Base class for warehouse problems that should reach the user as a clear message."""


class WarehouseMissing(WarehouseError):
    def __init__(self, path: object) -> None:
        super().__init__(f"No warehouse at {path}. Run `salescast data build` first.")


class UnknownMerchant(WarehouseError):
    def __init__(self, merchant: str, known: list[str]) -> None:
        listed = ", ".join(known) if known else "none yet (run `salescast data build`)"
        super().__init__(f"Unknown merchant {merchant!r}. Known merchants: {listed}.")
        self.merchant = merchant
        self.known = known


class InvalidMerchantName(WarehouseError):
    def __init__(self, merchant: str) -> None:
        super().__init__(
            f"Invalid merchant name {merchant!r}: use 2-32 characters, lowercase letters, digits and '_', "
            "starting with a letter."
        )


class WarehouseLost(WarehouseError):
    """The warehouse is gone (or was replaced) while tenant files still hold merchants' rows."""

    def __init__(self, path: object, merchants: list[str]) -> None:
        super().__init__(
            f"The warehouse {path} is missing or was replaced, but tenant files still hold the rows of "
            f"{', '.join(merchants)}. Nothing was changed, so those rows are not lost: restore warehouse.duckdb from "
            "a backup, or move the tenant files of those merchants out of the tenants folder and ingest their sales "
            "files again. (Demo merchants alone are rebuilt from data/ by `salescast data build`.)"
        )
        self.merchants = merchants


class TenantNotWritable(WarehouseError):
    def __init__(self, folder: object, reason: str) -> None:
        super().__init__(
            f"Cannot write tenant files in {folder} ({reason}). Nothing was loaded: make the folder writable "
            "(or point SALESCAST_HOME elsewhere) and run the command again."
        )
