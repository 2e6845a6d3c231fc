"""Drive rollouts through the real Agent Lightning gateway's HTTP API, with agents run in-process.

This does what AGL's controller and rollout manager do, over the same HTTP API:
enqueue rollouts -> mark them RUNNING -> run the agent with AGL's contract (OpenAI base URL and
event URL of its rollout) -> post the environment's task reward -> mark SUCCEEDED or FAILED ->
run the rollout hooks (`on_succeeded` with the attempt's events, `on_failed`) and flush the
events they queue -> read back the last `reward` event, which is what AGL trains on.

The one difference is that agents run as coroutines in this process rather than one subprocess
per rollout: AGL's local runner spends ~0.3 s of interpreter start-up per rollout, which caps it
at a few rollouts per second on 2 cores, while the gateway itself handles far more.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import anyio.to_thread
import httpx

from tractatus.integrations.agentlightning.agent import (
    AgentEndpoints,
    AgentError,
    AgentOutcome,
    write_article,
)
from tractatus.integrations.agentlightning.gateway import (
    GOVERNANCE_EVENT,
    HOOK_FAILURE_EVENT,
    REWARD_EVENT,
    GatewayClient,
    events_path,
    proxy_path,
)
from tractatus.integrations.agentlightning.hooks import GovernanceHooks

ATTEMPT_ID = "0"  # AGL's DEFAULT_ATTEMPT_ID: one attempt per rollout
ENV_REWARD_SOURCE = "environment"


@dataclass(frozen=True, slots=True)
class RolloutResult:
    rollout_id: str
    final_reward: float | None  # the last `reward` event: what AGL trains on
    succeeded: bool  # False if the agent or a governance hook failed the rollout
    decisions: int  # governance events on the attempt
    audited: int  # governance events that carry an audit sequence number
    blocked: int  # governance decisions that did not let the action execute
    error: str | None = None
    # (audit seq, first 64 bits of the action digest) of the decision on the model's text answer
    response_audit: tuple[int, int] | None = None


@dataclass
class QueuedEvents:
    """AGL's TraceWriter protocol: hooks queue events, the runner posts them after the hook."""

    events: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)

    def add_event(self, rollout_id: str, attempt_id: str, event_type: str, data: dict[str, Any]) -> None:
        self.events.append((rollout_id, attempt_id, event_type, data))


class GatewayRunner:
    def __init__(
        self,
        gateway: GatewayClient,
        *,
        agent_base_url: str,
        agent_key: str = "",
        hooks: GovernanceHooks | None = None,
        concurrency: int = 16,
        mode: str = "train",
    ) -> None:
        self.gateway = gateway
        self.agent_base_url = agent_base_url.rstrip("/")
        self.agent_key = agent_key
        self.hooks = hooks
        self.mode = mode
        self._slots = asyncio.Semaphore(concurrency)
        self._http = httpx.AsyncClient(
            timeout=300.0,
            limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency),
        )

    def endpoints(self, rollout_id: str) -> AgentEndpoints:
        """What AGL's controller puts in the agent's environment for this rollout."""
        return AgentEndpoints(
            openai_base_url=f"{self.agent_base_url}{proxy_path(rollout_id, ATTEMPT_ID, self.mode)}",
            event_url=f"{self.agent_base_url}{events_path(rollout_id, ATTEMPT_ID)}",
            key=self.agent_key,
        )

    async def run_agents(
        self, tasks: Sequence[tuple[str, Mapping[str, Any]]]
    ) -> list[AgentOutcome | AgentError]:
        """Enqueue one rollout per (rollout id, input), start them, and run their agents concurrently."""
        await self.gateway.enqueue(
            {"rollout_id": rid, "input": dict(task), "is_train": self.mode == "train"} for rid, task in tasks
        )

        async def one(rid: str, task: Mapping[str, Any]) -> AgentOutcome | AgentError:
            async with self._slots:
                await self.gateway.set_state(rid, "running", attempt_id=ATTEMPT_ID)
                try:
                    return await write_article(self._http, self.endpoints(rid), task)
                except AgentError as error:
                    return error

        return list(await asyncio.gather(*(one(rid, task) for rid, task in tasks)))

    async def finish_all(
        self, rollouts: Sequence[tuple[str, float | None, str | None]]
    ) -> list[RolloutResult]:
        """`finish` for many rollouts, at most `concurrency` at a time."""

        async def one(rollout_id: str, task_reward: float | None, error: str | None) -> RolloutResult:
            async with self._slots:
                return await self.finish(rollout_id, task_reward, error)

        return list(await asyncio.gather(*(one(*r) for r in rollouts)))

    async def finish(
        self, rollout_id: str, task_reward: float | None, error: str | None = None
    ) -> RolloutResult:
        """Post the task reward, end the rollout, run the hooks, and read back its training reward."""
        from agentlightning.schemas import Event, Rollout

        if error is not None:
            rollout = await self.gateway.set_state(rollout_id, "failed", error=error[:500])
            queued = QueuedEvents()
            if self.hooks is not None:
                queued = await anyio.to_thread.run_sync(self._on_failed, Rollout.model_validate(rollout))
                await self._flush(queued)
            return _result(rollout_id, await self.gateway.events(rollout_id), failed=error)
        if task_reward is not None:
            await self.gateway.post_event(
                rollout_id,
                ATTEMPT_ID,
                REWARD_EVENT,
                {"value": float(task_reward), "source": ENV_REWARD_SOURCE},
            )
        rollout = await self.gateway.set_state(rollout_id, "succeeded", attempt_id=ATTEMPT_ID)
        if self.hooks is None:
            # Nothing judges an ungoverned rollout: AGL trains on the task reward just posted.
            return _result(
                rollout_id,
                []
                if task_reward is None
                else [{"event_type": REWARD_EVENT, "data": {"value": float(task_reward)}}],
            )
        events = await self.gateway.events(rollout_id)
        by_attempt: dict[str, list[Any]] = {}
        for item in events:
            event = Event.model_validate(item)
            by_attempt.setdefault(event.attempt_id, []).append(event)
        queued = await anyio.to_thread.run_sync(
            self._on_succeeded, Rollout.model_validate(rollout), by_attempt
        )
        await self._flush(queued)
        # What was just posted, in order: the gateway's list now ends with these events.
        events = [*events, *({"event_type": t, "data": d} for _, _, t, d in queued.events)]
        return _result(rollout_id, events)

    def _on_succeeded(self, rollout: Any, events: dict[str, list[Any]]) -> QueuedEvents:
        queued = QueuedEvents()
        assert self.hooks is not None
        self.hooks.on_succeeded(rollout, events, queued)
        return queued

    def _on_failed(self, rollout: Any) -> QueuedEvents:
        queued = QueuedEvents()
        assert self.hooks is not None
        self.hooks.on_failed(rollout, queued)
        return queued

    async def _flush(self, queued: QueuedEvents) -> None:
        for rollout_id, attempt_id, event_type, data in queued.events:
            await self.gateway.post_event(rollout_id, attempt_id, event_type, data)

    async def aclose(self) -> None:
        await self._http.aclose()


def _result(rollout_id: str, events: list[dict[str, Any]], failed: str | None = None) -> RolloutResult:
    governance = [e["data"] for e in events if e["event_type"] == GOVERNANCE_EVENT]
    rewards = [e["data"].get("value") for e in events if e["event_type"] == REWARD_EVENT]
    hook_failed = any(e["event_type"] == HOOK_FAILURE_EVENT for e in events)
    final = rewards[-1] if rewards and isinstance(rewards[-1], (int, float)) else None
    response = next(
        (g for g in governance if g.get("action_kind") == "response" and g.get("audit_seq") is not None), None
    )
    return RolloutResult(
        rollout_id=rollout_id,
        final_reward=final,
        succeeded=failed is None and not hook_failed,
        decisions=len(governance),
        audited=sum(1 for g in governance if g.get("audit_seq") is not None),
        blocked=sum(1 for g in governance if g.get("verdict") in ("block", "escalate")),
        error=failed or ("governance hook failed" if hook_failed else None),
        response_audit=(int(response["audit_seq"]), int(response["action_digest"][:16], 16))
        if response
        else None,
    )
