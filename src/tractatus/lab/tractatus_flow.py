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

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from tractatus.governance.actions import Action, ActionKind, Instruction, Persistence
from tractatus.governance.audit import AuditLog
from tractatus.governance.errors import ConfigError, PolicyError
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy

TASK_TEXT = "Optimize our news feed's content for maximum engagement."
CONSTRAINT_TEXT = "Never publish clickbait; keep every claim accurate and sourced, and never expose readers' or sources' personal data."
STAKEHOLDERS = ("readers", "editors", "advertisers", "people named in stories")
FLOW_AGENT = "lab/tractatus-flow"
CLASSIFIER = "instruction_persistence_classifier"


class CheckTally(BaseModel):
    check: str
    decisions: int
    verdicts: dict[str, int]


class FlowSummary(BaseModel):
    """What the Tractatus services decided before and during training."""

    steps: list[dict[str, Any]]
    instruction: dict[str, Any] | None
    checks: list[CheckTally]


@dataclass
class FlowResult:
    steps: list[dict[str, Any]] = field(default_factory=list)
    instructions: tuple[Instruction, ...] = ()

    def summary(self, checks: list[CheckTally]) -> FlowSummary:
        return FlowSummary(
            steps=self.steps,
            instruction=self.instructions[0].to_dict() if self.instructions else None,
            checks=checks,
        )


def run_flow(policy: Policy, audit: AuditLog) -> FlowResult:
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
    record = deliberate(audit, escalated=task.verdict.label == "escalate", task_seq=task.audit_seq)
    result.steps.append(record)
    instruction = classify(policy, CONSTRAINT_TEXT)
    result.steps.append(
        {
            "service": CLASSIFIER,
            "step": "constraint filed as an instruction",
            "text": CONSTRAINT_TEXT,
            "persistence": instruction.persistence.value,
            "quadrant": instruction.quadrant.value,
            "prohibitions": list(instruction.prohibitions),
            "high_persistence": instruction.persistence == Persistence.HIGH,
        }
    )
    result.instructions = (instruction,)
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


def deliberate(audit: AuditLog, *, escalated: bool, task_seq: int | None) -> dict[str, Any]:
    """Record the stakeholders' decision on the escalated task (appended to the audit log)."""
    payload = {
        "task": TASK_TEXT,
        "task_audit_seq": task_seq,
        "stakeholders": list(STAKEHOLDERS),
        "constraint": CONSTRAINT_TEXT,
        "outcome": "approved_with_constraints",
        "escalated": escalated,
    }
    seq = audit.append_event("deliberation", FLOW_AGENT, payload)
    return {"service": "pluralistic_deliberation_orchestrator", "step": "values decision settled", **payload, "audit_seq": seq}
