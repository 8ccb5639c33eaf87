"""Errors a person can act on: each message says what is wrong and what to do about it."""


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
