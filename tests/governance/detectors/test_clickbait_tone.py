"""Caps, '!!!' and sensational words are tone of voice: alone (together or not) they are never
reported in conversation, only in headlines."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build, shipped_settings
from pydantic import ValidationError

from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState


def run(detector: Any, text: str, kind: str) -> list[Finding]:
    ctx = CheckContext(action=Action(text=text, kind=kind), text=normalize(text), state=GovernanceState())
    return [f for f in detector.evaluate(ctx) if f.category != "learned"]


@pytest.fixture(scope="module")
def clickbait() -> Any:
    return build("clickbait")


@pytest.mark.parametrize(
    "text",
    [
        "Yankees take all three games, I'm calling it!!!",
        "PLEASE READ THE MANUAL before asking",
        "Cats can read?!",
        "Amazing!!!",
        "DO NOT PUT PINEAPPLE ON MY PIZZA!!!",
        "Our goalie was AMAZING TONIGHT!!",
        "That ref got EXPOSED tonight, ABSOLUTE FRAUD",
    ],
)
def test_tone_alone_does_not_warn_in_conversation_but_does_in_a_headline(clickbait: Any, text: str) -> None:
    for kind in ("message", "response"):
        assert not run(clickbait, text, kind), kind
    assert run(clickbait, text, "publish")


def test_tone_with_content_still_counts_in_conversation(clickbait: Any) -> None:
    findings = run(clickbait, "You WON'T BELIEVE what happened next!!!", "message")
    assert {f.severity for f in findings} == {Severity.MEDIUM}
    # A content feature (here a sensational label) makes the tone count again.
    labelled = {f.category for f in run(clickbait, "SHOCKING: celebrity EXPOSED!!!", "message")}
    assert "sensational_label" in labelled and "punctuation" in labelled
    urgent = run(clickbait, "ACT NOW!!! Limited time offer", "message")
    assert urgent and all(f.severity == Severity.MEDIUM for f in urgent)


def test_nobody_knew_teases_only_when_it_withholds_what(clickbait: Any) -> None:
    for text in ("Nobody knew what happened", "No one expected this", "Nobody knew."):
        assert {f.category for f in run(clickbait, text, "publish")} == {"curiosity_gap"}, text
    for text in ("Nobody knew I'd been doing an impersonation all day", "No one expected the vote to pass so early"):
        assert not run(clickbait, text, "message"), text


def test_the_tone_kinds_come_from_the_policy() -> None:
    everywhere = build("clickbait", tone_alone_kinds=[])
    assert run(everywhere, "Yankees take all three games, I'm calling it!!!", "message")


@pytest.mark.parametrize(
    "text",
    [
        "Worst customer service I have ever had, I waited 3 hours on the phone",
        "Honestly the best ramen we've ever eaten, go there",
        "This is the most impressive laptop I have ever used",
    ],
)
def test_a_personal_superlative_is_an_opinion_in_conversation_and_a_teaser_in_a_headline(clickbait: Any, text: str) -> None:
    for kind in ("message", "response"):
        assert not run(clickbait, text, kind), kind
    assert {f.category for f in run(clickbait, text, "publish")} >= {"personal_superlative"}


def test_a_superlative_aimed_at_the_reader_is_still_an_overclaim_in_conversation(clickbait: Any) -> None:
    findings = run(clickbait, "The best pizza you'll ever taste", "message")
    assert {f.category for f in findings} == {"overclaim"} and {f.severity for f in findings} == {Severity.MEDIUM}


def test_a_negative_weight_is_a_policy_error() -> None:
    # It would let one feature cancel another: "SHOCKING: ..." plus a negative weight could allow.
    weights = {**shipped_settings("clickbait").weights, "punctuation": -1.0}
    with pytest.raises(ValidationError, match="weights cannot be negative: punctuation"):
        build("clickbait", weights=weights)
