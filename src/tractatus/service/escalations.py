"""The service's view of the human approval queue (tractatus.governance.escalation)."""

from __future__ import annotations

import re
from typing import Any

from tractatus.governance.errors import InputError
from tractatus.service.context import ServiceContext

STATUSES = ("pending", "approved", "denied")
# A positive integer in ASCII digits ("²" is a digit to str.isdigit but not to int()), no leading
# zero, at most 9 digits: the queue's id column is a 32-bit INTEGER on PostgreSQL, so a longer id
# cannot exist. The route declares the same pattern, so the OpenAPI document states it.
ESCALATION_ID = r"^[1-9][0-9]{0,8}$"


def list_escalations(ctx: ServiceContext, status: str = "pending", limit: int = 100) -> list[dict[str, Any]]:
    if status not in STATUSES:
        raise InputError(f"status: expected one of {', '.join(STATUSES)}")
    return [item.to_dict() for item in ctx.escalations.list(status, limit=limit)]


def pending_escalations(ctx: ServiceContext) -> list[dict[str, Any]]:
    return list_escalations(ctx, "pending", limit=50)


def decide_escalation(ctx: ServiceContext, escalation_id: str, outcome: str, reviewer: str, note: str) -> dict[str, Any]:
    if not re.fullmatch(ESCALATION_ID, escalation_id):
        raise InputError(f"invalid escalation id {escalation_id[:40]!r}: expected a positive integer")
    if outcome == "approve":
        return ctx.escalations.approve(escalation_id, reviewer, note).to_dict()
    if outcome == "deny":
        return ctx.escalations.deny(escalation_id, reviewer, note).to_dict()
    raise InputError(f"outcome: expected approve or deny, got {outcome!r}")
