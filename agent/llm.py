"""Which LLM answers, and how it picks tools: every real model goes through ``langchain_openai.ChatOpenAI``.

Any OpenAI-compatible endpoint works the same way (environment):

- OpenAI: ``OPENAI_API_KEY=sk-...`` and ``SALESCAST_MODEL=gpt-4o-mini`` (the default model name).
- vLLM: ``vllm serve Qwen/Qwen2.5-7B-Instruct --enable-auto-tool-choice --tool-call-parser hermes`` then
  ``OPENAI_BASE_URL=http://host:8000/v1 SALESCAST_MODEL=Qwen/Qwen2.5-7B-Instruct``.
- Ollama: ``OPENAI_BASE_URL=http://localhost:11434/v1 SALESCAST_MODEL=qwen2.5:7b`` (no key needed).
- llama.cpp: ``llama-server -m model.gguf --jinja`` then ``OPENAI_BASE_URL=http://localhost:8080/v1``.

With none of these set, the embedded default starts (``agent.local_llm``): a small model on 127.0.0.1, no key, no
internet. ``SALESCAST_LLM`` (or ``--llm``) picks by name: ``scripted`` (deterministic, no model: tests and demos),
``embedded``, ``env`` (the endpoint above), or any other text as a model name on the configured endpoint.
``SALESCAST_TOOL_MODE=native|structured`` overrides how tools are chosen: structured (one grammar-constrained JSON
object per step) is the default for the embedded model, which cannot call tools natively; native otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_openai import ChatOpenAI

from agent.scripted import ScriptedChatModel
from forecasting.settings import SettingsError, settings

DEFAULT_HOSTED_MODEL = "gpt-4o-mini"
EMBEDDED_NAMES = {"embedded", "local", "default-local"}
ENV_NAMES = {"env", "openai", "endpoint"}


class LLMConfigError(RuntimeError):
    """The named LLM cannot be used here; the message says what to set."""


@dataclass(frozen=True)
class LLMChoice:
    model: BaseChatModel
    label: str
    mode: str  # "native" or "structured"
    server: Any = None  # the embedded model's ``LocalLLM`` this model talks to (None: any other endpoint)


def resolve_llm(name: str | None) -> tuple[BaseChatModel, str]:
    """(chat model, label) for ``name``; None means ``SALESCAST_LLM``, else the env endpoint, else embedded."""
    choice = choose(name)
    return choice.model, choice.label


def choose(name: str | None) -> LLMChoice:
    """The model, its label and its tool mode (see the module docstring for the names)."""
    name = (name or settings().llm or "").strip() or None
    if name == "scripted":
        return LLMChoice(ScriptedChatModel(), "scripted", _mode("native"))
    if name in EMBEDDED_NAMES or (name is None and not endpoint_configured()):
        return embedded()
    if name is None or name in ENV_NAMES:
        return hosted(settings().model or DEFAULT_HOSTED_MODEL)
    if not endpoint_configured():
        raise LLMConfigError(
            f"Unknown LLM {name!r}: use scripted, embedded, or set OPENAI_BASE_URL / OPENAI_API_KEY so {name!r} "
            "names a model on that endpoint."
        )
    return hosted(name)


def endpoint_configured() -> bool:
    now = settings()
    return bool(now.openai_base_url or now.openai_api_key)


def _mode(default: str) -> str:
    try:
        return settings().tool_mode or default
    except SettingsError as exc:
        raise LLMConfigError(str(exc)) from None


def _timeout(default: float) -> float:
    return settings().llm_timeout or default


def hosted(model: str) -> LLMChoice:
    now = settings()
    base_url = now.openai_base_url or None
    chat = ChatOpenAI(
        model=model,
        base_url=base_url,
        api_key=now.openai_api_key.get_secret_value() if now.openai_api_key else "not-needed",
        temperature=0,
        timeout=_timeout(60),
        max_retries=1,
    )
    where = base_url or "api.openai.com"
    return LLMChoice(chat, f"{model} @ {where}", _mode("native"))


def embedded() -> LLMChoice:
    """The embedded server, started on first use (``agent.llm_shared``); its model answers in structured mode."""
    from agent import llm_shared, local_llm

    try:
        server = llm_shared.shared_server()
        label = local_llm.local_model_label()
    except Exception as exc:  # the runtime, the weights or the server: the message says which and what to do
        raise LLMConfigError(f"The embedded LLM is not available: {exc}") from exc
    base_url = server.base_url.rstrip("/")
    chat = ChatOpenAI(
        model=label,
        base_url=base_url if base_url.endswith("/v1") else base_url + "/v1",
        api_key="local",
        temperature=0,
        timeout=_timeout(60),
        max_retries=0,
        max_tokens=settings().llm_max_tokens,
    )
    return LLMChoice(chat, label, _mode("structured"), server)


def local_available() -> bool:
    """Whether the embedded LLM can run here (cheap: it starts nothing)."""
    try:
        from agent import local_llm

        ok = local_llm.local_llm_available()
    except (ImportError, RuntimeError, OSError):
        return False
    return bool(ok[0] if isinstance(ok, tuple) else ok)
