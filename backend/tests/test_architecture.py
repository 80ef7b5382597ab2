"""The package's arrows point one way: no import circles, not even inside functions or
under TYPE_CHECKING, and no layer reaching up (api -> jobs -> inference -> media, provenance;
training -> inference, media; tools -> training, inference)."""

from __future__ import annotations

import ast
from pathlib import Path

import lopt

PACKAGE = Path(lopt.__file__).parent
# Which top-level parts of the package each part may import (besides itself and the
# shared modules config, config_media, errors). Absent from a row: never.
ALLOWED = {
    "media": set(),
    "provenance": set(),
    "explain": set(),
    "inference": {"media", "explain", "provenance"},
    "training": {"inference", "media"},
    "tools": {"training", "inference", "media"},
    "jobs": {"inference", "media"},
    "api": {"jobs", "inference", "media"},
    "cli": {"api", "jobs", "inference", "media", "training", "tools", "cli_offline"},
    "cli_offline": {"inference", "media", "training", "tools"},
}
SHARED = {"config", "config_media", "errors", "__init__", "__main__"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every lopt module ``path`` imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("lopt")}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; the package uses absolute ones"
            base = node.module or ""
            if base.startswith("lopt"):
                found.add(base)
                found |= {f"{base}.{alias.name}" for alias in node.names}
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py") if "static" not in p.parts}
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        edges[name] = {m for m in imports_of(path) if m in modules and m != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def test_there_are_no_import_circles() -> None:
    assert cycles(graph()) == []


def test_every_import_points_down_the_layers() -> None:
    wrong = []
    for source, targets in graph().items():
        here = part(source)
        for target in targets:
            there = part(target)
            if there in SHARED or there == here or here in SHARED:
                continue
            if there not in ALLOWED.get(here, set()):
                wrong.append(f"{source} -> {target}")
    assert wrong == []


def test_the_checker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    source = tmp_path / "probe.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from lopt.inference.service import DetectionService\n"
        "def f():\n    import lopt.training.report\n"
    )
    assert {"lopt.inference.service", "lopt.training.report"} <= imports_of(source)
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
