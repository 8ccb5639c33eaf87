"""Every setting salescast reads from the environment, declared once: name, type, default and what it does.

Why one object: the settings were read in ten modules, four of them at import time, and none listed them all; a
wrong value failed far from where it was set (or not at all). Here each is a typed field of ``Settings``
(pydantic-settings: ``SALESCAST_<FIELD>``, plus the OpenAI client's own two variables), read fresh on every
``settings()`` call so a test or a child process that changes the environment is seen at once, and a bad value
fails with the variable's name and what it accepts. ``salescast settings`` prints them with their current values;
the README's table is checked against this class by a test.

It lives in ``forecasting`` because that is the lowest layer: tools, the agent and the UI all read it, and nothing
here imports any of them. The embedded LLM server process (``agent.local_server``) imports nothing of salescast and
reads ``SALESCAST_LLM_VERBOSE`` itself; it is declared here so the listing is complete.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

PREFIX = "SALESCAST_"


class SettingsError(ValueError):
    """A setting has a value it cannot take; the message names the variable and what it accepts."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, case_sensitive=False, extra="ignore", env_ignore_empty=True)

    # where things live
    home: Path = Field(Path("var"), description="folder for everything generated: warehouse, tenant files, "
                       "models, reports, users")  # fmt: skip
    data: Path | None = Field(None, description="the shipped data folder (default: the repository's data/)")
    users: Path | None = Field(None, description="the sign-in file (default: $SALESCAST_HOME/users.json)")
    # compute
    threads: int | None = Field(None, ge=1, description="CPU threads for training and forecasting (default: the "
                                "cores free when a job starts)")  # fmt: skip
    llm_threads: int | None = Field(None, ge=1, description="CPU threads for the embedded LLM (default: the cores "
                                    "free when it starts)")  # fmt: skip
    # which language model
    llm: str | None = Field(None, description="scripted, embedded, env, or a model name on OPENAI_BASE_URL "
                            "(default: the endpoint if one is configured, else embedded)")  # fmt: skip
    model: str | None = Field(None, description="the hosted model used by --llm env (default gpt-4o-mini)")
    tool_mode: Literal["native", "structured"] | None = Field(None, description="native: the model calls tools and "
                                                              "writes the answer; structured: one routing call, "
                                                              "answer rendered (default: by model)")  # fmt: skip
    openai_base_url: str | None = Field(None, validation_alias=AliasChoices("OPENAI_BASE_URL"),
                                        description="an OpenAI-compatible endpoint")  # fmt: skip
    openai_api_key: SecretStr | None = Field(None, validation_alias=AliasChoices("OPENAI_API_KEY"),
                                             description="the key for that endpoint")  # fmt: skip
    llm_timeout: float | None = Field(None, gt=0, description="seconds one LLM call may take (default 60)")
    llm_max_tokens: int = Field(400, ge=1, description="tokens the embedded model may write per reply")
    # the embedded model
    local_model: str | None = Field(None, description="the embedded model's name or a GGUF file path (default: "
                                    "Qwen2.5-Coder-1.5B)")  # fmt: skip
    llm_ctx: int = Field(8192, ge=512, description="the embedded model's context window, in tokens")
    llm_cache: Path | None = Field(None, description="where its assembled weights live (default: "
                                   "$SALESCAST_HOME/llm)")  # fmt: skip
    llm_idle_s: float = Field(300.0, ge=0, description="seconds a server kept warm by `salescast ask` stays up "
                              "unused (0: stop at exit)")  # fmt: skip
    llm_verbose: bool = Field(False, description="1: the embedded server keeps llama.cpp's own log")
    # the chat
    route_max_tokens: int = Field(120, ge=1, description="tokens the router's reply may take (structured mode)")
    warm_timeout: float = Field(240.0, gt=0, description="seconds the router's prompt warm-up may take")
    agent_steps: int = Field(6, ge=1, description="tool calls one answer may make (native mode)")
    agent_timeout: float = Field(240.0, gt=0, description="seconds one answer may take")
    web_concurrency: int = Field(32, ge=1, description="questions the web app answers at once")


def settings() -> Settings:
    """The settings as the environment holds them now; a bad value raises ``SettingsError`` naming it."""
    try:
        return Settings()
    except ValidationError as err:
        raise SettingsError(_explain(err)) from None


def variable(field: str) -> str:
    """The environment variable of a field: ``SALESCAST_HOME``, ``OPENAI_BASE_URL``."""
    alias = Settings.model_fields[field].validation_alias
    return alias.choices[0] if isinstance(alias, AliasChoices) else PREFIX + field.upper()


def listing() -> list[dict[str, Any]]:
    """Every setting with its variable, current value (secrets masked), default and description."""
    now = settings()
    rows = []
    for name, info in Settings.model_fields.items():
        value = getattr(now, name)
        shown = "(set)" if isinstance(value, SecretStr) else value
        rows.append({"variable": variable(name), "value": shown, "default": info.default,
                     "description": info.description or ""})  # fmt: skip
    return rows


def _explain(err: ValidationError) -> str:
    problems = []
    for e in err.errors():
        name = str(e["loc"][0]) if e["loc"] else "?"
        field = name if name in Settings.model_fields else next(
            (f for f in Settings.model_fields if variable(f) == name), name)  # fmt: skip
        problems.append(f"{variable(field) if field in Settings.model_fields else name}={e.get('input')!r}: "
                        f"{e['msg']}")  # fmt: skip
    return "Bad setting: " + "; ".join(problems) + ". Fix or unset it (`salescast settings` lists them all)."


def markdown_table() -> str:
    """The README's table of settings (a test keeps the two equal)."""
    lines = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for name, info in Settings.model_fields.items():
        default = "-" if info.default is None else f"`{info.default}`"
        lines.append(f"| `{variable(name)}` | {default} | {info.description} |")
    return "\n".join(lines)
