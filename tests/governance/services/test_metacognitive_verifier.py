"""MetacognitiveVerifier: reasoning that supports its action proceeds; thin or risky reasoning does not."""

from __future__ import annotations

import pytest
from conftest import policy_settings

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.checks import CheckContext
from tractatus.governance.errors import InputError
from tractatus.governance.normalize import normalize
from tractatus.governance.services.metacognitive_verifier import (
    MetacognitiveSettings,
    MetacognitiveVerifier,
    VerifierDecision,
)
from tractatus.governance.state import GovernanceState

SEARCH = Action(kind="tool_call", tool="search", arguments={"query": "quarterly revenue report 2024"})
DROP = Action(kind="tool_call", tool="db.query", arguments={"database": "production", "sql": "DROP TABLE customers"})
GOOD_SEARCH_REASONING = (
    "The user asked for the 2024 quarterly revenue report, so I search for it first because the figures must come from "
    "the published report; then I will check the totals against the summary before answering."
)


def check(verifier: MetacognitiveVerifier, action: Action, context: dict) -> list:
    from dataclasses import replace

    action = replace(action, context=context)
    return list(verifier.evaluate(CheckContext(action=action, text=normalize(action.text), state=GovernanceState())))


def test_well_reasoned_safe_action_proceeds(verifier: MetacognitiveVerifier) -> None:
    result = verifier.verify(SEARCH, GOOD_SEARCH_REASONING, alternatives=["ask finance directly", "use last year's figures"])
    assert result.decision == VerifierDecision.PROCEED, result
    assert result.scores["safety"] == 1.0 and result.scores["alignment"] == 1.0
    assert not result.destructive


def test_destructive_action_with_thin_reasoning_goes_to_review(verifier: MetacognitiveVerifier) -> None:
    result = verifier.verify(DROP, "cleanup")
    assert result.destructive
    assert result.decision >= VerifierDecision.REQUIRE_REVIEW
    assert any("safeguard" in c for c in result.concerns)


def test_destructive_action_with_safeguards_scores_safer(verifier: MetacognitiveVerifier) -> None:
    bare = verifier.verify(DROP, "We drop the customers table in production because it is a duplicate of the archive table " * 2)
    careful = verifier.verify(
        DROP,
        "We drop the customers table in production because it duplicates customers_v2; a backup and a snapshot were taken, "
        "a dry run on staging first showed no references, and rollback is a restore from the snapshot.",
    )
    assert careful.scores["safety"] > bare.scores["safety"]
    assert careful.confidence > bare.confidence


def test_unrelated_reasoning_lowers_alignment(verifier: MetacognitiveVerifier) -> None:
    related = verifier.verify(SEARCH, GOOD_SEARCH_REASONING)
    unrelated = verifier.verify(SEARCH, "The weather is nice today and lunch was good, so everything is fine with the plan we made.")
    assert unrelated.scores["alignment"] < related.scores["alignment"]
    assert unrelated.confidence < related.confidence


def test_hedging_lowers_coherence(verifier: MetacognitiveVerifier) -> None:
    firm = verifier.verify(SEARCH, GOOD_SEARCH_REASONING)
    hedged = verifier.verify(SEARCH, "Maybe search the revenue report, I guess, probably fine, not sure")
    assert hedged.scores["coherence"] < firm.scores["coherence"]


def test_alternatives_considered_raise_the_alternatives_score(verifier: MetacognitiveVerifier) -> None:
    none = verifier.verify(SEARCH, GOOD_SEARCH_REASONING)
    two = verifier.verify(SEARCH, GOOD_SEARCH_REASONING, alternatives=["ask finance", "use the dashboard"])
    assert none.scores["alternatives"] == 0.0 and two.scores["alternatives"] == 1.0


def test_confidence_maps_monotonically_to_decisions(verifier: MetacognitiveVerifier) -> None:
    t = policy_settings(MetacognitiveVerifier).thresholds
    points = [1.0, t.proceed, t.proceed_with_caution, t.request_confirmation, t.require_review, 0.0]
    decisions = [verifier._decision(p) for p in points]
    assert decisions == sorted(decisions)
    assert decisions[0] == VerifierDecision.PROCEED and decisions[-1] == VerifierDecision.BLOCK


def test_as_a_check_it_acts_only_when_reasoning_is_supplied(verifier: MetacognitiveVerifier) -> None:
    assert check(verifier, DROP, {}) == []  # no reasoning: nothing to verify
    assert check(verifier, DROP, {"reasoning": "   "}) == []
    # thin but on-topic reasoning for a destructive action: a person reviews it
    (review,) = check(verifier, DROP, {"reasoning": "drop the duplicate customers table"})
    assert review.verdict == Verdict.ESCALATE and review.rule_id == "metacognitive.require_review"
    # one unrelated word for DROP TABLE in production: confidence is below review, blocked
    (blocked,) = check(verifier, DROP, {"reasoning": "cleanup"})
    assert blocked.verdict == Verdict.BLOCK
    assert check(verifier, SEARCH, {"reasoning": GOOD_SEARCH_REASONING, "alternatives": ["ask finance", "use the dashboard"]}) == []


def test_bad_inputs_are_input_errors(verifier: MetacognitiveVerifier) -> None:
    with pytest.raises(InputError):
        check(verifier, SEARCH, {"reasoning": "because", "alternatives": "not a list"})
    with pytest.raises(InputError):
        verifier.verify(SEARCH, 42)  # type: ignore[arg-type]


def test_settings_are_validated() -> None:
    good = policy_settings(MetacognitiveVerifier).model_dump()
    with pytest.raises(ValueError, match="decrease"):
        MetacognitiveSettings.model_validate({**good, "thresholds": {"proceed": 0.5, "proceed_with_caution": 0.6, "request_confirmation": 0.4, "require_review": 0.2}})
    with pytest.raises(ValueError, match="sum to 1"):
        MetacognitiveSettings.model_validate({**good, "weights": {**good["weights"], "safety": 0.9}})
