"""BoundaryEnforcer: values decisions and unbacked claims escalate; mentions and ordinary text pass."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import load_cases
from tractatus.governance.actions import Action, Verdict
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.services.boundary_enforcer import BoundaryEnforcer, BoundaryEnforcerSettings
from tractatus.governance.state import GovernanceState

CASES = load_cases("boundary_cases.yaml")
ESCALATE = [(c["text"], c["category"]) for c in CASES["escalate"]]
ALLOW = CASES["allow"]
EVASIONS = [(c["text"], c["category"]) for c in CASES["evasions"]]


@pytest.mark.parametrize(("text", "category"), ESCALATE, ids=[t[:40] for t, _ in ESCALATE])
def test_escalates_values_decisions_and_unbacked_claims(enforcer: BoundaryEnforcer, text: str, category: str) -> None:
    findings = enforcer.enforce(text)
    assert category in {f.category for f in findings}, f"missed {category}: {text!r}"
    assert all(f.verdict == Verdict.ESCALATE for f in findings)


@pytest.mark.parametrize("text", ALLOW, ids=[t[:40] for t in ALLOW])
def test_benign_text_passes(enforcer: BoundaryEnforcer, text: str) -> None:
    findings = enforcer.enforce(text)
    assert findings == (), f"false positive on {text!r}: {[f.rule_id for f in findings]}"


@pytest.mark.parametrize(("text", "category"), EVASIONS, ids=[t[:40] for t, _ in EVASIONS])
def test_evasions_are_seen_through(enforcer: BoundaryEnforcer, text: str, category: str) -> None:
    findings = [f for f in enforcer.enforce(text) if f.category == category]
    assert findings, f"evasion got through: {text!r}"
    span = findings[0].span
    assert span is not None and 0 <= span.start < span.end <= len(text)


def test_precision_and_recall_over_the_case_file(enforcer: BoundaryEnforcer) -> None:
    true_pos = sum(1 for text, cat in ESCALATE if cat in {f.category for f in enforcer.enforce(text)})
    false_pos = sum(1 for text in ALLOW if enforcer.enforce(text))
    assert len(ESCALATE) >= 30 and len(ALLOW) >= 50
    assert true_pos / len(ESCALATE) == 1.0
    assert false_pos == 0


def test_finding_span_points_at_the_claim_in_the_original_text(enforcer: BoundaryEnforcer) -> None:
    text = "Welcome! Our product guarantees 100% safety for every family."
    (finding,) = enforcer.enforce(text)
    assert finding.span is not None
    assert "guarantees 100% safety" in text[finding.span.start : finding.span.end]
    assert finding.source == "boundary_enforcer" and finding.rule_id == "boundary.absolute_assurance"


def test_as_a_check_it_reads_the_normalized_text(enforcer: BoundaryEnforcer) -> None:
    action = Action(kind="task", text="Optimize content for maximum engagement")
    found = enforcer.evaluate(CheckContext(action=action, text=normalize(action.text), state=GovernanceState()))
    assert [f.category for f in found] == ["values_decision"]
    assert found[0].verdict == Verdict.ESCALATE


def test_rules_can_be_switched_off_by_the_policy() -> None:
    only_values = BoundaryEnforcer(
        BoundaryEnforcerSettings(rules=("values_decision",), values_max_gap_words=4, negation_window_chars=60)
    )
    assert only_values.enforce("87% of users prefer the new design.") == ()
    assert only_values.enforce("Optimize content for maximum engagement") != ()


def test_gap_setting_bounds_the_distance_between_verb_and_values_object() -> None:
    text = "Optimize the whole of the new landing page content for engagement"
    tight = BoundaryEnforcer(BoundaryEnforcerSettings(rules=("values_decision",), values_max_gap_words=2, negation_window_chars=60))
    loose = BoundaryEnforcer(BoundaryEnforcerSettings(rules=("values_decision",), values_max_gap_words=10, negation_window_chars=60))
    assert tight.enforce(text) == ()
    assert loose.enforce(text) != ()


def test_settings_have_no_code_defaults() -> None:
    with pytest.raises(ValueError):
        BoundaryEnforcerSettings()  # type: ignore[call-arg]


_CASE_TEXTS = [c["text"] if isinstance(c, dict) else c for section in CASES.values() for c in section]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_CASE_TEXTS) | st.sampled_from([" ", ". ", "\n", "3pm", "47%", "n0t", "guarantee"]), max_size=4))
def test_a_view_the_hit_gate_closes_has_no_finding_in_any_rule(enforcer: BoundaryEnforcer, parts: list[str]) -> None:
    """The enforcer skips a view its one-scan gate closes: there, every rule must find nothing
    (the case file's texts, alone and joined, so that the gate both opens and closes)."""
    from tractatus.governance.services.patterns import present_words

    gate = enforcer._hit_gate()
    assert gate is not None and gate.compiled() is not False
    ntext = normalize(" ".join(parts))
    present = present_words(ntext)
    for view in (ntext.text.lower(), ntext.words.lower()):
        if not gate.may_match(view):
            for rule in enforcer.settings.rules:
                assert enforcer._RULES[rule](enforcer, view, present) == []


def test_the_hit_gate_opens_for_every_escalated_case(enforcer: BoundaryEnforcer) -> None:
    gate = enforcer._hit_gate()
    assert gate is not None
    for text, _ in ESCALATE:
        assert gate.may_match(normalize(text).text.lower()), text
