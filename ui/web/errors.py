"""Turn whatever stopped a chat turn into one sentence a merchant can act on; the app itself never goes down.

Exceptions are matched by class name along the MRO where the class lives in an optional dependency (openai,
httpx), so this module does not import them.
"""

from __future__ import annotations

import os

from agent.local_llm import LocalLLMError
from forecasting.models.saved import ModelMissing
from forecasting.warehouse.errors import WarehouseError
from ui.users import UserError
from ui.web.shown import redact_paths

_UNREACHABLE = {
    "APIConnectionError",
    "APITimeoutError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionError",
    "URLError",
    "TimeoutError",
    "ReadTimeout",
}


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def llm_unreachable(exc: BaseException) -> str:
    where = os.environ.get("OPENAI_BASE_URL") or "the embedded local model"
    return (
        f"The language model ({where}) is not reachable right now, so I cannot answer. "
        "Check that it is running (or unset OPENAI_BASE_URL to use the embedded one) and ask again. "
        f"Details: {exc}"
    )


def friendly(exc: BaseException, merchant: str | None = None) -> str:
    """A specific, actionable message for the chat; the raw error is kept at the end for support, less any server
    path (the full error is in the server's log)."""
    return redact_paths(_message(exc, merchant))


def _message(exc: BaseException, merchant: str | None) -> str:
    if "LLMConfigError" in _names(exc):
        return f"The language model is not set up: {exc}"
    if isinstance(exc, LocalLLMError):
        return f"The embedded language model could not start: {exc}"
    if _names(exc) & _UNREACHABLE:
        return llm_unreachable(exc)
    if isinstance(exc, ModelMissing):
        who = merchant or "your store"
        return (
            f"The forecasting model for {who} is not ready yet (it is still training or was never trained). "
            "Questions about past sales work now; forecasts will once training has finished."
        )
    if isinstance(exc, UserError | WarehouseError):  # includes unknown names, which list the closest matches
        return str(exc)
    return f"Something went wrong while answering ({type(exc).__name__}: {exc}). The app is still running; try again."
