"""The structure of sim/: no import cycles, no reach into other packages, sizes kept.

Every sim module is read with `ast` (nothing imported), its imports of other sim
modules collected (including those under TYPE_CHECKING and inside functions), and the
graph checked for cycles.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SIM = Path(__file__).resolve().parent.parent / "sim"
MODULES = {p.stem: p for p in sorted(SIM.glob("*.py")) if p.stem != "__init__"}


def _imports(path: Path) -> set[str]:
    """The sim modules `path` imports, anywhere in the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module is not None:
            parts = node.module.split(".")
            if parts[0] == "sim" and len(parts) > 1:
                found.add(parts[1])
            elif node.module == "sim":
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sim" and len(parts) > 1:
                    found.add(parts[1])
    return {name for name in found if name in MODULES}


GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle among sim modules, as a path, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for dep in sorted(GRAPH[name]):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and (found := visit(dep)) is not None:
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(GRAPH):
        if name not in state and (found := visit(name)) is not None:
            return found
    return None


def test_the_import_graph_among_sim_modules_is_acyclic() -> None:
    assert _cycle() is None, " -> ".join(_cycle() or [])


def test_the_check_finds_a_cycle_when_there_is_one() -> None:
    GRAPH["context"] = GRAPH["context"] | {"model"}
    try:
        assert _cycle() is not None
    finally:
        GRAPH["context"] = _imports(MODULES["context"])


def test_incidents_and_information_do_not_import_the_model() -> None:
    assert "model" not in GRAPH["incidents"]
    assert "model" not in GRAPH["information"]
    # Only the assembler and the desk's window on a run know the model.
    assert {name for name, deps in GRAPH.items() if "model" in deps} <= {"desk_api"}


def test_sim_never_imports_the_packages_built_on_it() -> None:
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {"trainer", "analysis", "frontdoor"}, name
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    assert top not in {"trainer", "analysis", "frontdoor"}, name


def test_the_activity_modules_stay_small() -> None:
    """No module of the model over ~500 lines (the event log's record types, one frozen
    record per kind, are allowed more)."""
    allowed_more = {"records"}
    for name, path in MODULES.items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if name not in allowed_more:
            assert lines <= 520, f"sim/{name}.py has {lines} lines"


def test_functions_stay_short() -> None:
    """No function in sim/ over 60 lines."""
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 60, f"sim/{name}.py: {node.name} has {length} lines"


def test_the_module_map_names_every_sim_module() -> None:
    """docs/model.md's module map has one row per module of sim/, and no row for a module
    that has gone."""
    text = (SIM.parent / "docs" / "model.md").read_text(encoding="utf-8")
    table = text[text.index("## 7. Module map") :]
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M))
    assert rows == set(MODULES), (set(MODULES) - rows, rows - set(MODULES))
