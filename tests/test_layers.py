"""The architecture as a test: data flows forecasting → tools → agent → ui, and nothing imports upwards or in a circle.

Every import counts, including the ones inside functions (a function-level import is how a cycle hides). The checker
is run on a made-up tree too, so the test shows that it does fail when the rule is broken.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["forecasting", "tools", "agent", "ui"]  # lowest first: each may import only those before it


def _module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(root: Path, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in ``path``, relative ones resolved."""
    package = _module_name(root, path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield node.lineno, module
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


def _modules(root: Path) -> dict[str, Path]:
    return {_module_name(root, p): p for layer in LAYERS for p in sorted((root / layer).rglob("*.py"))}


def upward_imports(root: Path) -> list[str]:
    """Every import of a higher layer (or of the tests) from product code, as 'file:line imports module'."""
    found = []
    for name, path in _modules(root).items():
        rank = LAYERS.index(name.split(".")[0])
        for line, target in _imports(root, path):
            top = target.split(".")[0]
            if top == "tests" or (top in LAYERS and LAYERS.index(top) > rank):
                found.append(f"{path.relative_to(root)}:{line} imports {target}")
    return sorted(set(found))


def import_cycles(root: Path) -> list[list[str]]:
    """Groups of product modules that import each other in a circle (strongly connected components, Tarjan)."""
    modules = _modules(root)
    graph = {
        name: sorted({t for _, t in _imports(root, path) if t in modules and t != name})
        for name, path in modules.items()
    }
    return _components(graph)


def _components(graph: dict[str, list[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_no_layer_imports_a_higher_one() -> None:
    assert upward_imports(ROOT) == []


def test_no_import_cycles() -> None:
    assert import_cycles(ROOT) == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for layer in LAYERS:
        (tmp_path / layer).mkdir()
        (tmp_path / layer / "__init__.py").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    "files, expected",
    [
        ({"tools/a.py": "from agent.loop import run\n"}, "tools/a.py:1 imports agent.loop"),
        ({"forecasting/b.py": "def f():\n    import ui.cli\n"}, "forecasting/b.py:2 imports ui.cli"),
        ({"agent/c.py": "from tests.agent_fakes import call\n"}, "agent/c.py:1 imports tests.agent_fakes"),
    ],
)
def test_the_checker_fails_on_an_upward_import(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    assert expected in upward_imports(_tree(tmp_path, files))


def test_the_checker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    root = _tree(
        tmp_path, {"ui/cli.py": "from ui import cli_web\n", "ui/cli_web.py": "def f():\n    from . import cli\n"}
    )
    assert import_cycles(root) == [["ui.cli", "ui.cli_web"]]


def test_the_checker_accepts_a_downward_import(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"ui/d.py": "from agent import loop\nfrom tools.sql import guard\n"})
    assert upward_imports(root) == [] and import_cycles(root) == []
