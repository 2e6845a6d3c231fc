"""Helpers for detector tests: detectors built from the settings shipped in policies/default.yaml,
and the case files in tests/governance/data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors import builtin_detectors
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "tests" / "governance" / "data"
DEFAULT_POLICY = ROOT / "policies" / "default.yaml"


def shipped_settings(name: str) -> Any:
    """The detector's settings exactly as policies/default.yaml ships them, validated by its schema."""
    document = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    cls = next(c for c in builtin_detectors() if c.name == name)
    return cls.Settings.model_validate(document["checks"][name]["settings"])


def build(name: str, **overrides: Any) -> Any:
    cls = next(c for c in builtin_detectors() if c.name == name)
    settings = shipped_settings(name)
    if overrides:
        settings = cls.Settings.model_validate({**settings.model_dump(), **overrides})
    return cls(settings)


def run(detector: Any, text: str, context: dict[str, Any] | None = None, kind: str | None = None) -> list[Finding]:
    action = Action(text=text, context=context or {}) if kind is None else Action(text=text, context=context or {}, kind=kind)
    ctx = CheckContext(action=action, text=normalize(text), state=GovernanceState())
    return list(detector.evaluate(ctx))


def blocking(findings: list[Finding]) -> list[Finding]:
    """Findings the default policy does not allow (medium and above map to block)."""
    return [f for f in findings if f.severity >= Severity.MEDIUM]


def load_cases(name: str) -> list[dict[str, Any]]:
    path = DATA / f"{name}_cases.jsonl"
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            row["id"] = f"{name}:{number}"
            rows.append(row)
    return rows


def all_detectors() -> dict[str, Any]:
    return {cls.name: build(cls.name) for cls in builtin_detectors()}


def found_values(detector: Any, text: str, category: str) -> list[str]:
    """The pieces of `text` (original offsets) the detector reported in `category`."""
    return [text[f.span.start : f.span.end] for f in run(detector, text) if f.category == category and f.span]
