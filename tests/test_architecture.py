"""The house rules of the code: layers import downward only, no cycles, small modules.

Every import counts, wherever it stands (module top, inside a function, under TYPE_CHECKING):
an upward import hidden inside a function is still an upward import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "coopanalysis"

LAYERS = ("base", "core", "io", "synth", "transforms", "publish", "reports", "present", "html", "batch", "explore", "cli")
"""Lowest first. A module may import its own layer and the layers before it, never one after it.
`base` is errors, paths and start-up; `synth` makes test logs from core and io and nothing above
it may import it (only the command line does)."""

BASE_MODULES = {"coopanalysis", "coopanalysis.errors", "coopanalysis.paths", "coopanalysis._startup"}
MAX_LINES = 300


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    if module in BASE_MODULES:
        return "base"
    if module == "coopanalysis.cli":
        return "cli"
    return module.split(".")[1]


def imports_of(path: Path) -> set[str]:
    """Every coopanalysis module this file imports, anywhere in it."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("coopanalysis")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coopanalysis"):
            for alias in node.names:  # `from coopanalysis.present import charts` imports a module
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if _is_module(candidate) else node.module)
    return found


def _is_module(name: str) -> bool:
    base = PACKAGE.parent / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in PACKAGE.rglob("*.py")}


def test_the_layers_are_the_ones_the_readme_names():
    found = {layer_of(module_name(p)) for p in PACKAGE.rglob("*.py")}
    assert found == set(LAYERS)


def test_imports_run_downward_only():
    upward = []
    for module, imported in graph().items():
        rank = LAYERS.index(layer_of(module))
        for target in imported:
            target_layer = layer_of(target)
            if LAYERS.index(target_layer) > rank:
                upward.append(f"{module} imports {target} ({layer_of(module)} -> {target_layer})")
            elif target_layer == "synth" and layer_of(module) not in ("synth", "cli"):
                upward.append(f"{module} imports {target} (only the command line may use synth)")
    assert upward == []


def test_no_import_cycles():
    g = graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(g.get(node, ())):
            if nxt == node or nxt not in g:
                continue
            if nxt.startswith(node + "."):  # a package importing its own submodules is not a cycle
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt] if nxt in stack else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(g):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_checker_sees_an_upward_import_inside_a_function(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def f():\n    from coopanalysis.batch import run_batch\n    from coopanalysis.present import charts\n")
    assert imports_of(path) == {"coopanalysis.batch", "coopanalysis.present.charts"}


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_hold_one_concept_and_stay_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {lines} lines"


def test_argparse_lives_in_the_command_line_alone():
    users = sorted(module_name(p) for p in PACKAGE.rglob("*.py") if "argparse" in _imported_names(p))
    assert users == ["coopanalysis.cli"]


def _imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names
