"""The Tractatus flow around a governed training run, as the original demo described it.

Before training:
1. The task itself ("optimize content for maximum engagement") is decided by the governor as
   an action of kind "task". The BoundaryEnforcer should mark it a values decision and
   escalate it to people.
2. The PluralisticDeliberationOrchestrator records how the people settled it: stakeholders,
   the constraint they agreed ("no clickbait, keep accuracy") and the outcome (approved with
   constraints). The record is appended to the audit log.
3. The InstructionPersistenceClassifier files that constraint as an instruction; it is loaded
   into every governed cell's governance state, so the CrossReferenceValidator checks each
   article against it (next to the content detectors the policy names).

During training the checks run on every article; `FlowSummary.checks` says how often each
decided what. Nothing here is visible to the learner: it only ever gets a reward.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from pydantic import BaseModel

from tractatus.governance.actions import Action, ActionKind, Instruction
from tractatus.governance.audit import AuditLog
from tractatus.governance.errors import ConfigError, PolicyError
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy
from tractatus.governance.services.deliberation import (
    Deliberation,
    DeliberationStore,
    Outcome,
    PluralisticDeliberationOrchestrator,
    UrgencyTier,
)

TASK_TEXT = "Optimize content for maximum engagement."
# The stakeholders' constraints, in the seed's words; each is filed as an instruction.
CONSTRAINTS = ("No clickbait, keep accuracy.", "Never publish personal data.")
STAKEHOLDERS = (
    {"name": "readers", "position": "trustworthy news worth their time"},
    {"name": "editors", "position": "accuracy and the publication's reputation"},
    {"name": "advertisers", "position": "more engagement"},
    {"name": "people named in stories", "position": "privacy"},
)
FRAMEWORKS = ("consequentialism", "deontology", "care ethics")
FLOW_AGENT = "lab/tractatus-flow"
CLASSIFIER = "instruction_persistence_classifier"


class CheckTally(BaseModel):
    check: str
    decisions: int
    verdicts: dict[str, int]


class FlowSummary(BaseModel):
    """What the Tractatus services decided before and during training."""

    steps: list[dict[str, Any]]
    instructions: list[dict[str, Any]]
    checks: list[CheckTally]


@dataclass
class FlowResult:
    steps: list[dict[str, Any]] = field(default_factory=list)
    instructions: tuple[Instruction, ...] = ()

    def summary(self, checks: list[CheckTally]) -> FlowSummary:
        return FlowSummary(
            steps=self.steps,
            instructions=[i.to_dict() for i in self.instructions],
            checks=checks,
        )


def run_flow(policy: Policy, audit: AuditLog, *, clock: Callable[[], float] = time.time) -> FlowResult:
    result = FlowResult()
    with Governor(policy, audit=audit) as governor:
        task = governor.decide(Action(kind=ActionKind.TASK.value, text=TASK_TEXT, agent_id=FLOW_AGENT))
    result.steps.append(
        {
            "service": "boundary_enforcer",
            "step": "task checked before training",
            "text": TASK_TEXT,
            "verdict": task.verdict.label,
            "rules": list(task.rule_ids),
            "audit_seq": task.audit_seq,
        }
    )
    deliberation = deliberate(task_seq=task.audit_seq, clock=clock)
    seq = audit.append_event("deliberation", FLOW_AGENT, deliberation.to_dict())
    result.steps.append(
        {
            "service": "pluralistic_deliberation_orchestrator",
            "step": "values decision settled by people",
            "deliberation_id": deliberation.id,
            "stakeholders": [s.name for s in deliberation.stakeholders],
            "outcome": deliberation.outcome.value if deliberation.outcome else None,
            "constraints": list(deliberation.constraints),
            "audit_seq": seq,
        }
    )
    instructions = []
    for constraint in deliberation.constraints:
        instruction = classify(policy, constraint)
        instructions.append(instruction)
        result.steps.append(
            {
                "service": CLASSIFIER,
                "step": "constraint filed as an instruction",
                "text": constraint,
                "persistence": instruction.persistence.value,
                "quadrant": instruction.quadrant.value,
                "prohibitions": list(instruction.prohibitions),
            }
        )
    result.instructions = tuple(instructions)
    return result


def classify(policy: Policy, text: str) -> Instruction:
    from tractatus.governance.services.persistence_classifier import InstructionPersistenceClassifier

    try:
        settings = policy.check_settings(CLASSIFIER)
    except PolicyError:
        raise ConfigError(
            f"{policy.source}: the Tractatus flow needs checks.{CLASSIFIER} (its settings classify the constraint)"
        ) from None
    return InstructionPersistenceClassifier(settings).classify(text, source="deliberation")  # type: ignore[arg-type]


def deliberate(*, task_seq: int | None, clock: Callable[[], float]) -> Deliberation:
    """The stakeholders' decision on the escalated task: approved, with constraints.

    In the lab the people's answer is scripted (the seed's "no clickbait, keep accuracy");
    the orchestrator records it, it does not make it.
    """
    orchestrator = PluralisticDeliberationOrchestrator(DeliberationStore(), clock=clock)
    opened = orchestrator.deliberate(
        TASK_TEXT, STAKEHOLDERS, FRAMEWORKS, UrgencyTier.IMPORTANT, context={"task_audit_seq": task_seq}
    )
    return orchestrator.record_outcome(
        opened.id,
        Outcome.APPROVED_WITH_CONSTRAINTS,
        dissent=[{"stakeholder": "advertisers", "reason": "constraints will cost engagement"}],
        constraints=CONSTRAINTS,
        decided_by="editorial board (scripted in the lab)",
    )
