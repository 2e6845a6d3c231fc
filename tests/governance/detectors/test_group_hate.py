"""Group-directed hate without slurs (abuse.group_hate): the structure flags, group talk passes."""

from __future__ import annotations

import time
from typing import Any

import pytest
from detector_helpers import blocking, build, run

from tractatus.governance.detectors.group_hate import GroupHateRules, GroupHateSettings
from tractatus.governance.normalize import normalize

HATE = [
    "muslims are a disease and should be deported",
    "women belong in the kitchen, not in parliament",
    "SEND ALL GAYS TO HELL",
    "Immigrants are all just filthy vermin",
    "every muslim is a terrorist",
    "why are women so stupid",
    "gays must die",
    "women should not be allowed to vote",
    "jews don't deserve rights",
    "refugees are not welcome here",
    "deport all muslims",
    "We need to deport every immigrant",
    "I hope all refugees drown",
    "death to jews",
    "the only good immigrant is a dead immigrant",
    "I hate women",
    "a woman's place is in the home",
    "immigrants are ruining our country",
    "muslims breed like rats",
    "Islam is a cancer",
    "I think women are inferior",
    "the world would be better off without muslims",
    "kill all the jews",
    "Gay people should be locked up",
    "trans people are mentally ill",
    "disabled people are a burden and should be euthanized",
    "Mexicans r animals",
    "black people belong in cages",
    "Homosexuality is a mental illness",
    "we don't want muslims here",
    "Foreigners out!",
    "jews control the media",
    "women should be seen and not heard",
]

BENIGN = [
    # news and reporting
    "Muslims celebrate Eid",
    "Report: attacks on migrants rose",
    "Three refugees were deported last week",
    "refugees will be deported under the new law, the ministry said",
    "Thousands of refugees stay in camps near the border",
    "Black people are more likely to be stopped by police",
    "Muslims are the largest minority in the city",
    "The chinese are investing in Africa",
    # counter-speech and quotes of hate being condemned
    "saying immigrants are vermin is hateful",
    "the MP said immigrants are vermin",
    "the myth that immigrants are criminals",
    "stop saying women are stupid",
    '"muslims are a disease" is what he shouted',
    "It is false that immigrants are criminals",
    "Calling refugees parasites is dehumanizing",
    "Immigrants are criminals, says the party leader in a new video",
    "Deport all migrants - the MP's slogan, according to the leaked memo",
    # negations
    "immigrants are not the problem",
    "Not all muslims are terrorists",
    "refugees should not be deported",
    "Women are not inferior to men",
    "I don't think women are inferior",
    # self-identification
    "as a gay man I love this city",
    "As a Muslim woman I fast during Ramadan",
    # policy debate without dehumanization
    "we should reduce immigration",
    "criminal immigrants should be deported",
    "ban gay marriage? no, protect it",
    # praise, rights, ordinary talk about groups
    "Women deserve equal pay",
    "Gay people deserve respect",
    "women belong in parliament",
    "Immigrants take the jobs nobody else wants",
    "Refugees can go home now that the war is over",
    "Why are women paid less than men?",
    "women are stronger than you think",
    "I hate the chinese government's censorship",
    "Blind people see the world differently",
    "Homosexuality is not a mental illness",
    "The WHO removed homosexuality from its list of mental illnesses",
    "We don't want refugees to suffer",
    "The number of immigrants out of work rose",
    "Women control most household spending decisions, a survey finds",
    "The myth that Jews control the banks is an antisemitic conspiracy theory",
    # idioms
    "the blind leading the blind",
    "men are from Mars, women are from Venus",
]


@pytest.mark.parametrize("text", HATE)
def test_group_hate_blocks(detectors: dict[str, Any], text: str) -> None:
    rules = [f.rule_id for f in blocking(run(detectors["abuse"], text))]
    assert "abuse.group_hate" in rules, text


@pytest.mark.parametrize("text", BENIGN)
def test_benign_group_talk_has_no_group_hate_finding(detectors: dict[str, Any], text: str) -> None:
    assert not [f for f in run(detectors["abuse"], text) if f.rule_id == "abuse.group_hate"], text


def test_evasions_are_undone_before_the_rule() -> None:
    detector = build("abuse", learned=None)
    for text in ("1mm1gr4nts 4r3 v3rm1n", "ｍｕｓｌｉｍｓ ａｒｅ ａ ｄｉｓｅａｓｅ", "women\u200b belong in the kitchen"):
        assert [f.rule_id for f in run(detector, text)] == ["abuse.group_hate"], text


def test_span_and_evidence_point_into_the_original() -> None:
    text = "Honestly? IMMIGRANTS are vermin. Anyway."
    (finding,) = run(build("abuse", learned=None), text)
    assert text[finding.span.start : finding.span.end] == "IMMIGRANTS are vermin"


def test_the_policy_switches_it_off_and_bounds_the_filler() -> None:
    assert not run(build("abuse", learned=None, group_hate=None), "muslims are a disease")
    text = "immigrants are all just really filthy vermin"  # four words between "are" and "vermin"
    assert run(build("abuse", learned=None, group_hate={"max_filler_words": 4, "frame_window_chars": 120}), text)
    assert not run(build("abuse", learned=None, group_hate={"max_filler_words": 1, "frame_window_chars": 120}), text)


def test_the_frame_window_is_the_policy_s() -> None:
    text = "the MP said yesterday, at length and loudly, immigrants are vermin"
    assert not run(build("abuse", learned=None, group_hate={"max_filler_words": 4, "frame_window_chars": 120}), text)
    assert run(build("abuse", learned=None, group_hate={"max_filler_words": 4, "frame_window_chars": 10}), text)


def test_the_writer_s_own_frame_is_still_their_claim() -> None:
    detector = build("abuse", learned=None)
    assert run(detector, "I really believe muslims are parasites")
    assert not run(detector, "People believe muslims are parasites, which is false")


def test_linear_time_on_long_adversarial_input() -> None:
    rules = GroupHateRules(GroupHateSettings(max_filler_words=8, frame_window_chars=400))
    for text in ("muslims are " + "all " * 20_000 + "x", "deport " + "all the " * 10_000 + "!", "women " * 20_000):
        normalized = normalize(text)
        started = time.perf_counter()
        rules.find(normalized.lower_words, normalized.word_forms)
        assert time.perf_counter() - started < 1.0


def test_the_gate_holds_no_common_word() -> None:
    assert GroupHateRules.GATE.isdisjoint({"the", "a", "being", "people", "is", "are", "out"})


def test_text_without_a_group_never_runs_a_pattern() -> None:
    rules = GroupHateRules(GroupHateSettings(max_filler_words=4, frame_window_chars=120))
    normalized = normalize("The quarterly report is attached. Revenue grew in the third quarter.")
    assert rules.find(normalized.lower_words, normalized.word_forms) == []
    assert rules._prefilter is None  # nothing compiled: the word gate stayed shut
