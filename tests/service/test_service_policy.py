"""policies/service.yaml: loads, governs the service's action kinds, and inherits default.yaml's thresholds."""

from __future__ import annotations

from pathlib import Path

import yaml

from tractatus.governance.policy import load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def test_service_policy_loads_and_covers_the_service_kinds():
    policy = load_policy(POLICIES / "service.yaml")
    checks = policy.document.checks
    assert "feedback" in checks["pii"].kinds and "response" in checks["pii"].kinds
    assert "feedback" in checks["abuse"].kinds and "feedback" in checks["compliance"].kinds
    assert "response" in checks["boundary_enforcer"].kinds and "feedback" not in checks["boundary_enforcer"].kinds
    assert policy.document.on_error == "block"
    assert policy.document.tools.unknown == "block"


def test_check_settings_are_the_defaults():
    """The service changes kinds and verdicts only; thresholds stay the project's (default.yaml,
    inherited through `extends:`, so there is no copy to keep in step)."""
    default = load_policy(POLICIES / "default.yaml").document.checks
    service = load_policy(POLICIES / "service.yaml").document.checks
    assert set(service) == set(default)
    for name in default:
        assert service[name].settings == default[name].settings, f"service.yaml overrides checks.{name}.settings"
    assert "extends" in yaml.safe_load((POLICIES / "service.yaml").read_text())
