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
from tractatus.governance.checks import default_registry
from tractatus.governance.governor import Governor
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
    assert any(f.source == "cross_reference_validator" for f in decision.findings)


@pytest.mark.xfail(
    strict=True,
    reason="needs the Governor to hand its detectors to checks with bind_checks(); until then a "
    "detector-backed prohibition is unverifiable and fails closed (escalate)",
)
def test_plain_headlines_pass_the_governor_once_the_constraint_is_filed(governor, classifier) -> None:
    file_constraint(governor, classifier)
    assert governor.evaluate(Action(kind="publish", text=PLAIN)).verdict == Verdict.ALLOW
