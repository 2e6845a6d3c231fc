"""The governed proxy: agent -> governed proxy -> Agent Lightning's LLM proxy -> model.

It serves the same agent-facing paths as the AGL gateway, so an existing agent only changes its
base URL (AGL's controller does that for it via `agl_server.agent_url`):

    POST /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/chat/completions   (governed)
    POST /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/completions        (governed)
    GET  /proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1/models             (passed through)
    GET  /v1/models                                                                  (passed through)
    POST /api/rollouts/{rid}/attempt/{aid}/events                                    (forwarded)

For each model call it has AGL forward the request (AGL records the raw sample for training),
then puts every piece of the answer through `Governor.decide_batch` before the agent sees it: the
text of each choice as a RESPONSE action, each tool call as a TOOL_CALL action. Withheld text or
tool calls come back the way OpenAI signals its own filter (`finish_reason: "content_filter"`,
the reason and rule ids in `message.refusal`; see answers.py). Every decision is audited by the
governor's audit log and becomes a `governance` event on the rollout.

`stream=True` works: AGL's LLM proxy does not stream, so the proxy asks for the whole answer,
governs it, and streams what may go out. The proxy policy (policies/proxy/agentlightning.yaml)
says how: `sentence` decides each sentence and releases them in order until one is withheld,
then ends the stream with `content_filter`; `whole` decides the answer as one piece, as a
non-streamed call does.

Where AGL runs decides how the proxy reaches it:

* `InProcessGateway` (the stack's default, and `tractatus al up`): the proxy is served on the AGL
  gateway's own event loop in the same process and calls AGL's forwarding (`forward_request`) and
  event store (`record_event`) directly. No extra HTTP hop, and the governance events are in AGL's
  store before the agent gets its answer.
* `RemoteGateway` (`ProxySettings.gateway_url`, for an `agl-server` you run yourself): requests
  go over a shared keep-alive connection pool, and governance events through the durable outbox
  (outbox.py), never a synchronous POST per call.

Fail closed: if the gateway, the model or the governor fails, the agent gets an HTTP error and
never the unvetted answer. The agent-facing events route forwards everything except the event
types governance reserves (`governance`, `governance_hook_failure`) and rewards that claim to come
from governance, so an agent that talks to the proxy cannot forge governance records. (An agent
that holds the gateway's admin key can still post to the gateway directly; see
docs/agentlightning.md.)
"""

from __future__ import annotations

import hmac
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Protocol, Sequence

import anyio.to_thread
import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from tractatus.governance.actions import Action, ActionKind, Decision
from tractatus.integrations.agentlightning.answers import Piece, govern_answer, split_sentences
from tractatus.integrations.agentlightning.gateway import (
    GOVERNANCE_EVENT,
    GOVERNANCE_SOURCE,
    HOOK_FAILURE_EVENT,
    REWARD_EVENT,
    events_path,
)
from tractatus.integrations.agentlightning.outbox import EventOutbox
from tractatus.integrations.agentlightning.proxy_policy import ProxyPolicy

RESERVED_EVENT_TYPES = frozenset({GOVERNANCE_EVENT, HOOK_FAILURE_EVENT})
VERDICT_HEADER = "x-tractatus-verdict"
OPENAI_PATHS = ("chat/completions", "completions")
MODES = ("train", "val")


class Deciding(Protocol):
    """What the proxy needs from a Governor (a Protocol so tests can inject a failing one)."""

    def decide_batch(self, actions: Sequence[Action]) -> list[Decision]: ...


@dataclass(frozen=True, slots=True)
class ProxySettings:
    gateway_url: str = ""  # a remote AGL gateway; unused when the proxy is given the gateway app
    gateway_key: str = ""  # the key the proxy presents to the gateway
    agent_key: str = ""  # if set, agents must present this key to the proxy
    policy: ProxyPolicy = field(default_factory=ProxyPolicy)  # refusal text, stream release
    upstream_timeout_s: float = 300.0
    max_connections: int = 64  # to the gateway; httpx scans its pool on every request: keep it small
    models_url: str = ""  # remote gateway only: the model server whose /models the proxy passes on
    flush_timeout_s: float = 10.0  # remote gateway only: how long an agent event waits for the outbox


class ProxyFailure(Exception):
    """A failure the agent must see as an HTTP error (and never as a model answer)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Upstream(Protocol):
    """The AGL gateway as the proxy sees it."""

    async def complete(
        self, rollout_id: str, attempt_id: str, mode: str, upstream_path: str, body: dict[str, Any]
    ) -> dict[str, Any]: ...

    async def record(self, rollout_id: str, attempt_id: str, events: list[dict[str, Any]]) -> None: ...

    async def post_agent_event(self, rollout_id: str, attempt_id: str, raw: bytes) -> Response: ...

    async def models(self) -> Response: ...


def create_governed_proxy(
    governor: Deciding, settings: ProxySettings, *, gateway_app: FastAPI | None = None
) -> FastAPI:
    """The proxy app. With `gateway_app` (an AGL gateway app served on the same event loop, as
    `ServingLoop` does in the stack) it calls AGL in-process; otherwise AGL at `settings.gateway_url`."""
    if gateway_app is None and not settings.gateway_url:
        raise ValueError("the governed proxy needs gateway_url or gateway_app")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if gateway_app is not None:
            app.state.upstream = InProcessGateway(gateway_app)
            yield
            return
        async with RemoteGateway(settings) as remote:
            app.state.upstream = remote
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

    @app.get("/v1/models")
    @app.get("/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1/models")
    async def models(request: Request) -> Response:
        if not authorized(request):
            return _error(401, "invalid or missing API key")
        try:
            return await request.app.state.upstream.models()
        except ProxyFailure as failure:
            return _error(failure.status, str(failure))

    @app.post("/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1/{upstream_path:path}")
    async def governed_completion(
        rollout_id: str, attempt_id: str, mode: str, upstream_path: str, request: Request
    ) -> Response:
        if not authorized(request):
            return _error(401, "invalid or missing API key")
        if upstream_path not in OPENAI_PATHS:
            return _error(
                404,
                f"unsupported path {upstream_path!r}: the governed proxy serves chat/completions and completions",
            )
        if mode not in MODES:
            return _error(404, f"unsupported proxy mode {mode!r}: use train or val")
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict):
            return _error(400, "request body must be a JSON object")
        stream = bool(body.pop("stream", False))
        stream_options = body.pop("stream_options", None)
        by_sentence = stream and settings.policy.stream_release == "sentence"
        upstream: Upstream = request.app.state.upstream
        try:
            answer = await upstream.complete(rollout_id, attempt_id, mode, upstream_path, body)
            pieces = _pieces(answer, rollout_id, attempt_id, upstream_path, by_sentence=by_sentence)
            decisions = await _decide(governor, [p.action for p in pieces])
            await upstream.record(
                rollout_id, attempt_id, [_event(p, d) for p, d in zip(pieces, decisions, strict=True)]
            )
        except ProxyFailure as failure:
            return _error(failure.status, str(failure))
        governed = govern_answer(
            answer,
            pieces,
            decisions,
            legacy_completion=upstream_path == "completions",
            refusal=settings.policy.refusal,
        )
        headers = {VERDICT_HEADER: governed.verdict.label}
        if stream:
            include_usage = isinstance(stream_options, dict) and bool(stream_options.get("include_usage"))
            return StreamingResponse(
                governed.sse_events(include_usage=include_usage),
                media_type="text/event-stream",
                headers=headers,
            )
        return JSONResponse(governed.to_json(), headers=headers)

    @app.post("/api/rollouts/{rollout_id}/attempt/{attempt_id}/events")
    async def agent_event(rollout_id: str, attempt_id: str, request: Request) -> Response:
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
            return await request.app.state.upstream.post_agent_event(rollout_id, attempt_id, raw)
        except ProxyFailure as failure:
            return _error(failure.status, str(failure))

    return app


# -- the two ways to reach AGL ------------------------------------------------------------------


class InProcessGateway:
    """The AGL gateway app served on this event loop: forwarding and events without HTTP.

    AGL 1.0.2 has no public API for "forward this model call and record its sample" or "append an
    event"; its route handlers use `ProxyRouter`, `forward_request` and `record_event`, and so does
    this shim (docs/agentlightning.md names them; tests/integrations pin them to the installed
    version). The gateway's store is plain dicts owned by its event loop, so this must run on that
    loop: `ServingLoop` serves both apps on one loop.
    """

    def __init__(self, gateway_app: FastAPI) -> None:
        self.gateway_app = gateway_app

    def _state(self) -> tuple[Any, Any, Any]:
        state = self.gateway_app.state
        try:
            return state.proxy_router, state.http_client, state.proxy_pause_state
        except AttributeError:
            raise ProxyFailure(503, "the AGL gateway is not running; no response was passed on") from None

    async def complete(
        self, rollout_id: str, attempt_id: str, mode: str, upstream_path: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        from agentlightning.server.proxy import NoServersError, forward_request
        from agentlightning.server.store import _rollouts
        from fastapi import HTTPException

        if rollout_id not in _rollouts:
            raise ProxyFailure(404, f"Rollout not found: {rollout_id}")
        router, client, pause_state = self._state()
        try:
            server = router.select_server(router.model_name, rollout_id)
        except NoServersError:
            raise ProxyFailure(503, f"no model server registered for {router.model_name!r}") from None
        try:
            response = await forward_request(
                client=client,
                server=server,
                body=router.prepare_body(body, mode),
                upstream_path=upstream_path,
                rollout_id=rollout_id,
                attempt_id=attempt_id,
                pause_state=pause_state,
            )
        except HTTPException as exc:
            raise ProxyFailure(exc.status_code, f"upstream error: {exc.detail}") from None
        except (httpx.HTTPError, ValueError) as exc:  # ValueError: a model answer that is not JSON
            raise ProxyFailure(
                502, f"upstream failed ({type(exc).__name__}); nothing was passed on"
            ) from None
        return _answer_from(response.status_code, response.body)

    async def record(self, rollout_id: str, attempt_id: str, events: list[dict[str, Any]]) -> None:
        from agentlightning.server.routes.events import record_event
        from fastapi import HTTPException

        try:
            for event in events:
                record_event(rollout_id, attempt_id, event["event_type"], event["data"])
        except HTTPException:
            raise ProxyFailure(
                502, "cannot record governance events (rollout gone); nothing was passed on"
            ) from None

    async def post_agent_event(self, rollout_id: str, attempt_id: str, raw: bytes) -> Response:
        from agentlightning.schemas import EventCreate
        from agentlightning.server.routes.events import record_event
        from fastapi import HTTPException
        from pydantic import ValidationError

        try:
            event = EventCreate.model_validate_json(raw)
        except ValidationError as exc:
            return _error(422, f"invalid event: {exc.errors()[0]['msg']}")
        try:
            stored = record_event(rollout_id, attempt_id, event.event_type, event.data)
        except HTTPException as exc:
            return _error(exc.status_code, str(exc.detail))
        return JSONResponse(stored.model_dump(mode="json"))

    async def models(self) -> Response:
        router, client, _ = self._state()
        from agentlightning.server.store import _models

        servers = _models.get(router.model_name, {})
        if not servers:
            raise ProxyFailure(503, f"no model server registered for {router.model_name!r}")
        endpoint = servers[sorted(servers)[0]].endpoint.rstrip("/")
        return await _pass_models(client, f"{endpoint}/models")


class RemoteGateway:
    """An AGL gateway in another process: one keep-alive pool, governance events via the outbox."""

    def __init__(self, settings: ProxySettings) -> None:
        self.settings = settings
        headers = {"authorization": f"Bearer {settings.gateway_key}"} if settings.gateway_key else {}
        limits = httpx.Limits(
            max_connections=settings.max_connections, max_keepalive_connections=settings.max_connections
        )
        # One client for the app's life: connection reuse is most of the proxy's overhead budget.
        self.client = httpx.AsyncClient(
            base_url=settings.gateway_url.rstrip("/"),
            headers=headers,
            timeout=settings.upstream_timeout_s,
            limits=limits,
        )
        self.outbox = EventOutbox(self._deliver)

    async def __aenter__(self) -> RemoteGateway:
        self.outbox.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.outbox.aclose(timeout=self.settings.flush_timeout_s)
        await self.client.aclose()

    async def _deliver(self, rollout_id: str, attempt_id: str, event: dict[str, Any]) -> None:
        response = await self.client.post(events_path(rollout_id, attempt_id), json=event)
        if response.status_code >= 400:
            raise ProxyFailure(502, f"gateway refused a governance event (HTTP {response.status_code})")

    async def complete(
        self, rollout_id: str, attempt_id: str, mode: str, upstream_path: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        path = f"/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1/{upstream_path}"
        try:
            response = await self.client.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ProxyFailure(
                502, f"gateway unreachable: {type(exc).__name__}; no response was passed on"
            ) from None
        return _answer_from(response.status_code, response.content)

    async def record(self, rollout_id: str, attempt_id: str, events: list[dict[str, Any]]) -> None:
        self.outbox.put(rollout_id, attempt_id, events)

    async def post_agent_event(self, rollout_id: str, attempt_id: str, raw: bytes) -> Response:
        try:
            # What the agent did after seeing an answer must not land in AGL before the decision on it.
            await self.outbox.flush(rollout_id, timeout=self.settings.flush_timeout_s)
        except TimeoutError:
            return _error(503, "governance events for this rollout are not delivered yet; retry the event")
        try:
            response = await self.client.post(
                events_path(rollout_id, attempt_id), content=raw, headers={"content-type": "application/json"}
            )
        except httpx.HTTPError as exc:
            return _error(502, f"gateway unreachable: {type(exc).__name__}")
        return JSONResponse(_json_or_error(response), status_code=response.status_code)

    async def models(self) -> Response:
        if not self.settings.models_url:
            raise ProxyFailure(
                404, "the AGL gateway has no models route; set ProxySettings.models_url to pass one through"
            )
        return await _pass_models(self.client, f"{self.settings.models_url.rstrip('/')}/models")


# -- governance of one answer -------------------------------------------------------------------


def _answer_from(status: int, body: bytes) -> dict[str, Any]:
    """The upstream's answer, if it is one that can be governed; else the failure the agent sees."""
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    if status >= 400:
        # Pass on the status and a short reason, never an upstream body we have not governed.
        raise ProxyFailure(status, f"upstream error: {_reason_of(answer, status)}")
    if not isinstance(answer, dict) or not isinstance(answer.get("choices"), list):
        raise ProxyFailure(
            502, "upstream answer has no `choices`; it cannot be governed, so nothing was passed on"
        )
    return answer


def _pieces(
    answer: dict[str, Any], rollout_id: str, attempt_id: str, upstream_path: str, *, by_sentence: bool = False
) -> list[Piece]:
    """Everything in the answer the agent could act on, as actions for the governor."""
    agent_id = f"agl:{rollout_id}:{attempt_id}"
    pieces: list[Piece] = []
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
        if text and by_sentence:
            for number, sentence in enumerate(split_sentences(text)):
                action = Action(kind=ActionKind.RESPONSE.value, text=sentence.strip(), agent_id=agent_id)
                pieces.append(Piece(index, action, sentence=number, released_text=sentence))
        elif text:
            pieces.append(Piece(index, Action(kind=ActionKind.RESPONSE.value, text=text, agent_id=agent_id)))
        for call in tool_calls or ():
            pieces.append(Piece(index, _tool_action(call, agent_id), call))
    return pieces


def _tool_action(call: Any, agent_id: str) -> Action:
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
        # Unparseable arguments are still governed (their text is checked) and the policy's
        # tool rules see no fields, so only an unconditional allow passes them.
        arguments = {"_unparsed_arguments": str(raw_args)}
    return Action(
        kind=ActionKind.TOOL_CALL.value,
        agent_id=agent_id,
        tool=name if isinstance(name, str) else None,
        arguments=arguments,
    )


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


def governance_event(piece: Piece, decision: Decision) -> dict[str, Any]:
    """The `governance` event's data: what was decided, why, and where the audit record is."""
    severity = max((f.severity for f in decision.findings), default=None)
    return {
        "verdict": decision.verdict.label,
        "severity": severity.label if severity is not None else None,
        "rule_ids": list(decision.rule_ids),
        "action_kind": piece.action.kind,
        "tool": piece.action.tool,
        "choice": piece.choice,
        "sentence": piece.sentence,
        "tool_call_id": piece.tool_call.get("id") if piece.tool_call else None,
        "action_digest": decision.action_digest,
        "policy_digest": decision.policy_digest,
        "audit_seq": decision.audit_seq,
        "escalation_id": decision.escalation_id,
        "latency_us": round(decision.latency_us, 1),
    }


def _event(piece: Piece, decision: Decision) -> dict[str, Any]:
    return {"event_type": GOVERNANCE_EVENT, "data": governance_event(piece, decision)}


# -- small helpers ------------------------------------------------------------------------------


async def _pass_models(client: httpx.AsyncClient, url: str) -> Response:
    try:
        response = await client.get(url)
    except httpx.HTTPError as exc:
        raise ProxyFailure(502, f"model server unreachable: {type(exc).__name__}") from None
    body = _json_or_error(response)
    if response.status_code >= 400 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ProxyFailure(502, f"model server did not list its models (HTTP {response.status_code})")
    return JSONResponse({"object": "list", "data": body["data"]})


def _reason_of(body: Any, status: int) -> str:
    """A short reason from a gateway (`detail`) or model server (`error.message`) error body."""
    reason: Any = None
    if isinstance(body, dict):
        error = body.get("error")
        reason = body.get("detail") or (error.get("message") if isinstance(error, dict) else error)
    return str(reason)[:200] if reason else f"HTTP {status}"


def _json_or_error(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {"error": {"message": f"HTTP {response.status_code}"}}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": "tractatus_governance", "code": status}}, status_code=status
    )
