"""A generalisation about a group that the writer denies ("not all feminists hate men"), reports
("stop saying ...") or condemns ("saying all muslims are terrorists is racist") is not abuse;
the generalisation asserted ("All feminists hate men", "women are trash") still is."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build, run

from tractatus.governance.detectors.group_hate import GroupHateRules, negated_generalisations
from tractatus.governance.normalize import normalize


@pytest.fixture(scope="module")
def abuse() -> Any:
    return build("abuse")


@pytest.mark.parametrize(
    "text",
    [
        "Not all feminists hate men",
        "Not all muslims are terrorists",
        "Not all men are pigs",
        "Not every immigrant is a criminal",
        "not all of them are lazy, most work two jobs",
        "People say feminists hate men, which is nonsense",
        "Stop saying feminists hate men",
        "Saying all muslims are terrorists is racist",
        "The stereotype that gays are perverts has to go",
    ],
)
def test_denied_reported_or_condemned_generalisations_pass(abuse: Any, text: str) -> None:
    assert not run(abuse, text), text


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Not all feminists hate men, but you are a stupid bitch", "insult"),
        ("Not all feminists hate men but all of them are ugly bitches", "insult"),
        ("All women are stupid", "group_hate"),
        ("women are trash, everyone knows it", "group_hate"),
    ],
)
def test_a_generalisation_asserted_beside_it_still_counts(abuse: Any, text: str, category: str) -> None:
    assert category in {f.category for f in run(abuse, text)}, text


def test_the_learned_tier_still_reads_the_generalisation_asserted(abuse: Any) -> None:
    # Same words, no denial: the learned tier's score is not blanked.
    for text in ("All feminists hate men", "Feminists hate men", "I think feminists hate men"):
        assert "learned" in {f.category for f in run(abuse, text)}, text


def test_a_negated_generalisation_ends_with_its_clause() -> None:
    text = "not all feminists hate men, but you do"
    ((start, end),) = negated_generalisations(text)
    assert text[start:end] == "not all feminists hate men"
    assert negated_generalisations("all feminists hate men") == []
    assert negated_generalisations("i can not stand them") == []


def test_only_a_rejected_or_condemned_report_is_disowned() -> None:
    rules = GroupHateRules(build("abuse").settings.group_hate)
    for text, disowned in (
        ("people say feminists hate men, which is nonsense", True),
        ("stop saying feminists hate men", True),
        ("the myth that muslims are terrorists", True),
        # a bare report can carry the writer's own abuse in the same sentence: not disowned
        ("my uncle thinks feminists hate men", False),
        ("bitches gonna think they are better than every female", False),
        ("i think feminists hate men", False),
        ("feminists hate men", False),
    ):
        assert bool(rules.disowned_sentences(text, normalize(text).word_forms)) is disowned, text


def test_not_all_must_quantify_a_group() -> None:
    assert negated_generalisations("whether they'll be a father or not all over some property") == []
    assert negated_generalisations("not every immigrant is a criminal") == [(0, 33)]
    assert negated_generalisations("not all of them are pigs") == [(0, 24)]


def test_a_rejection_disowns_only_what_follows_it() -> None:
    rules = GroupHateRules(build("abuse").settings.group_hate)
    text = "you filthy idiots keep spreading the myth that muslims are terrorists"
    ((start, end),) = rules.disowned_sentences(text, normalize(text).word_forms)
    assert text[start:end] == "myth that muslims are terrorists"
