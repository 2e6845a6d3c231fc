"""The six Tractatus services, one file each.

- InstructionPersistenceClassifier (persistence_classifier.py): files instructions;
- CrossReferenceValidator (cross_reference.py): checks actions against those instructions;
- BoundaryEnforcer (boundary_enforcer.py): values decisions and unbacked claims go to a person;
- ContextPressureMonitor (context_pressure.py): more verification as a session degrades;
- MetacognitiveVerifier (metacognitive_verifier.py): scores an action's stated reasoning;
- PluralisticDeliberationOrchestrator (deliberation.py): records how people settled a values
  conflict; it never ranks values itself, so it is not a check.

Commitments (commitments.py) refuses replies that promise what nobody will do.

Shared helpers: patterns.py (phrase regexes, negation), parameters.py, prohibitions.py.
"""

from __future__ import annotations

from typing import Any


def builtin_services() -> list[Any]:
    """Every built-in service class that can run as a check."""
    from tractatus.governance.services.boundary_enforcer import BoundaryEnforcer
    from tractatus.governance.services.commitments import Commitments
    from tractatus.governance.services.context_pressure import ContextPressureMonitor
    from tractatus.governance.services.cross_reference import CrossReferenceValidator
    from tractatus.governance.services.metacognitive_verifier import MetacognitiveVerifier
    from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier

    return [
        InstructionPersistenceClassifier,
        CrossReferenceValidator,
        BoundaryEnforcer,
        ContextPressureMonitor,
        MetacognitiveVerifier,
        Commitments,
    ]
