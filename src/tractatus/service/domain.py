"""The Tractatus services' domain APIs, built once per app from the policy's validated settings.

These are the same classes the Governor runs as checks; here the web API calls their domain
methods directly (classify, validate, enforce, analyze, verify), with the thresholds of the
policy the service was started with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tractatus.governance.policy import Policy
from tractatus.governance.registry import default_registry
from tractatus.governance.services.boundary_enforcer import BoundaryEnforcer
from tractatus.governance.services.context_pressure import ContextPressureMonitor
from tractatus.governance.services.cross_reference import CrossReferenceValidator
from tractatus.governance.services.metacognitive_verifier import MetacognitiveVerifier
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier


@dataclass(frozen=True)
class DomainServices:
    classifier: InstructionPersistenceClassifier
    validator: CrossReferenceValidator
    enforcer: BoundaryEnforcer
    pressure: ContextPressureMonitor
    verifier: MetacognitiveVerifier

    @classmethod
    def from_policy(cls, policy: Policy) -> DomainServices:
        def build(service: Any) -> Any:
            return service(policy.check_settings(service.name))

        validator = build(CrossReferenceValidator)
        # Detector-backed prohibitions ("no clickbait") are judged by the detectors themselves.
        registry = default_registry()
        validator.bind_checks({
            name: registry[name](policy.check_settings(name))
            for name in ("pii", "abuse", "clickbait", "compliance")
            if name in registry and name in policy.document.checks
        })
        return cls(
            classifier=build(InstructionPersistenceClassifier),
            validator=validator,
            enforcer=build(BoundaryEnforcer),
            pressure=build(ContextPressureMonitor),
            verifier=build(MetacognitiveVerifier),
        )
