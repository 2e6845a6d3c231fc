"""Layer 1 must not reach into the layers it constrains (DESIGN.md's dependency rule)."""

from __future__ import annotations

import ast
from pathlib import Path

GOVERNANCE = Path(__file__).resolve().parents[2] / "src" / "tractatus" / "governance"
FORBIDDEN = ("tractatus.lab", "tractatus.integrations", "tractatus.service", "tractatus.cli")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                package = path.relative_to(GOVERNANCE.parent.parent).with_suffix("").parts[: -node.level]
                names.append(".".join((*package, node.module or "")))
            else:
                names.append(node.module or "")
    return names


def test_governance_imports_nothing_from_lab_integrations_service_or_cli() -> None:
    files = list(GOVERNANCE.rglob("*.py"))
    assert len(files) > 5
    offenders = [
        f"{path.relative_to(GOVERNANCE)} imports {name}"
        for path in files
        for name in _imports(path)
        if name.startswith(FORBIDDEN)
    ]
    assert offenders == []


def test_the_rule_checker_itself_catches_a_violation(tmp_path: Path) -> None:
    bad = GOVERNANCE / "_tmp_violation_probe.py"
    bad.write_text("from tractatus.lab import modes\n", encoding="utf-8")
    try:
        assert any(name.startswith(FORBIDDEN) for name in _imports(bad))
    finally:
        bad.unlink()


# -- one floor at a time: no import circle inside governance ------------------------------------


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path) -> dict[str, set[str]]:
    """module -> governance modules it imports, at any depth of the file (function-level imports
    count: deferring an import does not remove the arrow). Imports under `if TYPE_CHECKING:` do not:
    they name types for the checker and never run. `from package import submodule` points at the
    submodule, which is what it loads besides the package's own (import-free) __init__."""
    modules = {_module_name(path, root): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    base = ".".join([*package[: len(package) - node.level + 1], *([node.module] if node.module else [])])
                else:
                    base = node.module or ""
                submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
                targets = submodules if len(submodules) == len(node.names) else [base, *submodules]
            graph[name].update(target for target in targets if target in modules and target != name)
    return graph


def _runtime_nodes(tree: ast.AST):  # type: ignore[no-untyped-def]
    """Every node, except the bodies of `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def first_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    import graphlib

    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        return list(exc.args[1])
    return None


def test_governance_has_no_import_cycle() -> None:
    """Interface (checks.py), the checks, and the registry that imports them are separate floors;
    audit.py and the services take `action_text` from actions.py, not from the governor."""
    graph = import_graph(GOVERNANCE)
    assert "tractatus.governance.registry" in graph["tractatus.governance.governor"]
    assert first_cycle(graph) is None, " -> ".join(first_cycle(graph) or [])
    interface = graph["tractatus.governance.checks"]
    assert interface <= {"tractatus.governance.actions", "tractatus.governance.normalize", "tractatus.governance.state"}


def test_the_cycle_finder_finds_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "tractatus" / "governance"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from tractatus.governance.b import g\n")
    (package / "b.py").write_text("from . import a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from tractatus.governance.d import X\n")
    (package / "d.py").write_text("from tractatus.governance.c import Y\n")
    graph = import_graph(package)
    assert "tractatus.governance.d" not in graph["tractatus.governance.c"]  # a type-only import
    cycle = first_cycle(graph)
    assert cycle is not None and set(cycle) == {"tractatus.governance.a", "tractatus.governance.b"}
