"""Abuse needs a target: the learned tier's score counts only when the text names a person or a
group; anger at things, denied insults and success idioms stay allowed (issue 9's benign list)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from detector_helpers import build
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance.actions import Action, Finding, Verdict
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.abuse_target import PERSON_NOUNS, TargetLexicon
from tractatus.governance.governor import Governor
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState


def ctx_of(text: str, kind: str = "message") -> CheckContext:
    return CheckContext(action=Action(text=text, kind=kind), text=normalize(text), state=GovernanceState())


def run(detector: Any, text: str, kind: str = "message") -> list[Finding]:
    return list(detector.evaluate(ctx_of(text, kind)))


@pytest.fixture(scope="module")
def abuse() -> Any:
    return build("abuse")


@pytest.fixture(scope="module")
def governor() -> Iterator[Governor]:
    gov = Governor(load_policy(bundled_policy_path("default")))
    # The detectors compile their large patterns (and normalization loads its vocabulary) on first
    # use, inside the first check that needs them: ~0.4 s on a loaded machine, over the 250 ms
    # check timeout. Warm every path these texts take once; the verdicts are asserted after.
    for text in BENIGN:
        gov.evaluate(Action(kind="message", text=text))
    yield gov
    gov.close()


# Anger at things, the writer's own self-deprecation, denied insults, success idioms, commands.
BENIGN = [
    "kill -9 the process",
    "kill -9 $(pgrep -f worker) and restart the damn thing",
    "this update is garbage and I'm furious",
    "this update is garbage and your support is useless",
    "your product is garbage, I want a refund",
    "The new release is stupid slow and the UI is awful",
    "fuck this bug",
    "This fucking printer is useless",
    "I hate Mondays",
    "I'm such an idiot, I forgot the attachment",
    "The idiot-proof guide to Git",
    "you are not an idiot, you just made a mistake",
    "You killed it at the presentation!",
    "She is absolutely crushing it this quarter",
    "There is a trash bag in the hallway again",
    "My dad bought a new garden hoe for the beans",
    "Remember grandpa running the rotary hoe over the corn after a freeze?",
    "She spent the morning hoeing the rows",
]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_look_alikes_are_allowed_by_the_default_policy(governor: Governor, text: str) -> None:
    decision = governor.evaluate(Action(kind="message", text=text))
    assert decision.verdict == Verdict.ALLOW, [(f.rule_id, f.evidence) for f in decision.findings]


@pytest.mark.parametrize("text", BENIGN)
def test_benign_look_alikes_get_no_abuse_finding(abuse: Any, text: str) -> None:
    assert not run(abuse, text), [(f.rule_id, f.message) for f in run(abuse, text)]


@pytest.mark.parametrize(
    "text",
    ["Dumb ass hoe", "those immigrants are fucking garbage", "@dave fuck off and die you pathetic bitch",
     "your whole family is trash", "women are stupid bitches"],
)  # fmt: skip
def test_the_same_kind_of_words_at_a_person_or_group_are_still_flagged(abuse: Any, text: str) -> None:
    assert run(abuse, text), text


def test_a_score_without_a_target_warns_only_at_the_untargeted_threshold() -> None:
    text = "fuck this bug"
    strict = build("abuse", learned_untargeted_warn_probability=0.5)
    (finding,) = run(strict, text)
    assert finding.rule_id == "abuse.learned"
    assert strict.learned_probability(ctx_of(text)) >= 0.5  # the score is there; the target rule hides it
    assert not run(build("abuse"), text)


def test_denied_insults_and_success_idioms_are_not_scored(abuse: Any) -> None:
    def probability(text: str) -> float:
        return float(abuse.learned_probability(ctx_of(text)))

    assert probability("you are not an idiot") < abuse.settings.learned.warn_probability <= probability("you are an idiot")
    assert probability("you killed it at the presentation") < probability("you killed him at the presentation")
    # The garden tool is blanked; the word aimed at a person is not.
    assert probability("my dad bought a new garden hoe") < abuse.settings.learned.warn_probability <= probability("my dad is a hoe")


@pytest.mark.parametrize(
    ("text", "aimed"),
    [
        ("you are useless", True),
        ("she said no", True),
        ("those immigrants again", True),
        ("@dave_77 look at this", True),
        ("＠ｄａｖｅ look at this", True),  # fullwidth: read after normalization
        ("@d a v e look at this", True),  # a spelled-out handle
        ("@d-a-v-e look at this", True),
        ("ｙｏｕ are late", True),
        ("meet me @ 5pm", False),
        ("s t u p i d h o e s", True),  # spelled out: word boundaries are lost, so it counts (fail closed)
        ("ask the guys in ops", True),
        ("white trash everywhere", True),
        ("Dave is a moron", True),
        ("fuck this bug", False),
        ("this update is garbage", False),
        ("I'm such an idiot", False),
        ("The idiot-proof guide to Git", False),
        ("mail me at bob@example.com", False),
        ("kill -9 the process", False),
    ],
)
def test_who_a_text_aims_at(abuse: Any, text: str, aimed: bool) -> None:
    assert abuse.aims_at_someone(ctx_of(text)) is aimed


def test_the_target_lexicon_reads_plural_insults_and_apostrophes() -> None:
    lexicon = TargetLexicon(("moron",))
    assert lexicon.aims_at_someone("morons", "morons")
    assert lexicon.aims_at_someone("you're late", "you're late")
    assert not lexicon.aims_at_someone("trash", "trash")
    assert "hoes" in PERSON_NOUNS


def test_a_function_word_is_not_a_name_in_named_insults(abuse: Any) -> None:
    assert not run(abuse, "There is a trash bag in my hall")
    assert not run(abuse, "This is a joke of a release")
    assert any(f.rule_id == "abuse.insult" for f in run(abuse, "Dave is an idiot"))


def test_normalization_says_when_letters_were_spelled_out() -> None:
    assert normalize("y o u a r e late").spelled_out
    assert normalize("i d i o t").spelled_out
    assert not normalize("you are late").spelled_out
    assert not normalize("kill -9 the process").spelled_out


# Words and separators that move the target search: target words (plain, with an apostrophe, in a
# phrase), the self-naming the search removes, insults, and every character class the word forms
# and the search's tokens cut at differently.
_PIECES = (
    "you", "y'all", "you're", "people", "morons", "white", "trash", "son", "of", "a", "bitch", "she", "hoes",
    "i'm", "im", "such", "an", "idiot", "call", "me", "i", "am", "idiot-proof", "the", "update", "is", "garbage",
    "kill", "9", "3pm", "yo", "u", "thou", "idiooot", "y", "all",
    " ", "  ", "-", "'", "_", "*", "#", "%", "@", ".", ",", "!", "\n", "\t", "\x00", "\x1c", "é", "\u200b", "1",
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_the_target_gate_opens_wherever_the_search_finds_someone(pieces: list[str]) -> None:
    """`may_aim_at_someone` (a set test on the word forms) is False only where `aims_at_someone` is:
    the abuse detector skips its models on that answer, so it must never rule out a target."""
    lexicon = TargetLexicon(("moron", "idiot", "son of a bitch", "white trash"))
    text = normalize("".join(pieces))
    if lexicon.aims_at_someone(text.text, text.lower_words):
        assert lexicon.may_aim_at_someone(text.text, text.lower_words, text.word_forms)


def test_text_naming_no_one_skips_the_models_and_keeps_its_decision(abuse: Any) -> None:
    """The shortcut's two sides: a profane text at a thing is not scored (and not flagged), a
    profane text at a person still is."""
    thing = ctx_of("this fucking update is garbage, what a shitty piece of crap release")
    person = ctx_of("you are a fucking piece of shit and everyone hates you")
    assert not abuse._may_aim_at_someone(thing)
    assert abuse._learned_findings(abuse._learned, thing) == []
    assert abuse._may_aim_at_someone(person)
    assert abuse.aims_at_someone(person)


def test_every_abuse_word_gate_is_inside_the_words_found_once() -> None:
    """`AbuseDetector.hits` intersects the text's words with the union of its gates once and tests
    each gate against that: sound only while each gate is part of the union."""
    from tractatus.governance.detectors import abuse as module

    gates = [value for name, value in vars(module).items() if name.endswith("_GATE") and isinstance(value, frozenset)]
    assert len(gates) >= 7
    assert all(gate <= module._ALL_GATE_WORDS for gate in gates)
