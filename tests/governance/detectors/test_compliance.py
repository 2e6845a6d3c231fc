"""Compliance: consent for contact data, special categories about a person, retention."""

from __future__ import annotations

from typing import Any

from detector_helpers import build, run


def test_consent_in_context_lifts_the_contact_data_finding(detectors: dict[str, Any]) -> None:
    text = "Contact me at john.doe@example.com or 555-123-4567"
    assert {f.rule_id for f in run(detectors["compliance"], text)} == {"compliance.consent_required"}
    assert len(run(detectors["compliance"], text)) == 2
    assert not run(detectors["compliance"], text, {"consent": True})
    assert run(detectors["compliance"], text, {"consent": "yes"}), "only a literal True counts as consent"


def test_consent_evidence_is_masked(detectors: dict[str, Any]) -> None:
    (finding,) = run(detectors["compliance"], "write to john.doe@example.com")
    assert finding.evidence == "j***@e***.com"


def test_special_category_rule_names_the_category(detectors: dict[str, Any]) -> None:
    cases = {
        "John has HIV": "health",
        "my neighbour is a Muslim": "religion",
        "She is of Hispanic descent": "ethnicity",
        "He is gay": "sexual_orientation",
        "Mrs. Patel voted for Labour": "political_opinion",
        "Our employee Tom joined the union": "trade_union",
        "Dave has a criminal record": "criminal_record",
    }
    for text, category in cases.items():
        rules = [f.rule_id for f in run(detectors["compliance"], text)]
        assert rules == [f"compliance.special_category.{category}"], (text, rules)


def test_retention_limit_comes_from_settings() -> None:
    assert not run(build("compliance", max_retention_days=365), "Retain the logs for 6 months")
    assert [f.rule_id for f in run(build("compliance", max_retention_days=90), "Retain the logs for 6 months")] == ["compliance.retention.too_long"]
    assert [f.rule_id for f in run(build("compliance", max_retention_days=9999), "store it forever")] == ["compliance.retention.indefinite"]
