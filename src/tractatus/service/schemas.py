"""JSON bodies of the governance API. Unknown fields are refused (422): typos never pass silently."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tractatus.governance.errors import InputError
from tractatus.governance.wire import NOT_BLANK_PATTERN, ActionIn


def reject_nul(value: Any, where: str = "body") -> None:
    """NUL cannot be stored in PostgreSQL text and has no place in governed text: refuse it (400)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InputError(f"{where}: contains a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            reject_nul(key, where)
            reject_nul(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            reject_nul(item, f"{where}[{index}]")


class _In(BaseModel):
    # strict: a JSON `true` is not the number 1, and "1" is not a number; the schema says so too.
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="after")
    def _no_nul(self) -> _In:
        for name, value in self:
            if isinstance(value, str) and "\x00" in value:
                raise ValueError(f"{name} contains a NUL character")
        return self


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
    reviewer: str = Field(min_length=1, max_length=200, pattern=NOT_BLANK_PATTERN)  # the queue strips it
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


class ErrorOut(BaseModel):
    """Every error response: one line in `detail` (service/errors.py), never FastAPI's list of errors."""

    detail: str


# The statuses the API answers besides success (service/errors.py), documented on every route so
# that the OpenAPI document describes every response (issue 12, item 3). 422 replaces FastAPI's
# default HTTPValidationError schema, whose `detail` is a list: ours is a string.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Bad input: invalid value, duplicate JSON key, NaN, NUL, too deep"},
    401: {"model": ErrorOut, "description": "Missing or wrong API key"},
    404: {"model": ErrorOut, "description": "No such resource"},
    409: {"model": ErrorOut, "description": "Conflicts with stored state (e.g. the audit chain does not verify)"},
    413: {"model": ErrorOut, "description": "Body over the size limit"},
    415: {"model": ErrorOut, "description": "Body is not application/json"},
    422: {"model": ErrorOut, "description": "Request does not fit the schema (unknown field, wrong type, not JSON)"},
    503: {"model": ErrorOut, "description": "Cannot audit or decide right now: fail closed, try later"},
}


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    policy: str
    policy_digest: str
    audit_head_seq: int


class ClassifyIn(_In):
    text: str = Field(min_length=1, max_length=20000)
    source: str = Field(default="user", min_length=1, max_length=64)
    store: bool = Field(default=False, description="Add the instruction to the governor's history, so later decisions are checked against it.")


class ValidateIn(_In):
    action: ActionIn
    instructions: list[str] | None = Field(
        default=None, max_length=200,
        description="Instruction texts to check against (classified first); omitted: the stored history.",
    )


class EnforceIn(_In):
    # As /classify: 65,536 characters could never arrive inside a 64 KiB body (413 first).
    text: str = Field(min_length=1, max_length=20000)


class PressureIn(_In):
    """Session metrics; any may be omitted (a missing metric is not pressure)."""

    tokens_used: float | None = Field(default=None, ge=0, le=1e12)
    token_budget: float | None = Field(default=None, gt=0, le=1e12)  # a budget of 0 has no usage ratio (400)
    messages: float | None = Field(default=None, ge=0, le=1e9)
    task_complexity: float | None = Field(default=None, ge=0, le=1)
    errors_recent: float | None = Field(default=None, ge=0, le=1e9)
    instructions_active: float | None = Field(default=None, ge=0, le=1e9)


class VerifyIn(_In):
    action: ActionIn
    reasoning: str = Field(max_length=20000)
    alternatives: list[str] = Field(default_factory=list, max_length=50)
