"""Abuse: a person must be the target; VADER gates mild insults and catches paraphrases."""

from __future__ import annotations

from typing import Any

from detector_helpers import blocking, build, run

from tractatus.governance.actions import Severity


def test_product_anger_is_not_abuse_but_the_same_words_at_a_person_are(detectors: dict[str, Any]) -> None:
    rules = build("abuse", learned=None)
    assert not run(rules, "this update is garbage and your support is useless")
    assert [f.rule_id for f in run(rules, "you are garbage")] == ["abuse.insult"]
    # The learned tier may flag the profanity-like words, but only ever as a warning.
    assert not blocking(run(detectors["abuse"], "this update is garbage and your support is useless"))
    assert blocking(run(detectors["abuse"], "you are garbage"))


def test_mild_insult_depends_on_sentence_sentiment() -> None:
    strict = build("abuse", mild_insult_max_compound=-0.3, learned=None)
    assert [f.rule_id for f in run(strict, "you are useless")] == ["abuse.mild_insult"]
    assert not run(strict, "haha you are useless at darts but I love you, great game!")
    # The threshold lives in the policy: moving it changes the outcome.
    lenient = build("abuse", mild_insult_max_compound=-0.9, learned=None)
    assert not run(lenient, "you are useless")


def test_very_negative_insults_escalate_one_severity() -> None:
    detector = build("abuse", escalate_compound=-0.5, learned=None)
    (finding,) = run(detector, "you stupid moron")
    assert finding.severity == Severity.HIGH
    calm = build("abuse", escalate_compound=-0.99, learned=None)
    (finding,) = run(calm, "you stupid moron")
    assert finding.severity == Severity.MEDIUM


def test_directed_negativity_catches_paraphrases_only_when_very_negative() -> None:
    text = "honestly you remain without a doubt the most pathetic and disgusting creature"
    assert [f.rule_id for f in run(build("abuse", directed_negativity_compound=-0.5, learned=None), text)] == ["abuse.directed_negativity"]
    assert not run(build("abuse", directed_negativity_compound=-0.99, learned=None), text)


def test_threat_span_and_evidence_are_in_the_original(detectors: dict[str, Any]) -> None:
    text = "ok. I w1ll h\u200burt y0u. bye"
    # The learned tier may warn beside the rule (a threat reads as abusive to the models too).
    (finding,) = [f for f in run(detectors["abuse"], text) if f.rule_id != "abuse.learned"]
    assert finding.rule_id == "abuse.threat"
    assert text[finding.span.start : finding.span.end] == "I w1ll h\u200burt y0u"


def test_ordinary_text_skips_vader_entirely(detectors: dict[str, Any], monkeypatch: Any) -> None:
    detector = build("abuse")
    calls = []
    monkeypatch.setattr(detector._vader, "polarity_scores", lambda text: calls.append(text) or {"compound": 0.0})
    assert not run(detector, "The quarterly report is attached. Revenue grew in the third quarter.")
    assert calls == []
