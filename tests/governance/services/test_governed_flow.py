"""The whole Tractatus flow the lab's governed run uses, on the real governor and default policy.

1. The task "optimize content for maximum engagement" is escalated by the BoundaryEnforcer.
2. A deliberation records the stakeholders' constraint "no clickbait, keep accuracy" and the
   approval with constraints.
3. The classifier files that constraint as a HIGH-persistence instruction.
4. Its prohibition then drives the CrossReferenceValidator: clickbait is rejected, plain
   headlines pass.
"""

from __future__ import annotations

import pytest

from conftest import default_policy, policy_settings
from tractatus.governance.actions import Action, Persistence, Verdict
from tractatus.governance.governor import Governor
from tractatus.governance.policy import bundled_policy_path, parse_policy
from tractatus.governance.registry import default_registry
from tractatus.governance.services.cross_reference import CrossReferenceValidator, ValidationStatus
from tractatus.governance.services.deliberation import DeliberationStore, PluralisticDeliberationOrchestrator
from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier

BAIT = "You WON'T BELIEVE what this one weird trick does to your sleep!!!"
PLAIN = "New study links regular sleep schedules to better memory"


@pytest.fixture
def governor():
    g = Governor(default_policy())
    yield g
    g.close()


def file_constraint(governor: Governor, classifier: InstructionPersistenceClassifier) -> None:
    task = Action(kind="task", text="Optimize content for maximum engagement")
    decision = governor.evaluate(task)
    assert decision.verdict == Verdict.ESCALATE
    assert "boundary.values.engagement" in decision.rule_ids

    deliberations = PluralisticDeliberationOrchestrator(DeliberationStore(), clock=lambda: 0.0)
    d = deliberations.deliberate(
        task.text,
        [{"name": "readers", "position": "accurate headlines"}, {"name": "editors", "position": "no clickbait, keep accuracy"}],
        ["consequentialism", "virtue ethics"],
        "important",
    )
    d = deliberations.record_outcome(d.id, "approved_with_constraints", constraints=["no clickbait, keep accuracy"], decided_by="editors")

    for constraint in d.constraints:
        instruction = classifier.classify(constraint, source="deliberation")
        assert instruction.persistence == Persistence.HIGH and instruction.prohibitions == ("clickbait",)
        governor.state.add_instruction(instruction)


def test_constraint_drives_cross_reference_with_the_policy_detector(governor, classifier) -> None:
    file_constraint(governor, classifier)
    detector = default_registry()["clickbait"](default_policy().check_settings("clickbait"))
    validator = CrossReferenceValidator(policy_settings(CrossReferenceValidator), detectors={"clickbait": detector})
    instructions = governor.state.instructions
    assert validator.validate(Action(kind="publish", text=BAIT), instructions).status == ValidationStatus.REJECTED
    assert validator.validate(Action(kind="publish", text=PLAIN), instructions).status == ValidationStatus.APPROVED


def test_clickbait_is_never_allowed_once_the_constraint_is_filed(governor, classifier) -> None:
    file_constraint(governor, classifier)
    decision = governor.evaluate(Action(kind="publish", text=BAIT))
    assert decision.verdict == Verdict.BLOCK
    violations = [f for f in decision.findings if f.source == "cross_reference_validator"]
    assert [f.category for f in violations] == ["prohibition_violation"]  # judged by the bound detector
    assert violations[0].verdict == Verdict.BLOCK


def test_plain_headlines_pass_the_governor_once_the_constraint_is_filed(governor, classifier) -> None:
    """The governor hands the validator its own clickbait detector (bind_checks), so "no
    clickbait" is judged on the headline, not failed closed as unverifiable."""
    file_constraint(governor, classifier)
    decision = governor.evaluate(Action(kind="publish", text=PLAIN))
    assert decision.verdict == Verdict.ALLOW, decision.findings


def test_without_the_detector_the_prohibition_fails_closed(classifier) -> None:
    """A policy that switches the clickbait detector off cannot verify "no clickbait": escalate."""
    source = bundled_policy_path("default").read_text(encoding="utf-8")
    without = source.replace("\n  clickbait:\n", "\n  clickbait:\n    enabled: false\n", 1)
    assert without != source
    governor = Governor(parse_policy(without, source="default without clickbait"))
    try:
        file_constraint(governor, classifier)
        decision = governor.evaluate(Action(kind="publish", text=PLAIN))
        assert decision.verdict == Verdict.ESCALATE
        assert "cross_reference.prohibition_unverifiable" in decision.rule_ids
    finally:
        governor.close()
