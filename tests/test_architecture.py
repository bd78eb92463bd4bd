"""The layering the design promises, checked on the source: one direction of dependencies.

Imports are read from the source (every ``import``, also inside functions, except under
``TYPE_CHECKING``), so a cycle hidden behind a function-level import counts as a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pixframework"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "_proto" in path.parts:
            continue  # generated code
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imported(module: str) -> set[str]:
    """Names imported by ``module`` (absolute, first existing module of each), outside TYPE_CHECKING."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    hidden = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test)
        for n in ast.walk(node)
    }
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            # `from . import kernels` depends on the module kernels, `from .x import f` on the module x
            names.update(f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names)
    return names


def _internal(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


GRAPH = {m: {t for n in _imported(m) if (t := _internal(n)) and t != m} for m in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    return found


def test_there_is_no_import_cycle() -> None:
    assert _cycles() == []


def _under(prefix: str) -> list[str]:
    return [m for m in MODULES if m == prefix or m.startswith(prefix + ".")]


#: the core never talks gRPC: the server and the client adapt it to the wire
CORE = ["features", "classifiers", "io", "project", "store", "blockwise", "labels", "label_set", "pipeline",
        "images", "image_set", "classes", "model_slot", "cache", "specs", "registry", "builtins", "ilastik"]  # fmt: skip


@pytest.mark.parametrize("area", CORE)
def test_the_core_never_imports_grpc(area: str) -> None:
    offenders = {m: sorted(n for n in _imported(m) if n.split(".")[0] in ("grpc", "grpc_health", "grpc_reflection"))
                 for m in _under(f"pixframework.{area}")}  # fmt: skip
    assert {m: n for m, n in offenders.items() if n} == {}
    assert not any(t.startswith(("pixframework.server", "pixframework.wire", "pixframework.client"))
                   for m in _under(f"pixframework.{area}") for t in GRAPH[m])  # fmt: skip


@pytest.mark.parametrize(
    "area, forbidden",
    [
        ("pixframework.client", "pixframework.server"),  # the client speaks the wire format, not the server's code
        ("pixframework.wire", "pixframework.server"),
        ("pixframework.wire", "pixframework.client"),
        ("pixframework.classifiers", "pixframework.features"),  # samples come from the pipeline
        ("pixframework.features", "pixframework.classifiers"),
        ("pixframework.project", "pixframework.ilastik"),  # the importer builds projects, not the reverse
    ],
)
def test_dependencies_point_one_way(area: str, forbidden: str) -> None:
    wrong = {m: sorted(t for t in GRAPH[m] if t == forbidden or t.startswith(forbidden + ".")) for m in _under(area)}
    assert {m: t for m, t in wrong.items() if t} == {}
