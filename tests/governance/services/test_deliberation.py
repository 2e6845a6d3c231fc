"""PluralisticDeliberationOrchestrator: records how people settled a values conflict; never ranks."""

from __future__ import annotations

import inspect
import json

import pytest

from tractatus.governance.errors import InputError, NotFoundError
from tractatus.governance.services.deliberation import (
    Deliberation,
    DeliberationStore,
    Outcome,
    PluralisticDeliberationOrchestrator,
    UrgencyTier,
)

QUESTION = "Should the agent optimize content for maximum engagement?"
STAKEHOLDERS = [
    {"name": "readers", "position": "want accurate, useful articles"},
    {"name": "editors", "position": "no clickbait, keep accuracy"},
    {"name": "growth team", "position": "want more engagement"},
]
FRAMEWORKS = ["consequentialism", "deontology", "care ethics"]


class FakeClock:
    """A deterministic clock: each reading advances one second."""

    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture
def orchestrator() -> PluralisticDeliberationOrchestrator:
    return PluralisticDeliberationOrchestrator(DeliberationStore(), clock=FakeClock())


def test_deliberation_records_stakeholders_frameworks_and_urgency_and_stays_open(orchestrator) -> None:
    d = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "important")
    assert d.question == QUESTION
    assert [s.name for s in d.stakeholders] == ["readers", "editors", "growth team"]
    assert d.stakeholders[1].position == "no clickbait, keep accuracy"
    assert d.frameworks == tuple(FRAMEWORKS)  # kept in the order given: no ranking
    assert d.urgency == UrgencyTier.IMPORTANT
    assert d.outcome is None and not d.decided  # only a person decides
    assert orchestrator.store.get(d.id) == d


def test_outcome_with_constraints_and_dissent(orchestrator) -> None:
    d = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, UrgencyTier.IMPORTANT)
    decided = orchestrator.record_outcome(
        d.id,
        "approved_with_constraints",
        dissent=[{"stakeholder": "growth team", "reason": "constraints will cost engagement"}],
        constraints=["no clickbait, keep accuracy"],
        decided_by="editorial board",
    )
    assert decided.outcome == Outcome.APPROVED_WITH_CONSTRAINTS
    assert decided.constraints == ("no clickbait, keep accuracy",)
    assert decided.dissent[0].stakeholder == "growth team"
    assert decided.decided_by == "editorial board" and decided.decided_at > decided.created_at
    assert orchestrator.store.get(d.id).decided


def test_a_decision_is_final(orchestrator) -> None:
    d = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "urgent")
    orchestrator.record_outcome(d.id, Outcome.REJECTED)
    with pytest.raises(InputError, match="already decided"):
        orchestrator.record_outcome(d.id, Outcome.APPROVED)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", STAKEHOLDERS, FRAMEWORKS, "routine"), "question"),
        ((QUESTION, ["readers"], FRAMEWORKS, "routine"), "two stakeholders"),
        ((QUESTION, ["readers", "readers"], FRAMEWORKS, "routine"), "distinct"),
        ((QUESTION, STAKEHOLDERS, [], "routine"), "framework"),
        ((QUESTION, STAKEHOLDERS, FRAMEWORKS, "whenever"), "urgency"),
        ((QUESTION, [42, "x"], FRAMEWORKS, "routine"), "stakeholder"),
    ],
)
def test_bad_deliberations_are_input_errors(orchestrator, args, message: str) -> None:
    with pytest.raises(InputError, match=message):
        orchestrator.deliberate(*args)


def test_bad_outcomes_are_errors(orchestrator) -> None:
    d = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "routine")
    with pytest.raises(NotFoundError):
        orchestrator.record_outcome("dlb-missing", "approved")
    with pytest.raises(InputError, match="unknown outcome"):
        orchestrator.record_outcome(d.id, "maybe")
    with pytest.raises(InputError, match="at least one constraint"):
        orchestrator.record_outcome(d.id, "approved_with_constraints")
    with pytest.raises(InputError, match="approved_with_constraints"):
        orchestrator.record_outcome(d.id, "approved", constraints=["no clickbait"])
    with pytest.raises(InputError, match="not a stakeholder"):
        orchestrator.record_outcome(d.id, "rejected", dissent=[{"stakeholder": "shareholders", "reason": "profit"}])
    assert not orchestrator.store.get(d.id).decided  # nothing half-recorded


def test_precedent_finds_earlier_similar_questions(orchestrator) -> None:
    first = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "important")
    orchestrator.record_outcome(first.id, "approved_with_constraints", constraints=["no clickbait"])
    orchestrator.deliberate("Which office plants should we buy?", ["facilities", "staff"], ["care ethics"], "routine")
    later = orchestrator.deliberate("Optimize newsletter content for engagement?", STAKEHOLDERS, FRAMEWORKS, "important")
    assert [p.deliberation_id for p in later.precedents] == [first.id]
    assert later.precedents[0].outcome == Outcome.APPROVED_WITH_CONSTRAINTS
    assert 0 < later.precedents[0].similarity <= 1


def test_store_round_trips_through_json(orchestrator) -> None:
    d = orchestrator.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "critical", context={"task": "engagement"})
    orchestrator.record_outcome(d.id, "approved_with_constraints", dissent=["too slow"], constraints=["no clickbait"])
    orchestrator.deliberate("Sell user data?", ["users", "sales"], ["rights-based"], "urgent")
    restored = DeliberationStore.from_dict(json.loads(json.dumps(orchestrator.store.to_dict())))
    assert restored.all() == orchestrator.store.all()
    # ids stay unique after a restore
    again = PluralisticDeliberationOrchestrator(restored, clock=FakeClock())
    new = again.deliberate("A third question about engagement", ["a", "b"], ["deontology"], "routine")
    assert new.id not in {x.id for x in orchestrator.store.all()}


def test_corrupt_store_data_is_an_input_error() -> None:
    with pytest.raises(InputError):
        DeliberationStore.from_dict({"version": 1, "deliberations": [{"id": "x"}]})
    with pytest.raises(InputError):
        DeliberationStore.from_dict({"deliberations": []})


def test_ids_and_records_are_reproducible_with_an_injected_clock() -> None:
    runs = []
    for _ in range(2):
        o = PluralisticDeliberationOrchestrator(DeliberationStore(), clock=FakeClock())
        o.deliberate(QUESTION, STAKEHOLDERS, FRAMEWORKS, "important")
        runs.append(o.store.to_dict())
    assert runs[0] == runs[1]


def test_nothing_ranks_values() -> None:
    """No public method or field scores, ranks or picks among values, frameworks or stakeholders."""
    names = {n for cls in (PluralisticDeliberationOrchestrator, Deliberation) for n, _ in inspect.getmembers(cls)}
    forbidden = ("rank", "score", "winner", "best", "weigh", "prefer", "resolve", "decide_outcome", "auto")
    assert not [n for n in names if not n.startswith("_") and any(word in n for word in forbidden)]
