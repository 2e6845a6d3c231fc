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
