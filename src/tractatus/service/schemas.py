"""JSON bodies of the governance API. Unknown fields are refused (422): typos never pass silently."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FindingOut(BaseModel):
    # Finding.to_dict names the source by its kind: "detector", "service", or "source" for rules/engine.
    detector: str | None = None
    service: str | None = None
    source: str | None = None
    source_kind: str
    category: str
    severity: str
    rule_id: str
    message: str
    span: dict[str, int] | None = None
    evidence: str | None = None
    verdict: str | None = None


class DecisionOut(BaseModel):
    verdict: Literal["allow", "warn", "modify", "escalate", "block"]
    findings: list[FindingOut]
    policy_digest: str
    action_digest: str
    latency_us: float
    modified_text: str | None = None
    audit_seq: int | None = None
    escalation_id: int | str | None = None


class ReviewIn(_In):
    reviewer: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class VerifyOut(BaseModel):
    ok: bool
    entries_checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None
    seconds: float = 0.0


class AuditEntryOut(BaseModel):
    seq: int
    time: float
    agent_id: str
    kind: str
    action_digest: str | None = None
    verdict: str | None = None
    rule_ids: list[str]
    findings: list[dict[str, Any]]
    payload: dict[str, Any]
    policy_digest: str | None = None
    prev_hash: str
    hash: str


class RolloutOut(BaseModel):
    id: int
    submission_id: str
    created_at: float
    prompt: str
    strategy: str
    response: str
    blocked: bool
    reward: float | None = None


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    policy: str
    policy_digest: str
    audit_head_seq: int
