"""Special-category data: whose it is (the writer's own, a third party's, a public figure's) and
the action kind decide, through the policy, whether it is reported and how strongly."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build

from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.errors import PolicyError
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState


def _special(detector: Any, text: str, kind: str = "message") -> list[Finding]:
    ctx = CheckContext(action=Action(text=text, kind=kind), text=normalize(text), state=GovernanceState())
    return [f for f in detector.evaluate(ctx) if f.category == "special_category"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (
            "I was diagnosed with HIV last year and the app leaked it",
            "compliance.special_category.self.health",
        ),
        ("As a practising Muslim, I can't attend on Fridays.", "compliance.special_category.self.religion"),
        (
            "I'm gay and my manager keeps asking about my weekend",
            "compliance.special_category.self.sexual_orientation",
        ),
        ("I've been suffering from depression since the divorce", "compliance.special_category.self.health"),
        (
            "Please don't share my HIV status with the insurer",
            "compliance.special_category.self.biometric_or_health_record",
        ),
        ("i am bipolar and on lithium", "compliance.special_category.self.health"),
    ],
)
def test_self_disclosure_is_reported_as_the_writers_own(
    detectors: dict[str, Any], text: str, rule: str
) -> None:
    findings = _special(detectors["compliance"], text)
    assert [f.rule_id for f in findings] == [rule]
    assert findings[0].severity == Severity.MEDIUM  # default policy: blocked like a third party's


@pytest.mark.parametrize(
    "text",
    [
        "Senator Kennedy has brain tumor surgically removed",
        "President Biden tested positive for COVID",
        "Actor Tom Hanks has been diagnosed with diabetes",
    ],
)
def test_public_figure_news_passes_in_publish_and_only_warns_in_messages(
    detectors: dict[str, Any], text: str
) -> None:
    assert _special(detectors["compliance"], text, kind="publish") == []
    findings = _special(detectors["compliance"], text, kind="message")
    assert [f.severity for f in findings] == [Severity.LOW]
    assert findings[0].rule_id.startswith("compliance.special_category.public_figure.")


def test_a_third_party_is_still_blocked_in_publish(detectors: dict[str, Any]) -> None:
    findings = _special(
        detectors["compliance"], "My coworker Sarah was diagnosed with cancer last year", kind="publish"
    )
    assert [f.severity for f in findings] == [Severity.MEDIUM]
    assert findings[0].rule_id == "compliance.special_category.health"


@pytest.mark.parametrize(
    "text",
    [
        "As a Muslim-majority country, Indonesia observes Eid.",
        "I read that HIV is a virus that attacks the immune system.",
        "I have a meeting with the diabetes research team.",
        "As a Christian charity, we serve everyone.",
        "I am a Christmas person, not a summer person.",
    ],
)
def test_general_statements_by_the_writer_pass(detectors: dict[str, Any], text: str) -> None:
    assert _special(detectors["compliance"], text) == []


@pytest.mark.parametrize(
    "text",
    [
        "I'm autistic or something, I thought that song was by another band until yesterday",
        "i have adhd or whatever, I lost my keys again",
        "I am bipolar or smth lol, one minute I love this show and the next I hate it",
    ],
)
def test_a_self_description_hedged_at_once_is_not_a_disclosure(detectors: dict[str, Any], text: str) -> None:
    assert _special(detectors["compliance"], text) == []


def test_the_hedge_is_the_writers_only(detectors: dict[str, Any]) -> None:
    # A guess about someone else's health is still data about them; an unhedged self-disclosure counts.
    assert [f.rule_id for f in _special(detectors["compliance"], "my coworker has HIV or something")] == [
        "compliance.special_category.health"
    ]
    assert _special(detectors["compliance"], "I'm autistic and I want my employer to know")


def test_the_policy_can_switch_a_subject_off_per_kind() -> None:
    detector = build(
        "compliance",
        special_category_subjects={"third_party": "medium", "self": "medium", "self_standpoint": "info", "public_figure": "low"},
        special_category_subjects_by_kind={"response": {"self": "off"}},
    )
    text = "I was diagnosed with HIV last year"
    assert _special(detector, text, kind="response") == []
    assert len(_special(detector, text, kind="message")) == 1


def test_a_subject_without_a_severity_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="public_figure"):
        build("compliance", special_category_subjects={"third_party": "medium", "self": "medium"})
