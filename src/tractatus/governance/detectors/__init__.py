"""Content detectors: PII, abuse, clickbait, compliance. One small interface (see ..checks)."""

from __future__ import annotations

from typing import Any


def builtin_detectors() -> list[Any]:
    """Every built-in detector class, in the order the registry lists them."""
    from tractatus.governance.detectors.abuse import AbuseDetector
    from tractatus.governance.detectors.clickbait import ClickbaitDetector
    from tractatus.governance.detectors.compliance import ComplianceDetector
    from tractatus.governance.detectors.pii import PiiDetector

    return [PiiDetector, AbuseDetector, ClickbaitDetector, ComplianceDetector]
