"""The clickbait policy's instructional cap lets plain how-to headlines through, not listicles that
sell themselves; and the headline model does not read texts too short to be a headline.

Decided through the real Governor under `policies/default.yaml` in `publish` (the shipped model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.detectors.clickbait import ClickbaitSettings, is_instructional
from tractatus.governance.detectors.instructional_headline import sells_itself
from tractatus.governance.governor import Governor
from tractatus.governance.policy import load_policy

POLICY = Path(__file__).resolve().parents[3] / "policies" / "default.yaml"

PLAIN_HOW_TOS = (
    "How to renew a passport online",
    "5 tips for planting tulip bulbs in autumn",
    "A beginner's guide to composting at home",
    "How to file your taxes online",
    "Here's how to reset your password",
    "10 tips for a better night's sleep",
    "3 easy ways to back up your phone",
    "10 best practices for writing REST APIs",
    "How to write great commit messages",
    "15 tips for faster builds",  # a list of up to fifteen is a tips article's length
    "Top 12 ways to cut your cloud bill",
    # a round count, or a list of examples, commands or tools, is a tutorial's
    "20 examples of the find command",
    "25 git commands for daily work",
    "20 ways to speed up your build",
    "How to install every package you need",
    "How to meet every need of your users",
    "How to back up every file you need",
)
SELLING_HOW_TOS = (
    "17 Insanely Easy Ways To Upgrade Your Bedroom",
    "Here's How To Be The Most Productive Person Ever",
    "21 Genius Tips For Cleaning Your Kitchen",
    "How To Make The Perfect Pancakes Every Single Time",
    "12 Packing Tips Every First-Time Traveller Needs",  # a promise to every reader of a kind
    "23 Ways To Reorganise Your Tiny Kitchen",  # more than fifteen: the listicle format
    "31 Ways To Spend A Rainy Sunday",
)


@pytest.fixture(scope="module")
def governor() -> Governor:
    return Governor(load_policy(POLICY))


def _publish(governor: Governor, text: str) -> Verdict:
    return governor.evaluate(Action(kind="publish", text=text, context={})).verdict


@pytest.mark.parametrize("text", PLAIN_HOW_TOS)
def test_a_plain_how_to_is_instructional_and_allowed(governor: Governor, text: str) -> None:
    assert is_instructional(text.lower()) and not sells_itself(text.lower())
    assert _publish(governor, text) is Verdict.ALLOW


@pytest.mark.parametrize("text", SELLING_HOW_TOS)
def test_a_how_to_that_sells_itself_keeps_the_models_finding(governor: Governor, text: str) -> None:
    assert sells_itself(text.lower()) and not is_instructional(text.lower())
    assert _publish(governor, text) is not Verdict.ALLOW


def test_the_modifier_must_be_a_whole_word_and_not_a_term() -> None:
    # "greatest" in "greatly", "ever" in "every"/"several", "best practices" (a term): not a listicle's promise
    for text in ("how to greatly reduce build times", "10 tips for every new manager", "how to run several jobs at once",
                 "7 best practices for code review", "how to write great docs"):
        assert not sells_itself(text), text
    # a number is a listicle's count only where the headline starts with it, above fifteen, not
    # round, and counting ways, tips, rules or lessons
    for text in ("how to survive 24 hours without power", "5 tips for the 2026 tax year", "15 ways to test a parser",
                 "top 40 ways to spend a sunday", "100 ways to x", "2026 tax tips for freelancers", "23 git commands for daily work"):
        assert not sells_itself(text), text
    for text in ("the 10 best tips for sleeping", "the greatest guide to napping", "16 ways to test a parser", "top 23 tips for napping",
                 "27 simple packing rules", "12 tips every new runner needs"):
        assert sells_itself(text), text


def test_short_texts_meet_the_rules_only() -> None:
    settings = load_policy(POLICY).check_settings("clickbait").model_dump()
    assert ClickbaitSettings.model_validate(settings).learned_min_words == 4
    governor = Governor(load_policy(POLICY))
    # Two or three words: the model does not read them ...
    assert _publish(governor, "This is amazing") is Verdict.ALLOW
    # ... the rules still do, whatever the length ...
    assert _publish(governor, "SHOCKING!!! Unbelievable!!!") is not Verdict.ALLOW
    # ... and from four words on the model reads the headline again.
    assert _publish(governor, "These Adorable Puppies Will Make Your Day") is not Verdict.ALLOW


def test_a_text_spelled_out_letter_by_letter_is_read_whatever_its_joined_length(governor: Governor) -> None:
    # Joined spelled words lose their boundaries ("T h e s e A d o r a b l e" -> "theseadorable"): the word
    # count of the normalized text says nothing, so the model reads it (fail closed).
    spelled = "T h e s e A d o r a b l e P u p p i e s"  # one word once joined
    findings = governor.evaluate(Action(kind="publish", text=spelled, context={})).findings
    assert any(f.rule_id == "clickbait.learned" for f in findings)


def test_the_minimum_is_a_policy_setting(tmp_path: Path) -> None:
    text = POLICY.read_text(encoding="utf-8").replace("learned_min_words: 4", "learned_min_words: 1")
    assert text != POLICY.read_text(encoding="utf-8")
    path = tmp_path / "default.yaml"
    path.write_text(text, encoding="utf-8")
    assert _publish(Governor(load_policy(path)), "This is amazing") is not Verdict.ALLOW
