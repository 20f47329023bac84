"""The layering: which package may import which, and no import cycles between modules.

An AST walk over every module of the four packages, so a change that breaks an arrow fails here
rather than silently. ``knowledge`` and ``intake`` are the core: neither knows Telegram, the web
server, the handlers or the composition root, nor each other; ``handlers`` never reaches up
into ``bot``. Every import counts for the arrows, even one deferred into a function; only
imports that run when a module loads count for cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "intake", "knowledge")

FORBIDDEN = {
    "knowledge": ("telegram", "aiohttp", "handlers", "bot", "intake"),
    "intake": ("telegram", "aiohttp", "handlers", "bot", "knowledge"),
    "handlers": ("bot",),
}


@dataclass(frozen=True)
class Import:
    """One imported name, resolved to the module it loads."""

    module: str
    line: int
    at_load: bool


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return ".".join(part for part in (package, node.module) if part)


def _walk(module: str, nodes: list[ast.stmt], at_load: bool) -> Iterator[Import]:
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, node.lineno, at_load)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            for alias in node.names:
                # ``from package import module`` loads the module; ``from module import name``
                # loads only the module.
                sub = f"{base}.{alias.name}"
                yield Import(sub if sub in MODULES else base, node.lineno, at_load)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _walk(module, node.body, False)
            yield from _walk(module, node.orelse, at_load)
        else:
            # Imports inside functions and classes run later, when they are called.
            deferred = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    statements = [c for c in children if isinstance(c, ast.stmt)]
                    statements += [
                        s for c in children if isinstance(c, ast.ExceptHandler) for s in c.body
                    ]
                    yield from _walk(module, statements, at_load and not deferred)


def _imports(module: str) -> list[Import]:
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return list(_walk(module, tree.body, True))


IMPORTS = {module: _imports(module) for module in sorted(MODULES)}


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_imports_nothing_above_or_beside_it(package: str) -> None:
    breaches = [
        f"{MODULES[module].relative_to(ROOT)}:{imported.line} imports {imported.module}"
        for module, imports in IMPORTS.items()
        if _within(module, package)
        for imported in imports
        if any(_within(imported.module, banned) for banned in FORBIDDEN[package])
    ]
    assert breaches == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_no_import_cycles_between_modules() -> None:
    graph = {
        module: {
            imported.module
            for imported in imports
            if imported.at_load and imported.module in MODULES and imported.module != module
        }
        for module, imports in IMPORTS.items()
    }
    assert _cycles(graph) == []
