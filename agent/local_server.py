"""A minimal OpenAI-compatible HTTP server over ``llama-cpp-py-sync``, run as a child process by ``LocalLLM``.

Why our own server: ``llama-cpp-py-sync`` ships a prebuilt libllama (no 15-minute compile) but no server, and
``llama-cpp-python`` must compile llama.cpp on every new machine. Endpoints: ``GET /v1/models``, ``GET /health``,
``POST /v1/chat/completions`` (``stream: true`` answers with server-sent events). Supported: ``max_tokens``,
``temperature``, ``top_p``, ``seed``, ``stop``, ``response_format`` (``json_schema`` or ``json_object`` [+ ``schema``])
compiled to a GBNF grammar, ``tools`` (listed to the model through its own chat template) with ``tool_choice``
``"required"``/a named function constrained by grammar, and ``<tool_call>`` blocks in free text returned as
``tool_calls``. Assistant messages with ``content: null`` are accepted. Ignored: ``n``, ``logprobs``, penalties.

Run: ``python -m agent.local_server --model FILE.gguf [--threads 2] [--ctx 8192] [--port-file F]``; it prints
``SALESCAST_LLM_PORT=<port>`` (and writes the port to ``F``) once it listens on 127.0.0.1. llama.cpp's own log is
reduced to errors unless ``SALESCAST_LLM_VERBOSE=1``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PORT_LINE = "SALESCAST_LLM_PORT="
ISOC23 = b"__isoc23_"
_VER_FLG_WEAK = 0x2


# ------------------------------------------------------------------------ runtime: the prebuilt libllama on old glibc


def glibc_version() -> tuple[int, int]:
    """The running glibc as ``(major, minor)``; ``(99, 0)`` when not glibc (then nothing is patched)."""
    try:
        major, minor = os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")[:2]
        return int(major), int(minor)
    except (ValueError, OSError, IndexError, AttributeError):
        return 99, 0


def _sections(data: bytes) -> list[tuple[int, int, int, int]]:
    """``(type, offset, size, link)`` of each ELF64 section."""
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    out = []
    for i in range(shnum):
        _, sh_type, _, _, offset, size, link = struct.unpack_from("<IIQQQQI", data, shoff + i * shentsize)
        out.append((sh_type, offset, size, link))
    return out


def _cstr(data: bytes, offset: int) -> bytes:
    return data[offset : data.index(b"\0", offset)]


def patch_isoc23(data: bytearray, version: bytes = b"GLIBC_2.38") -> int:
    """Make a library built against glibc 2.38 load on older glibc; returns how many symbols were rebound.

    The ``llama-cpp-py-sync`` wheels are tagged manylinux2014 but were linked on glibc 2.38, and their only newer
    imports are C23 ``__isoc23_strtol/strtoul/strtoull/sscanf`` (they differ from the classic functions only in
    accepting ``0b`` binary literals). Each such import is renamed to its classic name (its name string minus the
    ``__isoc23_`` prefix, so no bytes move), made unversioned, and the ``GLIBC_2.38`` requirement is marked weak.
    Any other symbol needing that version aborts the patch rather than guessing.
    """
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise ValueError("not an ELF64 file")
    secs = _sections(data)
    verneed = next((s for s in secs if s[0] == 0x6FFFFFFE), None)
    dynsym = next((s for s in secs if s[0] == 11), None)
    versym = next((s for s in secs if s[0] == 0x6FFFFFFF), None)
    if verneed is None or dynsym is None or versym is None:
        return 0
    dynstr = secs[dynsym[3]][1]
    indices = _weaken_version(data, verneed[1], dynstr, version)
    patched = 0
    for i in range(dynsym[2] // 24):
        sym = dynsym[1] + i * 24
        ver_at = versym[1] + i * 2
        if struct.unpack_from("<H", data, ver_at)[0] & 0x7FFF not in indices:
            continue
        (name_off,) = struct.unpack_from("<I", data, sym)
        name = _cstr(data, dynstr + name_off)
        if not name.startswith(ISOC23):
            raise ValueError(f"{name.decode()} needs {version.decode()}; cannot rebind it")
        struct.pack_into("<I", data, sym, name_off + len(ISOC23))
        struct.pack_into("<H", data, ver_at, 1)
        patched += 1
    return patched


def _weaken_version(data: bytearray, offset: int, dynstr: int, version: bytes) -> set[int]:
    """Mark every ``version`` requirement weak (missing is then not fatal); returns their version indices."""
    indices: set[int] = set()
    while True:
        _, count, _, aux, nxt = struct.unpack_from("<HHIII", data, offset)
        at = offset + aux
        for _ in range(count):
            _, flags, other, name, aux_next = struct.unpack_from("<IHHII", data, at)
            if _cstr(data, dynstr + name) == version:
                struct.pack_into("<H", data, at + 4, flags | _VER_FLG_WEAK)
                indices.add(other)
            at += aux_next
        if not nxt:
            return indices
        offset += nxt


def compatible_library(package_dir: Path, cache: Path) -> Path:
    """``libllama.so`` to load: the bundled one on glibc >= 2.38, else patched copies kept under ``cache``."""
    if glibc_version() >= (2, 38):
        return package_dir / "libllama.so"
    target = cache / f"{package_dir.name}-glibc{'.'.join(map(str, glibc_version()))}"
    if (target / "libllama.so").is_file():
        return target / "libllama.so"
    tmp = cache / f".{target.name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for lib in sorted(package_dir.glob("lib*.so*")):
        data = bytearray(lib.read_bytes())
        patch_isoc23(data)
        (tmp / lib.name).write_bytes(bytes(data))
    try:
        os.replace(tmp, target)
    except OSError:  # another process finished first
        shutil.rmtree(tmp, ignore_errors=True)
    return target / "libllama.so"


def load_runtime(cache: Path) -> Any:
    """Import ``llama_cpp_py_sync`` with a libllama that loads here; returns its ``Llama`` class."""
    from llama_cpp_py_sync import _cffi_bindings

    path = str(compatible_library(Path(_cffi_bindings.__file__).parent, cache))
    _cffi_bindings._find_library = lambda: path  # the package would otherwise always pick its bundled copy
    if os.environ.get("SALESCAST_LLM_VERBOSE") != "1":
        quiet_native_log(_cffi_bindings.get_lib(), _cffi_bindings.ffi)
    from llama_cpp_py_sync import Llama

    return Llama


_GGML_LOG_ERROR = 4
_log_callback: Any = None  # kept referenced: llama.cpp calls it for the life of the process


def quiet_native_log(lib: Any, ffi: Any) -> None:
    """Pass only llama.cpp's errors to stderr: its load log is ~1,600 lines per start, which buries real problems."""
    global _log_callback

    def forward(level: int, text: Any, _user: Any) -> None:
        if level == _GGML_LOG_ERROR and text != ffi.NULL:
            sys.stderr.write(ffi.string(text).decode("utf-8", "replace"))

    _log_callback = ffi.callback("ggml_log_callback", forward)
    lib.llama_log_set(_log_callback, ffi.NULL)


# ------------------------------------------------------------------------ JSON schema -> grammar

_DROPPED_KEYS = {
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "$schema",
    "$id",
    "$comment",
    "examples",
    "default",
    "strict",
    "not",
    "if",
    "then",
    "else",
    "uniqueItems",
    "contains",
    "minContains",
    "maxContains",
    "minProperties",
    "maxProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "dependentRequired",
    "dependentSchemas",
}


def clean_schema(node: Any, root: dict | None = None, depth: int = 0) -> Any:
    """A copy of a JSON schema that the runtime's GBNF converter accepts: ``$ref`` inlined, ``allOf`` merged,
    unenforceable keys (formats, numeric bounds, ...) dropped, typed maps loosened to any object. Each change loosens
    the grammar a little; refusing the request would be worse for an agent, and pydantic still validates after."""
    root = node if root is None else root
    if isinstance(node, list):
        return [clean_schema(item, root, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if depth > 12:
        return {}
    node = dict(node)
    if "$ref" in node:
        target = _resolve_ref(root, node.pop("$ref"))
        return clean_schema({**target, **node}, root, depth + 1)
    if isinstance(node.get("allOf"), list):
        return clean_schema(_merge_all_of(node), root, depth + 1)
    for key in _DROPPED_KEYS | {"$defs", "definitions", "title", "description"}:
        node.pop(key, None)
    if node.get("type") != "string":
        node.pop("minLength", None)
        node.pop("maxLength", None)
    if node.get("properties") and node.get("additionalProperties") not in (False, None):
        node.pop("additionalProperties")
    elif not node.get("properties") and isinstance(node.get("additionalProperties"), dict):
        node["additionalProperties"] = True
    if "properties" in node:
        node["properties"] = {k: clean_schema(v, root, depth + 1) for k, v in node["properties"].items()}
    for key in ("items", "anyOf", "oneOf", "prefixItems"):
        if key in node:
            node[key] = clean_schema(node[key], root, depth + 1)
    return node


def _merge_all_of(node: dict) -> dict:
    """``allOf`` folded into its parent: properties and required lists united, other keys from the last part."""
    merged = {k: v for k, v in node.items() if k != "allOf"}
    for part in node["allOf"]:
        if not isinstance(part, dict):
            continue
        props = {**merged.get("properties", {}), **part.get("properties", {})}
        required = list(dict.fromkeys([*merged.get("required", []), *part.get("required", [])]))
        merged.update(part)
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
    return merged


def _resolve_ref(root: dict, ref: str) -> dict:
    if not ref.startswith("#/"):
        raise ValueError(f"only local $ref are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


_COMPACT_SPACE = 'space ::= " "?'


def schema_grammar(schema: dict) -> str:
    """GBNF for ``schema`` via the runtime's converter (imported lazily: tests use it without a model).

    Its whitespace rule lets the model pretty-print (newlines and up to 20 indent characters at every step);
    replacing it with at most one space gives one-line JSON, which cuts the tokens of a tool call by about a third.
    """
    from llama_cpp_py_sync.constraints import response_format_to_grammar

    grammar = response_format_to_grammar({"type": "json_schema", "json_schema": {"schema": clean_schema(schema)}})
    return re.sub(r"^space ::= .*$", _COMPACT_SPACE, grammar, count=1, flags=re.MULTILINE)


def response_format_schema(response_format: Any) -> dict | None:
    """The JSON schema a ``response_format`` asks for; ``{"type": "object"}`` for plain ``json_object``."""
    if not isinstance(response_format, dict) or response_format.get("type") in (None, "text"):
        return None
    kind = response_format["type"]
    if kind == "json_object":
        return response_format.get("schema") or {"type": "object"}
    if kind == "json_schema":
        wrapper = response_format.get("json_schema") or {}
        return wrapper.get("schema") or {"type": "object"}
    raise ValueError(f"unsupported response_format type {kind!r}")


def tool_call_schema(tools: list[dict], tool_choice: Any) -> dict:
    """``{"name": <tool>, "arguments": <its parameters>}`` over the tools that ``tool_choice`` allows."""
    wanted = tool_choice.get("function", {}).get("name") if isinstance(tool_choice, dict) else None
    options = []
    for tool in tools:
        fn = tool.get("function", tool)
        if wanted and fn.get("name") != wanted:
            continue
        params = fn.get("parameters") or {"type": "object", "properties": {}}
        options.append(
            {
                "type": "object",
                "properties": {"name": {"const": fn["name"]}, "arguments": params},
                "required": ["name", "arguments"],
            }
        )
    if not options:
        raise ValueError(f"tool_choice names no tool that was passed: {wanted!r}")
    return {"anyOf": options}


# ------------------------------------------------------------------------ chat prompt

_FALLBACK_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def make_template(source: str | None) -> Any:
    """The model's own chat template (GGUF ``tokenizer.chat_template``) as jinja2, with HF's ``tojson``."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda value, indent=None: json.dumps(value, ensure_ascii=False, indent=indent)
    env.globals["raise_exception"] = _raise
    return env.from_string(source or _FALLBACK_TEMPLATE)


def _raise(message: str) -> None:
    raise ValueError(message)


def normalize_messages(messages: list[dict]) -> list[dict]:
    """Messages as the chat template expects: ``null`` content as ``""``, content parts joined, tool-call
    arguments as objects (OpenAI clients send JSON strings; the Qwen template serialises them again)."""
    out = []
    for message in messages:
        message = dict(message)
        content = message.get("content")
        if content is None:
            message["content"] = ""
        elif isinstance(content, list):
            message["content"] = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if message.get("tool_calls"):
            message["tool_calls"] = [_parsed_call(call) for call in message["tool_calls"]]
        out.append(message)
    return out


def _parsed_call(call: dict) -> dict:
    fn = dict(call.get("function", {}))
    if isinstance(fn.get("arguments"), str):
        try:
            fn["arguments"] = json.loads(fn["arguments"] or "{}")
        except ValueError:
            pass
    return {**call, "function": fn}


_TOOL_CALL = re.compile(r"<tool_call>\s*(\{.*?\})\s*</tool_call>", re.DOTALL)


def tool_calls_in(text: str) -> list[dict]:
    """OpenAI ``tool_calls`` for each ``<tool_call>{"name":..,"arguments":..}</tool_call>`` block in ``text``."""
    calls = []
    for block in _TOOL_CALL.findall(text):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("name"), str):
            calls.append(_openai_call(data["name"], data.get("arguments", {})))
    return calls


def _openai_call(name: str, arguments: Any) -> dict:
    return {
        "id": f"call_{uuid.uuid4().hex[:24]}",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }


# ------------------------------------------------------------------------ the model


@dataclass
class Request:
    """One chat request, rendered and checked before any response byte is sent (so errors can still be a 400)."""

    body: dict
    prompt_tokens: list[int]
    grammar: str | None
    forced_tool: bool
    parse_tools: bool
    max_tokens: int
    stops: list[str]
    timings: dict = field(default_factory=dict)


class Engine:
    """One loaded model; requests are serialised (one llama.cpp context), consecutive prompts share a KV prefix."""

    def __init__(self, llama_cls: Any, model: Path, name: str, threads: int, n_ctx: int):
        self.name = name
        self.n_ctx = n_ctx
        self.llm = llama_cls(str(model), n_ctx=n_ctx, n_batch=512, n_threads=threads, n_threads_batch=threads)
        self.template = make_template(self.llm._model_metadata().get("tokenizer.chat_template"))
        self.lock = threading.Lock()

    def prepare(self, body: dict) -> Request:
        """Render the prompt, compile the grammar and check the context budget; raises ``ValueError`` if invalid."""
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise ValueError("'messages' must be a non-empty list")
        tools = body.get("tools") or None
        choice = body.get("tool_choice", "auto")
        schema = response_format_schema(body.get("response_format"))
        forced = bool(tools) and schema is None and (choice == "required" or isinstance(choice, dict))
        if forced:
            schema = tool_call_schema(tools, choice)
        listed = tools if choice != "none" else None
        prompt = self.template.render(
            messages=normalize_messages(body["messages"]),
            add_generation_prompt=True,
            tools=listed,
            bos_token="",
            eos_token="<|im_end|>",
        )
        tokens = self.llm.tokenize(prompt, add_special=True, parse_special=True)
        max_tokens = _max_tokens(body)
        if len(tokens) + max_tokens >= self.n_ctx:
            raise ValueError(
                f"prompt ({len(tokens)} tokens) + max_tokens ({max_tokens}) exceed the context window "
                f"of {self.n_ctx}; shorten the conversation or raise SALESCAST_LLM_CTX"
            )
        stops = body.get("stop") or []
        return Request(
            body=body,
            prompt_tokens=tokens,
            grammar=schema_grammar(schema) if schema else None,
            forced_tool=forced,
            parse_tools=bool(listed) and schema is None,
            max_tokens=max_tokens,
            stops=[stops] if isinstance(stops, str) else list(stops),
        )

    def generate(self, req: Request) -> Iterator[str]:
        """Text pieces of the reply. The first item is ``""``, yielded once the prompt is evaluated, so a caller
        can surface sampler or grammar errors before it starts a response; close the generator to stop early."""
        llm, body = self.llm, req.body
        with self.lock:
            reused, _ = llm._prepare_chat_prefix(req.prompt_tokens, "salescast")
            llm._configure_generation_sampler(
                float(body.get("temperature", 0.8)),
                40,
                float(body.get("top_p", 0.95)),
                0.05,
                1.0,
                64,
                body.get("seed"),
                req.grammar,
                "root",
            )
            t0 = time.perf_counter()
            n_past = llm._eval_tokens(req.prompt_tokens[reused:], reused)
            t1 = time.perf_counter()
            req.timings.update(cached_n=reused, prompt_n=len(req.prompt_tokens) - reused, prompt_ms=(t1 - t0) * 1000)
            yield ""
            pieces = []
            for piece in llm._generate_from_n_past(n_past, req.max_tokens, req.stops):
                pieces.append(piece)
                yield piece
            req.timings["predicted_ms"] = (time.perf_counter() - t1) * 1000
            req.timings["predicted_n"] = self.count_tokens("".join(pieces))

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text, add_special=False, parse_special=False)) if text else 0

    def result(self, req: Request, text: str) -> dict:
        """The OpenAI ``chat.completion`` object for a finished reply."""
        generated = req.timings.get("predicted_n", self.count_tokens(text))
        message: dict[str, Any] = {"role": "assistant", "content": text}
        calls = forced_call(text) if req.forced_tool else (tool_calls_in(text) if req.parse_tools else [])
        if calls:
            message = {"role": "assistant", "content": None, "tool_calls": calls}
        finish = "tool_calls" if calls else ("length" if generated >= req.max_tokens else "stop")
        usage = {
            "prompt_tokens": len(req.prompt_tokens),
            "completion_tokens": generated,
            "total_tokens": len(req.prompt_tokens) + generated,
        }
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.name,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": usage,
            "timings": req.timings,
        }


def forced_call(text: str) -> list[dict]:
    """The tool call a grammar-forced reply encodes; none when it was cut off by ``max_tokens``."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    return [_openai_call(data["name"], data.get("arguments", {}))]


def _max_tokens(body: dict) -> int:
    return int(body.get("max_tokens") or body.get("max_completion_tokens") or 512)


# ------------------------------------------------------------------------ HTTP


class Handler(BaseHTTPRequestHandler):
    """Routes the few OpenAI endpoints an agent needs; errors come back as OpenAI-style ``{"error": ...}``."""

    engine: Engine
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        path = self.path.rstrip("/")
        if path in ("/v1/models", "/models"):
            model = {"id": self.engine.name, "object": "model", "created": 0, "owned_by": "salescast"}
            self._send(200, {"object": "list", "data": [model]})
        elif path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(404, _error(f"no route {self.path}", "not_found"))

    def do_POST(self) -> None:
        if self.path.rstrip("/") not in ("/v1/chat/completions", "/chat/completions"):
            self._send(404, _error(f"no route {self.path}", "not_found"))
            return
        pieces = None
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            if not isinstance(body, dict):
                raise TypeError("the request body must be a JSON object")
            req = self.engine.prepare(body)
            if self._client_gone():
                return
            pieces = self.engine.generate(req)
            next(pieces)
            if body.get("stream"):
                self._stream(req, pieces)
            elif (text := self._collect(pieces)) is not None:
                self._send(200, self.engine.result(req, text))
        except (ValueError, KeyError, TypeError) as exc:
            self._send(400, _error(str(exc), "invalid_request_error"))
        except Exception as exc:  # noqa: BLE001 - a failed request must not kill the server
            self._send(500, _error(f"{type(exc).__name__}: {exc}", "server_error"))
        finally:
            if pieces is not None:
                pieces.close()

    def _collect(self, pieces: Iterator[str]) -> str | None:
        """The reply's text, or None once the client has hung up (its timeout fired): the model stops generating
        for nobody, so the requests queued behind this one do not time out in turn."""
        text: list[str] = []
        for piece in pieces:
            text.append(piece)
            if len(text) % 4 == 0 and self._client_gone():
                return None
        return "".join(text)

    def _client_gone(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, req: Request, pieces: Iterator[str]) -> None:
        """Server-sent events: text as it is generated; tool calls (known only at the end) as one last delta."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        head = {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.engine.name,
        }
        self._event({**head, "choices": [_delta({"role": "assistant", "content": ""})]})
        buffered = req.forced_tool or req.parse_tools
        text = []
        for piece in pieces:
            text.append(piece)
            if piece and not buffered:
                self._event({**head, "choices": [_delta({"content": piece})]})
        result = self.engine.result(req, "".join(text))
        choice = result["choices"][0]
        calls = choice["message"].get("tool_calls")
        if calls:
            self._event({**head, "choices": [_delta({"tool_calls": [{**c, "index": i} for i, c in enumerate(calls)]})]})
        elif buffered:
            self._event({**head, "choices": [_delta({"content": choice["message"]["content"]})]})
        self._event({**head, "choices": [_delta({}, choice["finish_reason"])]})
        if (req.body.get("stream_options") or {}).get("include_usage"):
            self._event({**head, "choices": [], "usage": result["usage"]})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, payload: dict) -> None:
        self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def _delta(delta: dict, finish: str | None = None) -> dict:
    return {"index": 0, "delta": delta, "finish_reason": finish}


def _error(message: str, kind: str) -> dict:
    return {"error": {"message": message, "type": kind}}


# ------------------------------------------------------------------------ process


def _watch_parent(parent: int) -> None:
    """Exit when the process that started us is gone, so a killed app never leaves a model running."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _announce(port: int, port_file: Path | None) -> None:
    """Tell the parent the port: a line on stdout, and atomically a file (robust against interleaved logs)."""
    print(f"{PORT_LINE}{port}", flush=True)
    if port_file is not None:
        tmp = port_file.with_name(port_file.name + ".tmp")
        tmp.write_text(str(port))
        os.replace(tmp, port_file)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--model-name", default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--port-file", type=Path, default=None, help="where to write the port once listening")
    parser.add_argument("--runtime-cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "salescast")
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    args = parser.parse_args(argv)
    if args.parent_pid:
        threading.Thread(target=_watch_parent, args=(args.parent_pid,), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    Handler.engine = Engine(
        load_runtime(args.runtime_cache), args.model, args.model_name or args.model.stem, args.threads, args.ctx
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    _announce(server.server_address[1], args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
