"""The registry: every built-in check by the name policies use.

The floor above the checks: it imports them, and no check imports it (checks.py is the interface
they share; tests/governance/test_import_graph.py keeps the arrows pointing one way).
"""

from __future__ import annotations

from tractatus.governance.checks import CheckFactory
from tractatus.governance.detectors import builtin_detectors
from tractatus.governance.quota import QuotaCheck
from tractatus.governance.services import builtin_services


def default_registry() -> dict[str, CheckFactory]:
    """A fresh name -> check class mapping with every built-in detector and service.

    Returned anew on each call (no module-level singleton), so a caller can add or replace
    checks, e.g. a fault-injecting detector in tests, without affecting anyone else.
    """
    registry: dict[str, CheckFactory] = {}
    for cls in (*builtin_detectors(), *builtin_services(), QuotaCheck):
        registry[cls.name] = cls
    return registry
