"""The governance API under /api/v1: JSON in, JSON out, bearer key, OpenAPI schema.

Each route is a thin adapter: validate the body (pydantic, extra=forbid), call the governance
object that owns the behaviour, return its `to_dict()`. Errors are raised as TractatusError and
turned into status codes in one place (errors.py).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from tractatus.governance.actions import Action
from tractatus.governance.errors import InputError, NotFoundError
from tractatus.governance.strict_json import NO_NUL_PATTERN
from tractatus.governance.wire import ActionIn
from tractatus.service.context import ServiceContext
from tractatus.service.deps import get_ctx, require_api_key, require_json
from tractatus.service.escalations import ESCALATION_ID, decide_escalation, list_escalations
from tractatus.service.models import Rollout
from tractatus.service.schemas import (
    ERROR_RESPONSES,
    AuditEntryOut,
    ClassifyIn,
    DecisionOut,
    EnforceIn,
    PressureIn,
    ReviewIn,
    RolloutOut,
    ValidateIn,
    VerifyIn,
    VerifyOut,
    reject_nul,
)
from tractatus.service.strict_body import StrictJSONRoute

router = APIRouter(
    route_class=StrictJSONRoute, prefix="/api/v1", dependencies=[Depends(require_api_key)], tags=["governance"],
    responses=ERROR_RESPONSES,
)
json_body = [Depends(require_json)]
MAX_INT32 = 2**31 - 1
NO_NUL = NO_NUL_PATTERN  # PostgreSQL text cannot hold NUL


def policy_kinds(ctx: ServiceContext) -> frozenset[str]:
    """Action kinds the policy governs. Any other kind would pass unchecked: refused at the edge."""
    kinds = {kind for check in ctx.policy.document.checks.values() for kind in check.kinds}
    kinds.update(kind for rule in ctx.policy.document.rules for kind in rule.kinds)
    kinds.add("tool_call")
    return frozenset(kinds)


def governed_action(ctx: ServiceContext, body: ActionIn) -> Action:
    reject_nul(body.model_dump(), "action")
    kinds = policy_kinds(ctx)
    if body.kind not in kinds:
        raise InputError(f"kind: {body.kind!r} is not governed by policy {ctx.policy.name!r} (known: {', '.join(sorted(kinds))})")
    return body.to_action()


@router.post("/decide", response_model=DecisionOut, dependencies=json_body, summary="Govern one action")
async def decide(body: ActionIn, request: Request) -> dict[str, Any]:
    ctx = get_ctx(request)
    action = governed_action(ctx, body)

    def run() -> dict[str, Any]:
        decision = ctx.pipeline.decide("api", action)
        ctx.pipeline.record_api_decision(decision)
        return decision.to_dict()

    return await run_in_threadpool(run)


@router.post("/classify", dependencies=json_body, summary="InstructionPersistenceClassifier: classify an instruction")
def classify(body: ClassifyIn, request: Request) -> dict[str, Any]:
    ctx = get_ctx(request)
    reject_nul(body.model_dump(), "body")
    instruction = ctx.services.classifier.classify(body.text, source=body.source)
    out = instruction.to_dict()
    if body.store:
        ctx.governor.state.add_instruction(instruction)
        out["audit_seq"] = ctx.audit.append_event(
            "instruction_stored", "api", {"instruction_id": instruction.id, "persistence": instruction.persistence.value}
        )
    return out


@router.post("/validate", dependencies=json_body, summary="CrossReferenceValidator: check an action against instructions")
def validate(body: ValidateIn, request: Request) -> dict[str, Any]:
    ctx = get_ctx(request)
    action = governed_action(ctx, body.action)
    if body.instructions is None:
        instructions = ctx.governor.state.instructions
    else:
        reject_nul(body.instructions, "instructions")
        instructions = tuple(ctx.services.classifier.classify(text) for text in body.instructions)
    return ctx.services.validator.validate(action, instructions).to_dict()


@router.post("/enforce", dependencies=json_body, summary="BoundaryEnforcer: values decisions and content boundaries")
def enforce(body: EnforceIn, request: Request) -> dict[str, Any]:
    reject_nul(body.text, "text")
    findings = get_ctx(request).services.enforcer.enforce(body.text)
    return {"crosses_boundary": bool(findings), "findings": [f.to_dict() for f in findings]}


@router.post("/pressure", dependencies=json_body, summary="ContextPressureMonitor: pressure level of a session")
def pressure(body: PressureIn, request: Request) -> dict[str, Any]:
    metrics = body.model_dump(exclude_none=True)
    return get_ctx(request).services.pressure.analyze(metrics).to_dict()


@router.post("/verify", dependencies=json_body, summary="MetacognitiveVerifier: confidence in an action and its reasoning")
def verify(body: VerifyIn, request: Request) -> dict[str, Any]:
    ctx = get_ctx(request)
    action = governed_action(ctx, body.action)
    reject_nul(body.model_dump(), "body")
    return ctx.services.verifier.verify(action, body.reasoning, alternatives=tuple(body.alternatives)).to_dict()


@router.get("/audit/verify", response_model=VerifyOut, summary="Walk the audit hash chain")
def audit_verify(request: Request) -> dict[str, Any]:
    return get_ctx(request).audit.verify().to_dict()


@router.get("/audit", response_model=list[AuditEntryOut], summary="Query audit entries, newest first")
def audit_query(
    request: Request,
    agent: str | None = Query(default=None, max_length=256, pattern=NO_NUL),
    verdict: str | None = Query(default=None, pattern="^(allow|warn|modify|escalate|block)$"),
    rule_id: str | None = Query(default=None, max_length=200, pattern=r"^[^,\x00]+$"),
    kind: str | None = Query(default=None, max_length=64, pattern=NO_NUL),
    since: float | None = Query(default=None, ge=0, le=1e11),
    until: float | None = Query(default=None, ge=0, le=1e11),
    before_seq: int | None = Query(default=None, ge=1, le=2**62),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    entries = get_ctx(request).audit.query(
        agent=agent, verdict=verdict, rule_id=rule_id, kind=kind, since=since, until=until, before_seq=before_seq, limit=limit
    )
    return [e.to_dict() for e in entries]


@router.get("/escalations", summary="List escalations by status")
def escalations(
    request: Request,
    status: str = Query(default="pending", pattern="^(pending|approved|denied)$"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return list_escalations(get_ctx(request), status, limit)


@router.post("/escalations/{escalation_id}/approve", dependencies=json_body, summary="Approve an escalated action")
async def approve(body: ReviewIn, request: Request, escalation_id: str = Path(pattern=ESCALATION_ID)) -> dict[str, Any]:
    return await run_in_threadpool(decide_escalation, get_ctx(request), escalation_id, "approve", body.reviewer, body.note)



@router.post("/escalations/{escalation_id}/deny", dependencies=json_body, summary="Deny an escalated action")
async def deny(body: ReviewIn, request: Request, escalation_id: str = Path(pattern=ESCALATION_ID)) -> dict[str, Any]:
    return await run_in_threadpool(decide_escalation, get_ctx(request), escalation_id, "deny", body.reviewer, body.note)



@router.get("/drift/alerts", summary="Drift alerts raised since start, newest last")
def drift_alerts(request: Request, limit: int = Query(default=100, ge=1, le=1000)) -> dict[str, Any]:
    ctx = get_ctx(request)
    return {"alerts": [a.to_dict() for a in ctx.drift.alerts[-limit:]], "held_agents": ctx.governor.state.held_agents}


@router.post("/drift/agents/{agent_id}/clear", summary="A person clears an agent held by a drift alert")
def drift_clear(request: Request, agent_id: str = Path(max_length=256, pattern=NO_NUL)) -> dict[str, Any]:
    ctx = get_ctx(request)
    if not ctx.drift.clear(agent_id):
        # No such hold: 404 like an unknown escalation id (a well-formed request about nothing).
        raise NotFoundError(f"agent {agent_id!r} is not held by a drift alert")
    seq = ctx.audit.append_event("drift_cleared", agent_id, {"cleared_by": "api"})
    return {"agent_id": agent_id, "cleared": True, "audit_seq": seq}


@router.get("/rollouts", response_model=list[RolloutOut], summary="Response rollouts (prompt, strategy, response, reward)")
def rollouts(
    request: Request,
    after_id: int = Query(default=0, ge=0, le=MAX_INT32),
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    with get_ctx(request).sessions() as session:
        rows = session.query(Rollout).filter(Rollout.id > after_id).order_by(Rollout.id).limit(limit).all()
        return [r.to_dict() for r in rows]


@router.get("/rollouts.jsonl", summary="Every rollout as JSON lines, for replay through Agent Lightning",
            response_class=Response, responses={200: {"content": {"application/x-ndjson": {}}}})
def rollouts_jsonl(request: Request) -> Response:
    with get_ctx(request).sessions() as session:
        lines = [json.dumps(r.to_dict(), sort_keys=True) for r in session.query(Rollout).order_by(Rollout.id).yield_per(1000)]
    return Response("\n".join(lines) + ("\n" if lines else ""), media_type="application/x-ndjson")


@router.get("/dashboard", summary="The dashboard's numbers as JSON")
def dashboard_json(request: Request) -> dict[str, Any]:
    from tractatus.service.dashboard_data import collect

    ctx = get_ctx(request)
    with ctx.sessions() as session:
        return collect(session, ctx.bandit.stats()).to_dict()
