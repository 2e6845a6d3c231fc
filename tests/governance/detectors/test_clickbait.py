"""Clickbait: a score over structures; single words never block; thresholds come from the policy."""

from __future__ import annotations

from typing import Any

from detector_helpers import build, run

from tractatus.governance.actions import Severity


def test_lone_sensational_word_never_blocks(detectors: dict[str, Any]) -> None:
    assert not run(detectors["clickbait"], "This is amazing")
    # Three sensational words reach the cap (1.0 = warn_score): a warning at most, never a block.
    findings = run(detectors["clickbait"], "Amazing, shocking, insane results in the quarterly report")
    assert findings and all(f.severity == Severity.LOW for f in findings)


def test_features_add_up(detectors: dict[str, Any]) -> None:
    assert {f.severity for f in run(detectors["clickbait"], "Amazing!!!")} == {Severity.LOW}  # 0.5 + 1.0 -> warn
    findings = run(detectors["clickbait"], "Act now!!")  # 1.0 + 1.0 -> block
    assert {f.category for f in findings} == {"mild_urgency", "punctuation"}
    assert {f.severity for f in findings} == {Severity.MEDIUM}


def test_done_when_example(detectors: dict[str, Any]) -> None:
    text = "You WON'T BELIEVE what happened next!!!"
    findings = run(detectors["clickbait"], text)
    assert {"curiosity_gap", "shouting", "punctuation"} <= {f.category for f in findings}
    assert all(f.severity == Severity.MEDIUM for f in findings)


def test_shouting_needs_a_run_of_words_not_acronyms(detectors: dict[str, Any]) -> None:
    detector = build("clickbait", weights={**detectors["clickbait"].settings.weights, "shouting": 2.0})
    assert not run(detector, "Configure AWS IAM API keys")
    assert [f.category for f in run(detector, "PLEASE READ THE MANUAL first")] == ["shouting"]


def test_sourced_claims_are_not_misleading_certainty(detectors: dict[str, Any]) -> None:
    assert run(detectors["clickbait"], "It's official: scientists confirm coffee cures everything!!")
    assert not run(detectors["clickbait"], "Scientists confirm the result, according to a study published in Nature (2021)")


def test_thresholds_come_from_settings() -> None:
    strict = build("clickbait", block_score=0.9, warn_score=0.4)
    assert {f.severity for f in run(strict, "This is amazing")} == {Severity.LOW}
    assert {f.severity for f in run(strict, "Last chance to register")} == {Severity.MEDIUM}
