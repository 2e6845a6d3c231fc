"""Every detector against its case file: true positives, evasions and benign texts that must pass.

Each case is asserted on its own (so a regression names the text), and each detector's
precision and recall over its whole file are asserted too. Cases marked `known_miss` are
documented weaknesses: they count in the metrics but are not asserted one by one.
"""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import blocking, load_cases, run

DETECTORS = ("pii", "abuse", "clickbait", "compliance")
CASES = [(name, case) for name in DETECTORS for case in load_cases(name)]


def _flagged(findings: list[Any], rule: str | None) -> bool:
    hits = blocking(findings)
    return any(f.rule_id.startswith(rule) for f in hits) if rule else bool(hits)


@pytest.mark.parametrize(("name", "case"), [c for c in CASES if not c[1].get("known_miss")], ids=lambda v: v["id"] if isinstance(v, dict) else v)
def test_case(detectors: dict[str, Any], name: str, case: dict[str, Any]) -> None:
    findings = run(detectors[name], case["text"], case.get("context"))
    if case["expect"] == "flag":
        assert _flagged(findings, case.get("rule")), f"missed {case['text']!r}: {[f.rule_id for f in findings]}"
    else:
        assert not blocking(findings), f"false positive on {case['text']!r}: {[(f.rule_id, f.evidence) for f in findings]}"
    for finding in findings:
        assert finding.span is not None and 0 <= finding.span.start <= finding.span.end <= len(case["text"])
        assert finding.source == name and finding.rule_id.startswith(f"{name}.")


@pytest.mark.parametrize("name", DETECTORS)
def test_precision_and_recall(detectors: dict[str, Any], name: str) -> None:
    tp = fp = fn = tn = 0
    for case in load_cases(name):
        flagged = _flagged(run(detectors[name], case["text"], case.get("context")), None)
        if case["expect"] == "flag":
            tp, fn = tp + flagged, fn + (not flagged)
        else:
            fp, tn = fp + flagged, tn + (not flagged)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    assert tp + fn >= 15 and fp + tn >= 15, "the case file needs positives and benign cases"
    assert precision >= 0.98, f"{name}: precision {precision:.2f} (fp={fp})"
    assert recall >= 0.95, f"{name}: recall {recall:.2f} (fn={fn})"


def test_case_files_hold_evasions() -> None:
    for name in DETECTORS:
        assert sum(1 for c in load_cases(name) if c["tag"] == "evasion") >= 5, name
