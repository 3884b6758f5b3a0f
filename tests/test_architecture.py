"""The import map of docs/architecture.md, checked: parts, allowed arrows, no cycles, small files.

`tests/architecture_map.toml` declares each part (module patterns, first match wins) and the
parts it may import. Every module of `abm` and `viz` must belong to a part; an import of a part
not in the importer's `may_import` list fails, and so does any import cycle. Imports inside
functions and under `TYPE_CHECKING` count: they are dependencies all the same.
"""

from __future__ import annotations

import ast
import fnmatch
import functools
import tomllib
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
MAP = tomllib.loads((ROOT / "tests" / "architecture_map.toml").read_text())
PACKAGES = ("abm", "viz")
SIZED = ("abm", "viz", "benchmarks", "docs/scripts", "tests")


def module_name(path: Path) -> str:
    """Dotted module name of a source file under ROOT (packages by their __init__)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name."""
    return {
        module_name(p): p
        for pkg in PACKAGES
        for p in sorted((ROOT / pkg).rglob("*.py"))
        if "__pycache__" not in p.parts
    }


MODULES = project_modules()


def resolve(name: str) -> str | None:
    """The project module an imported name refers to (longest known prefix), or None."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in MODULES:
            return candidate
    return None


def imports_of(path: Path) -> set[str]:
    """Project modules imported anywhere in a file (top level, functions, TYPE_CHECKING)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] or [node.module]
        for name in names:
            target = resolve(name)
            if target is not None:
                found.add(target)
    return found


def part_of(module: str) -> str | None:
    """The first part whose patterns match the module."""
    for part, spec in MAP["parts"].items():
        if any(fnmatch.fnmatchcase(module, pat) for pat in spec["modules"]):
            return part
    return None


@functools.cache
def import_graph() -> nx.DiGraph:
    """Module -> imported module, for every project module (built once, when a test first asks:
    every xdist worker imports this file to collect it, only one runs it)."""
    graph = nx.DiGraph()
    for module, path in MODULES.items():
        graph.add_node(module)
        for target in imports_of(path):
            if target != module:
                graph.add_edge(module, target)
    return graph


def test_every_module_belongs_to_a_part() -> None:
    orphans = sorted(m for m in MODULES if part_of(m) is None)
    assert not orphans, f"modules in no part of tests/architecture_map.toml: {orphans}"


def test_map_names_only_known_parts() -> None:
    parts = set(MAP["parts"])
    unknown = {
        (part, other)
        for part, spec in MAP["parts"].items()
        for other in spec["may_import"]
        if other not in parts
    }
    assert not unknown, f"may_import names parts that do not exist: {sorted(unknown)}"


def forbidden_edges(graph: nx.DiGraph) -> list[str]:
    """Imports between parts that the importer's `may_import` does not list."""
    bad = []
    for src, dst in graph.edges:
        src_part, dst_part = part_of(src), part_of(dst)
        if src_part is None or dst_part is None or src_part == dst_part:
            continue
        if dst_part not in MAP["parts"][src_part]["may_import"]:
            bad.append(f"{src} ({src_part}) -> {dst} ({dst_part})")
    return sorted(bad)


def cycles(graph: nx.DiGraph) -> list[list[str]]:
    """Groups of modules that import each other, directly or through others."""
    return [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]


def test_no_forbidden_import() -> None:
    bad = forbidden_edges(import_graph())
    assert not bad, "imports the map forbids:\n" + "\n".join(bad)


def test_no_import_cycle() -> None:
    found = cycles(import_graph())
    assert not found, f"import cycles: {found}"


@pytest.mark.parametrize(("src", "dst"), [tuple(pair) for pair in MAP["boundaries"]["forbidden"]])
def test_declared_boundaries_hold(src: str, dst: str) -> None:
    """The boundaries DESIGN.md names, stated as arrows that must not exist (even indirectly)."""
    sources = [m for m in MODULES if part_of(m) == src]
    targets = {m for m in MODULES if part_of(m) == dst}
    reached = {t for s in sources for t in nx.descendants(import_graph(), s)} & targets
    assert not reached, f"{src} reaches {dst}: {sorted(reached)}"


def sized_files() -> list[Path]:
    """Every Python file whose size the house style bounds."""
    return [
        p for d in SIZED for p in sorted((ROOT / d).rglob("*.py")) if "__pycache__" not in p.parts
    ]


def test_no_module_over_the_line_limit() -> None:
    limit = MAP["limits"]["module_lines"]
    allowed = MAP["limits"]["exceptions"]
    big = {
        str(p.relative_to(ROOT)): n
        for p in sized_files()
        if (n := len(p.read_text().splitlines())) > limit
        and str(p.relative_to(ROOT)) not in allowed
    }
    assert not big, f"modules over {limit} lines: {big}"


def test_no_function_over_the_line_limit() -> None:
    limit = MAP["limits"]["function_lines"]
    allowed = MAP["limits"]["exceptions"]
    long = []
    for path in sized_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                n = node.end_lineno - node.lineno + 1
                where = f"{path.relative_to(ROOT)}::{node.name}"
                if n > limit and where not in allowed:
                    long.append(f"{where} ({n} lines)")
    assert not long, f"functions over {limit} lines: {long}"


def test_exceptions_are_justified_and_still_needed() -> None:
    """Every size exception carries a reason and still exists (stale exceptions are removed)."""
    for where, why in MAP["limits"]["exceptions"].items():
        assert len(why) > 20, f"{where}: say why it is an exception"
        assert (ROOT / where.split("::")[0]).exists(), f"{where}: no such file any more"


def test_the_checker_sees_a_forbidden_arrow_and_a_cycle(tmp_path: Path) -> None:
    """The checks above can fail: an agent importing the model, and a cycle, are both found."""
    src = tmp_path / "bad.py"
    src.write_text("from abm.model import PowerStackModel\nimport abm.errors\n")
    assert imports_of(src) == {"abm.model", "abm.errors"}
    broken = import_graph().copy()
    broken.add_edge("abm.agents.hyperscaler", "abm.model")
    assert "abm.agents.hyperscaler (agents) -> abm.model (model)" in forbidden_edges(broken)
    assert any("abm.model" in c and "abm.agents.hyperscaler" in c for c in cycles(broken))
