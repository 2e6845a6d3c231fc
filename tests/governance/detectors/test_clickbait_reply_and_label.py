"""An interjection's '?!' and a label heading a plain clause are not headlines selling a click.

"Really?! That's great news." reacts like a reply; "Amazing: local kids raise $500 for the food
bank" heads a plain news item. Neither is reported, in any kind of the default policy, while the
same punctuation on a headline's claim, or a label with company (a second sensational word,
'!!!', a teaser), still is."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build, run

from tractatus.governance.actions import Finding

KINDS = ("message", "publish", "response")


def rules(detector: Any, text: str, kind: str) -> list[Finding]:
    return [f for f in run(detector, text, kind=kind) if f.category != "learned"]


@pytest.fixture(scope="module")
def clickbait() -> Any:
    return build("clickbait")


@pytest.mark.parametrize(
    "text",
    [
        "Really?! That's great news.",
        "Seriously?! You finished the migration already",
        "No way!! Congrats on the promotion",
        "What?! The meeting moved to Friday?",
        "Wow!! Congrats on the new job",
        "Seriously?! They moved the demo to Friday?!",
    ],
)
def test_an_interjections_punctuation_is_a_reply_not_a_headline(clickbait: Any, text: str) -> None:
    for kind in KINDS:
        assert not rules(clickbait, text, kind), (kind, text)


@pytest.mark.parametrize(
    "text",
    ["Cats can read?!", "Cats can read?! Really?!", "Amazing!!!", "OMG!!! Mayor's dog gets a job", "Insane?! Rent doubles"],
)
def test_punctuation_on_a_claim_or_a_sensational_word_still_counts(clickbait: Any, text: str) -> None:
    assert "punctuation" in {f.category for f in rules(clickbait, text, "publish")}, text


@pytest.mark.parametrize(
    "text",
    [
        "Amazing: local kids raise $500 for the food bank",
        "Incredible: volunteers plant 1,000 trees in a day",
        "Stunning - the northern lights seen over Oslo last night",
        "Wow: the library reopens on Monday",
        "Update: the bridge reopens on Monday",
    ],
)
def test_a_label_heading_a_plain_clause_is_not_reported(clickbait: Any, text: str) -> None:
    for kind in KINDS:
        assert not rules(clickbait, text, kind), (kind, text)


@pytest.mark.parametrize(
    "text",
    [
        "OMG: mayor's dog gets a job at city hall!!!",
        "Shocking: celebrity exposed",
        "Amazing: this mom's trick will leave you speechless",
        "Incredible: the most shocking video you'll ever see",
        "STUNNING: CELEBRITY WEDDING PHOTOS LEAKED",
    ],
)
def test_a_label_with_company_still_counts(clickbait: Any, text: str) -> None:
    found = {f.category for f in rules(clickbait, text, "publish")}
    assert "sensational_label" in found and len(found) >= 2, (text, found)


def test_the_lab_policy_keeps_counting_a_label_alone() -> None:
    strict = build("clickbait", label_alone_kinds=[])
    assert {f.category for f in rules(strict, "Amazing: local kids raise $500 for the food bank", "publish")} >= {"sensational_label"}
