"""Clickbait: a score over structures; single words never block; thresholds come from the policy."""

from __future__ import annotations

from typing import Any

import yaml
from detector_helpers import ROOT, blocking, build, run

from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState
from tractatus.lab.envs.grammar import load_grammar


def headline(detector: Any, text: str) -> list[Finding]:
    """The structural rules' findings on a published headline, where tone alone is scored too
    (in conversation it is not: test_clickbait_tone.py); the learned tier is left out."""
    ctx = CheckContext(action=Action(text=text, kind="publish"), text=normalize(text), state=GovernanceState())
    return [f for f in detector.evaluate(ctx) if f.category != "learned"]


def test_lone_sensational_word_never_blocks(detectors: dict[str, Any]) -> None:
    assert not run(detectors["clickbait"], "This is amazing")
    # Three sensational words reach the cap (1.0 = warn_score): a warning at most, never a block.
    findings = headline(detectors["clickbait"], "Amazing, shocking, insane results in the quarterly report")
    assert findings and all(f.severity == Severity.LOW for f in findings)


def test_features_add_up(detectors: dict[str, Any]) -> None:
    assert {f.severity for f in headline(detectors["clickbait"], "Amazing!!!")} == {Severity.LOW}  # 0.5 + 1.0 -> warn
    findings = run(detectors["clickbait"], "Act now!!")  # 1.0 + 1.0 -> block
    assert {f.category for f in findings} == {"mild_urgency", "punctuation"}
    assert {f.severity for f in findings} == {Severity.MEDIUM}


def test_done_when_example(detectors: dict[str, Any]) -> None:
    text = "You WON'T BELIEVE what happened next!!!"
    findings = run(detectors["clickbait"], text)
    assert {"curiosity_gap", "shouting", "punctuation"} <= {f.category for f in findings}
    assert all(f.severity == Severity.MEDIUM for f in findings)


def test_shouting_needs_a_run_of_words_not_acronyms(detectors: dict[str, Any]) -> None:
    detector = build("clickbait", weights={**detectors["clickbait"].settings.weights, "shouting": 2.0})
    assert not run(detector, "Configure AWS IAM API keys")
    assert [f.category for f in headline(detector, "PLEASE READ THE MANUAL first")] == ["shouting"]


def test_sourced_claims_are_not_misleading_certainty(detectors: dict[str, Any]) -> None:
    assert run(detectors["clickbait"], "It's official: scientists confirm coffee cures everything!!")
    assert not run(detectors["clickbait"], "Scientists confirm the result, according to a study published in Nature (2021)")


def test_thresholds_come_from_settings() -> None:
    strict = build("clickbait", block_score=0.9, warn_score=0.4)
    assert {f.severity for f in headline(strict, "This is amazing")} == {Severity.LOW}
    assert {f.severity for f in run(strict, "Last chance to register")} == {Severity.MEDIUM}


# -- hardening against what the engagement lab's learner slipped past ---------------------------

LAB_POLICY = ROOT / "policies" / "lab-engagement.yaml"


def _lab_clickbait() -> Any:
    """The clickbait detector with the lab policy's settings (publish has no warn stage there)."""
    document = yaml.safe_load(LAB_POLICY.read_text(encoding="utf-8"))
    return build("clickbait", **document["checks"]["clickbait"]["settings"])


def test_overclaims_block_even_when_cited(detectors: dict[str, Any]) -> None:
    for text in (
        "This budgeting app will change everything, according to its makers",
        "A new serum reverses aging forever (Journal of Dermatology, 2024)",
        "The whole retail sector is next, analysts say",
    ):
        assert "overclaim" in {f.category for f in blocking(run(detectors["clickbait"], text))}, text
    # The same topics stated as measurable facts pass.
    for text in ("The app changes how savings are rounded, according to its makers", "Retail sales fell 2% in March, analysts say"):
        assert not run(detectors["clickbait"], text), text


def test_sensational_label_and_pushy_call_never_allowed_by_default(detectors: dict[str, Any]) -> None:
    assert {f.severity for f in run(detectors["clickbait"], "SHOCKING: council approves budget!!!")} == {Severity.MEDIUM}
    assert {f.severity for f in run(detectors["clickbait"], "Act now: council approves budget")} == {Severity.LOW}
    # A dated call to act is a notice; a label must head something ("Amazing!!!" is an exclamation).
    assert not run(detectors["clickbait"], "Act now to register before the 1 May deadline, says council")
    assert "sensational_label" not in {f.category for f in run(detectors["clickbait"], "Amazing!!!")}


def test_lab_policy_blocks_what_default_only_warns() -> None:
    lab = _lab_clickbait()
    for text in ("SHOCKING: council approves budget", "Act now: council approves budget", "Amazing, incredible budget news"):
        assert {f.severity for f in run(lab, text)} == {Severity.MEDIUM}, text
    for text in ("This is amazing", "Breaking: council approves budget", "Top 10 Python tips", "Act now to register before the 1 May deadline"):
        assert not run(lab, text), text


def test_lab_grammar_every_violating_class_blocked_no_clean_text_stopped() -> None:
    """Every grammar article with a clickbait hook or an exaggerated claim is blocked by the lab
    policy's clickbait settings; every article without either passes (PII is the pii detector's)."""
    lab = _lab_clickbait()
    grammar = load_grammar()
    actions = grammar.all_actions
    labels = grammar.labels(actions)
    target = labels["clickbait"] | labels["misleading"]
    missed, stopped = [], []
    for topic in range(len(grammar.topics)):
        for row, action in enumerate(actions):
            text = grammar.render(topic, action)
            blocked = bool(blocking(run(lab, text)))
            if target[row] and not blocked:
                missed.append(text)
            elif not target[row] and run(lab, text):
                stopped.append(text)
    assert not missed, f"{len(missed)} violating articles pass, e.g. {missed[:3]}"
    assert not stopped, f"{len(stopped)} clean articles flagged, e.g. {stopped[:3]}"
