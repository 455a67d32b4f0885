"""The shape of the code: bplib's modules form a stack, and the tests stand alone.

These tests read source files with ``ast`` (nothing is imported), so they
also see imports hidden inside functions, the usual way to paper over a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bplib"
TESTS = ROOT / "tests"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that the file at ``path`` imports, anywhere in it."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in files}
    graph = {module_name(p): imported_modules(p, known) for p in files}
    # a package's __init__ runs when any of its submodules is imported, but it
    # may import its own submodules; count only submodules -> other modules
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def without_package_inits(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Drop the edges *into* a package ``__init__`` from its own submodules' parents.

    ``bplib/__init__.py`` imports ``bplib.network`` (to re-export it); that is
    a re-export, not a dependency of ``network`` on the package.  Edges that
    point at a package itself (``from bplib import activations``) are kept as
    edges to the submodule named, which ``imported_modules`` already records.
    """
    packages = {name for name in graph if (ROOT / name.replace(".", "/") / "__init__.py").exists()}
    return {name: {t for t in targets if t not in packages} for name, targets in graph.items()}


def test_bplib_has_no_import_cycle():
    graph = without_package_inits(import_graph())
    assert graph["bplib.network"] >= {"bplib.fast"}  # the graph is really read
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    graph = without_package_inits(import_graph())
    graph["bplib.fast"] = graph["bplib.fast"] | {"bplib.network"}  # what bplib had before
    assert find_cycle(graph) is not None


def test_fast_path_does_not_import_network_and_gradcheck_has_no_special_case():
    graph = import_graph()
    assert "bplib.network" not in graph["bplib.fast"]
    assert "bplib.network" not in graph["bplib.gradcheck"]
    assert "bplib.models" not in graph["bplib.gradcheck"]


def test_no_test_module_imports_another_test_module():
    test_modules = {p.stem for p in TESTS.glob("test_*.py")}
    for path in TESTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
            assert not set(names) & test_modules, f"{path.name} imports a test module: {names}"


def test_modules_reach_no_private_name_of_another_module():
    """``other._name`` across modules of bplib is a twin in disguise (the exercises' _core excepted)."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level:
                for alias in node.names:
                    if alias.name.startswith("_") and alias.name != "__future__":
                        offenders.append(f"{path.name}: from {node.module} import {alias.name}")
    assert offenders == []
