"""Fixtures: each service built from its settings block in policies/default.yaml.

The settings come from the shipped policy through the policy loader (not re-typed here), so the
tests exercise the thresholds users actually get, and a threshold change that breaks a
behaviour fails a test.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.governance.services.boundary_enforcer import BoundaryEnforcer
from tractatus.governance.services.context_pressure import ContextPressureMonitor
from tractatus.governance.services.cross_reference import CrossReferenceValidator
from tractatus.governance.services.metacognitive_verifier import MetacognitiveVerifier
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier

DATA = Path(__file__).resolve().parent / "data"


@cache
def default_policy() -> Policy:
    return load_policy(bundled_policy_path("default"))


def policy_settings(check_cls: Any) -> Any:
    """The validated settings of `check_cls` as policies/default.yaml defines them."""
    return default_policy().check_settings(check_cls.name)


def load_cases(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def classifier() -> InstructionPersistenceClassifier:
    return InstructionPersistenceClassifier(policy_settings(InstructionPersistenceClassifier))


@pytest.fixture(scope="session")
def validator() -> CrossReferenceValidator:
    return CrossReferenceValidator(policy_settings(CrossReferenceValidator))


@pytest.fixture(scope="session")
def enforcer() -> BoundaryEnforcer:
    return BoundaryEnforcer(policy_settings(BoundaryEnforcer))


@pytest.fixture(scope="session")
def pressure() -> ContextPressureMonitor:
    return ContextPressureMonitor(policy_settings(ContextPressureMonitor))


@pytest.fixture(scope="session")
def verifier() -> MetacognitiveVerifier:
    return MetacognitiveVerifier(policy_settings(MetacognitiveVerifier))
