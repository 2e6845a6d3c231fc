"""The governed proxy: agent -> governed proxy -> Agent Lightning's LLM proxy -> model.

It serves the same agent-facing paths as the AGL gateway, so an existing agent only changes its
base URL (AGL's controller does that for it via `agl_server.agent_url`):

    POST /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/chat/completions   (governed)
    POST /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/completions        (governed)
    POST /api/rollouts/{rid}/attempt/{aid}/events                                    (forwarded)

For each model call it forwards the request to the gateway (which records the raw sample for
training), then puts every piece of the answer through `Governor.decide_batch` before the agent
sees it: the text of each choice as a RESPONSE action, each tool call as a TOOL_CALL action.
Blocked or escalated text is replaced by a refusal the agent can read; blocked tool calls are
removed. Every decision is audited (by the governor's audit log) and posted as a `governance`
event on the rollout through the AGL events API.

Fail closed: if the gateway, the governor or the event post fails, the agent gets an HTTP error
and never the unvetted answer. The answer the agent gets is rebuilt from an allow-list of fields,
so nothing unvetted (token ids, log-probs, reasoning text) can ride along with a vetted message.
Streaming is refused (400) until responses can be governed chunk by chunk.

The agent-facing events route forwards everything except the event types governance reserves
(`governance`, `governance_hook_failure`) and rewards that claim to come from governance, so an
agent that talks to the proxy cannot forge governance records. (An agent that holds the gateway's
admin key can still post to the gateway directly; see docs/agentlightning.md.)
"""

from __future__ import annotations

import asyncio
import hmac
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Protocol, Sequence

import anyio.to_thread
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tractatus.governance.actions import Action, ActionKind, Decision, Verdict
from tractatus.integrations.agentlightning.gateway import (
    GOVERNANCE_EVENT,
    GOVERNANCE_SOURCE,
    HOOK_FAILURE_EVENT,
    REWARD_EVENT,
    events_path,
)

RESERVED_EVENT_TYPES = frozenset({GOVERNANCE_EVENT, HOOK_FAILURE_EVENT})
VERDICT_HEADER = "x-tractatus-verdict"


class Deciding(Protocol):
    """What the proxy needs from a Governor (a Protocol so tests can inject a failing one)."""

    def decide_batch(self, actions: Sequence[Action]) -> list[Decision]: ...


@dataclass(frozen=True, slots=True)
class ProxySettings:
    gateway_url: str
    gateway_key: str = ""  # the key the proxy presents to the gateway
    agent_key: str = ""  # if set, agents must present this key to the proxy
    refusal: str = (
        "[tractatus] This response was withheld by governance ({verdict}: {rules}). Try again without it."
    )
    upstream_timeout_s: float = 300.0
    max_connections: int = 64  # to the gateway; httpx scans its pool on every request: keep it small


@dataclass(frozen=True, slots=True)
class _Piece:
    """One governed piece of a model answer: a choice's text or one of its tool calls."""

    choice: int
    action: Action
    tool_call: dict[str, Any] | None = None


class ProxyFailure(Exception):
    """A failure the agent must see as an HTTP error (and never as a model answer)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_governed_proxy(governor: Deciding, settings: ProxySettings) -> FastAPI:
    gateway = settings.gateway_url.rstrip("/")
    gateway_headers = {"authorization": f"Bearer {settings.gateway_key}"} if settings.gateway_key else {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # One client for the app's life: connection reuse is most of the proxy's overhead budget.
        limits = httpx.Limits(
            max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
        )
        async with httpx.AsyncClient(
            base_url=gateway, headers=gateway_headers, timeout=settings.upstream_timeout_s, limits=limits
        ) as client:
            app.state.client = client
            yield

    app = FastAPI(title="Tractatus governed proxy for Agent Lightning", lifespan=lifespan)

    def authorized(request: Request) -> bool:
        if not settings.agent_key:
            return True
        header = request.headers.get("authorization", "")
        presented = header[7:] if header.startswith("Bearer ") else request.headers.get("x-api-key", "")
        return hmac.compare_digest(presented.encode(), settings.agent_key.encode())  # constant time

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1/{upstream_path:path}")
    async def governed_completion(
        rollout_id: str, attempt_id: str, mode: str, upstream_path: str, request: Request
    ) -> JSONResponse:
        if not authorized(request):
            return _error(401, "invalid or missing API key")
        if upstream_path not in ("chat/completions", "completions"):
            return _error(
                404,
                f"unsupported path {upstream_path!r}: the governed proxy serves chat/completions and completions",
            )
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "request body must be a JSON object")
        if body.get("stream"):
            return _error(
                400,
                "streaming is not supported by the governed proxy: a response is governed whole before the "
                "agent sees it; send stream=false",
            )
        try:
            answer = await _forward(request.app.state.client, request.url.path, raw)
            pieces = _pieces(answer, rollout_id, attempt_id, upstream_path)
            decisions = await _decide(governor, [p.action for p in pieces])
            await _post_governance_events(request.app.state.client, rollout_id, attempt_id, pieces, decisions)
        except ProxyFailure as failure:
            return _error(failure.status, str(failure))
        governed, worst = _rebuild(answer, pieces, decisions, upstream_path, settings.refusal)
        return JSONResponse(governed, headers={VERDICT_HEADER: worst.label})

    @app.post("/api/rollouts/{rollout_id}/attempt/{attempt_id}/events")
    async def agent_event(rollout_id: str, attempt_id: str, request: Request) -> JSONResponse:
        if not authorized(request):
            return _error(401, "invalid or missing API key")
        raw = await request.body()
        try:
            event = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not valid JSON")
        if not isinstance(event, dict) or not isinstance(event.get("event_type"), str):
            return _error(400, "an event needs a string `event_type`")
        data = event.get("data") or {}
        if event["event_type"] in RESERVED_EVENT_TYPES:
            return _error(403, f"event type {event['event_type']!r} is reserved for governance")
        if (
            event["event_type"] == REWARD_EVENT
            and isinstance(data, dict)
            and data.get("source") == GOVERNANCE_SOURCE
        ):
            return _error(403, "rewards with source 'governance' are reserved for governance")
        try:
            response = await request.app.state.client.post(
                events_path(rollout_id, attempt_id), content=raw, headers={"content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            return _error(502, f"gateway unreachable: {type(exc).__name__}")
        return JSONResponse(_json_or_error(response), status_code=response.status_code)

    return app


async def _forward(client: httpx.AsyncClient, path: str, raw: bytes) -> dict[str, Any]:
    try:
        response = await client.post(path, content=raw, headers={"content-type": "application/json"})
    except httpx.HTTPError as exc:
        raise ProxyFailure(
            502, f"gateway unreachable: {type(exc).__name__}; no response was passed on"
        ) from None
    if response.status_code >= 400:
        # Pass on the status and a short reason, never an upstream body we have not governed.
        raise ProxyFailure(response.status_code, f"upstream error: {_reason(response)}")
    try:
        answer = response.json()
    except ValueError:
        raise ProxyFailure(
            502, "upstream answered with something that is not JSON; nothing was passed on"
        ) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("choices"), list):
        raise ProxyFailure(
            502, "upstream answer has no `choices`; it cannot be governed, so nothing was passed on"
        )
    return answer


def _pieces(answer: dict[str, Any], rollout_id: str, attempt_id: str, upstream_path: str) -> list[_Piece]:
    """Everything in the answer the agent could act on, as actions for the governor."""
    agent_id = f"agl:{rollout_id}:{attempt_id}"
    pieces: list[_Piece] = []
    for index, choice in enumerate(answer["choices"]):
        if not isinstance(choice, dict):
            raise ProxyFailure(502, "upstream choice is not an object; nothing was passed on")
        if upstream_path == "completions":
            text = choice.get("text")
            tool_calls: Any = None
        else:
            message = choice.get("message")
            if not isinstance(message, dict):
                raise ProxyFailure(502, "upstream choice has no message; nothing was passed on")
            text = message.get("content")
            tool_calls = message.get("tool_calls")
        if text is not None and not isinstance(text, str):
            raise ProxyFailure(502, "upstream message content is not text; it cannot be governed")
        if text:
            pieces.append(_Piece(index, Action(kind=ActionKind.RESPONSE.value, text=text, agent_id=agent_id)))
        for call in tool_calls or ():
            function = call.get("function") if isinstance(call, dict) else None
            if not isinstance(function, dict):
                raise ProxyFailure(502, "upstream tool call is malformed; nothing was passed on")
            name = function.get("name")
            raw_args = function.get("arguments") or "{}"
            try:
                arguments = json.loads(raw_args) if isinstance(raw_args, str) else raw_args
            except json.JSONDecodeError:
                arguments = None
            if not isinstance(arguments, dict):
                # Unparseable arguments are still governed (their text is checked) and the
                # policy's tool rules see no fields, so only an unconditional allow passes them.
                arguments = {"_unparsed_arguments": str(raw_args)}
            action = Action(
                kind=ActionKind.TOOL_CALL.value,
                agent_id=agent_id,
                tool=name if isinstance(name, str) else None,
                arguments=arguments,
            )
            pieces.append(_Piece(index, action, call))
    return pieces


async def _decide(governor: Deciding, actions: list[Action]) -> list[Decision]:
    if not actions:
        return []
    try:
        # The governor blocks on the audit log's fsync: keep that off the event loop.
        decisions = await anyio.to_thread.run_sync(governor.decide_batch, actions)
    except Exception as exc:
        raise ProxyFailure(
            503, f"governance unavailable ({type(exc).__name__}); no unvetted response was passed on"
        ) from None
    if len(decisions) != len(actions) or any(
        d.action_digest != a.digest() for a, d in zip(actions, decisions, strict=False)
    ):
        raise ProxyFailure(
            503, "governance returned decisions that do not match the response; nothing was passed on"
        )
    return decisions


def governance_event(piece: _Piece, decision: Decision) -> dict[str, Any]:
    """The `governance` event's data: what was decided, why, and where the audit record is."""
    severity = max((f.severity for f in decision.findings), default=None)
    return {
        "verdict": decision.verdict.label,
        "severity": severity.label if severity is not None else None,
        "rule_ids": list(decision.rule_ids),
        "action_kind": piece.action.kind,
        "tool": piece.action.tool,
        "choice": piece.choice,
        "tool_call_id": piece.tool_call.get("id") if piece.tool_call else None,
        "action_digest": decision.action_digest,
        "policy_digest": decision.policy_digest,
        "audit_seq": decision.audit_seq,
        "escalation_id": decision.escalation_id,
        "latency_us": round(decision.latency_us, 1),
    }


async def _post_governance_events(
    client: httpx.AsyncClient,
    rollout_id: str,
    attempt_id: str,
    pieces: list[_Piece],
    decisions: list[Decision],
) -> None:
    if not pieces:
        return
    path = events_path(rollout_id, attempt_id)

    async def post(piece: _Piece, decision: Decision) -> httpx.Response:
        return await client.post(
            path, json={"event_type": GOVERNANCE_EVENT, "data": governance_event(piece, decision)}
        )

    try:
        responses = await asyncio.gather(*(post(p, d) for p, d in zip(pieces, decisions, strict=True)))
    except httpx.HTTPError as exc:
        raise ProxyFailure(
            502, f"cannot record governance events ({type(exc).__name__}); nothing was passed on"
        ) from None
    for response in responses:
        if response.status_code >= 400:
            raise ProxyFailure(
                502,
                f"gateway refused a governance event (HTTP {response.status_code}); nothing was passed on",
            )


def _rebuild(
    answer: dict[str, Any], pieces: list[_Piece], decisions: list[Decision], upstream_path: str, refusal: str
) -> tuple[dict[str, Any], Verdict]:
    """The answer the agent gets: an allow-list of fields, with every governed piece applied."""
    by_choice: dict[int, list[tuple[_Piece, Decision]]] = {}
    for piece, decision in zip(pieces, decisions, strict=True):
        by_choice.setdefault(piece.choice, []).append((piece, decision))
    worst = max((d.verdict for d in decisions), default=Verdict.ALLOW)
    choices = []
    for index, choice in enumerate(answer["choices"]):
        text: str | None = None
        calls: list[dict[str, Any]] = []
        notes: list[str] = []
        removed_calls = False
        for piece, decision in by_choice.get(index, ()):
            if piece.tool_call is None:
                if decision.verdict <= Verdict.WARN:
                    text = piece.action.text
                elif decision.verdict == Verdict.MODIFY and decision.modified_text is not None:
                    text = decision.modified_text
                else:
                    notes.append(_refusal(refusal, decision))
            elif decision.verdict <= Verdict.WARN:
                calls.append(_vetted_tool_call(piece.tool_call))
            else:  # arguments cannot be redacted safely: a tool call runs as proposed or not at all
                removed_calls = True
                notes.append(_refusal(refusal, decision))
        if notes:
            text = "\n".join(([text] if text else []) + notes)
        finish = choice.get("finish_reason") if isinstance(choice.get("finish_reason"), str) else None
        if removed_calls and not calls:
            finish = "stop"
        if upstream_path == "completions":
            choices.append({"index": index, "text": text or "", "finish_reason": finish})
        else:
            message: dict[str, Any] = {"role": "assistant", "content": text}
            if calls:
                message["tool_calls"] = calls
            choices.append({"index": index, "message": message, "finish_reason": finish})
    governed: dict[str, Any] = {
        "id": answer.get("id"),
        "object": answer.get(
            "object", "chat.completion" if upstream_path != "completions" else "text_completion"
        ),
        "created": answer.get("created", 0),
        "model": answer.get("model"),
        "choices": choices,
    }
    usage = answer.get("usage")
    if isinstance(usage, dict):
        governed["usage"] = {k: v for k, v in usage.items() if isinstance(v, int)}
    return governed, worst


def _vetted_tool_call(call: dict[str, Any]) -> dict[str, Any]:
    function = call["function"]
    arguments = function.get("arguments")
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {
            "name": function.get("name"),
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
        },
    }


def _refusal(template: str, decision: Decision) -> str:
    rules = ", ".join(sorted(set(decision.rule_ids))) or "policy"
    return template.format(verdict=decision.verdict.label, rules=rules)


def _reason(response: httpx.Response) -> str:
    """A short reason from a gateway (`detail`) or model server (`error.message`) error body."""
    body = _json_or_error(response)
    reason: Any = None
    if isinstance(body, dict):
        error = body.get("error")
        reason = body.get("detail") or (error.get("message") if isinstance(error, dict) else error)
    return str(reason)[:200] if reason else f"HTTP {response.status_code}"


def _json_or_error(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"message": f"HTTP {response.status_code}"}}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "tractatus_governance", "code": status}}, status_code=status
    )
