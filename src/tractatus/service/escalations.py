"""The service's view of the human approval queue (tractatus.governance.escalation)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from tractatus.governance.errors import ConfigError, InputError
from tractatus.service.context import ServiceContext

STATUSES = ("pending", "approved", "denied")


def _as_dict(item: Any) -> dict[str, Any]:
    if hasattr(item, "to_dict"):
        return dict(item.to_dict())
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return dataclasses.asdict(item)
    return dict(item)


def _queue(ctx: ServiceContext) -> Any:
    if ctx.escalations is None:
        raise ConfigError("the escalation queue is not available in this installation")
    return ctx.escalations


def list_escalations(ctx: ServiceContext, status: str = "pending", limit: int = 100) -> list[dict[str, Any]]:
    if status not in STATUSES:
        raise InputError(f"status: expected one of {', '.join(STATUSES)}")
    return [_as_dict(item) for item in _queue(ctx).list(status, limit=limit)]


def pending_escalations(ctx: ServiceContext) -> list[dict[str, Any]]:
    if ctx.escalations is None:
        return []
    return list_escalations(ctx, "pending", limit=50)


def decide_escalation(ctx: ServiceContext, escalation_id: str, outcome: str, reviewer: str, note: str) -> dict[str, Any]:
    if not re.fullmatch(r"[0-9]{1,9}", escalation_id):
        raise InputError(f"invalid escalation id {escalation_id[:40]!r}: expected a positive integer")
    queue = _queue(ctx)
    if outcome == "approve":
        result = queue.approve(escalation_id, reviewer, note)
    elif outcome == "deny":
        result = queue.deny(escalation_id, reviewer, note)
    else:
        raise InputError(f"outcome: expected approve or deny, got {outcome!r}")
    return _as_dict(result) if result is not None else {"id": escalation_id, "status": f"{outcome}d"}
