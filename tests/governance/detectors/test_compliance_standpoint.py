"""An identity given as the standpoint of an opinion is not a disclosure of data.

"As a gay man I think the new law is a step forward" speaks publicly from who the writer is; "I
was diagnosed with HIV last year and the app leaked it" hands over data about a body. The first
is `self_standpoint` (allowed on the record by the default policy), the second stays `self`
(blocked), and a diagnosis, treatment or record is never a standpoint however it is phrased."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build, run

from tractatus.governance.actions import Finding, Severity


def _special(detector: Any, text: str) -> list[Finding]:
    return [f for f in run(detector, text, kind="message") if f.category == "special_category"]


@pytest.fixture(scope="module")
def compliance() -> Any:
    return build("compliance")


@pytest.mark.parametrize(
    "text",
    [
        "As a gay man I think the new law is a step forward",
        "As a practising Muslim, I believe the canteen should label halal dishes",
        "As a lesbian I'm proud of how this city voted",
        "as a Christian I strongly support the new night shelter",
        "As a bisexual woman, I disagree with the columnist",
    ],
)
def test_an_identity_as_a_standpoint_is_on_the_record_not_blocked(compliance: Any, text: str) -> None:
    found = _special(compliance, text)
    assert found and all(f.rule_id.startswith("compliance.special_category.self_standpoint.") for f in found), text
    assert all(f.severity == Severity.INFO for f in found), text


@pytest.mark.parametrize(
    "text",
    [
        "I was diagnosed with HIV last year and the app leaked it",
        "As a gay man, I was fired last week and HR knows why",
        "As a practising Muslim, I can't attend on Fridays.",
        "As a gay man I think my HIV diagnosis should stay private",
        "I'm gay and I think the law is fine",
    ],
)
def test_a_disclosure_beside_or_instead_of_an_opinion_still_blocks(compliance: Any, text: str) -> None:
    assert any(f.severity >= Severity.MEDIUM for f in _special(compliance, text)), text


def test_the_policy_sets_the_standpoint_severity() -> None:
    strict = build(
        "compliance",
        special_category_subjects={"third_party": "medium", "self": "medium", "self_standpoint": "medium", "public_figure": "low"},
    )
    assert [f.severity for f in _special(strict, "As a gay man I think the new law is a step forward")] == [Severity.MEDIUM]
