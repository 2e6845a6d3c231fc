"""Governance events without a synchronous POST per call: the outbox, and the hooks' recovery.

A proxy in front of a remote gateway relays events through `EventOutbox`; the hooks complete an
attempt's events from the audit log, so they see every decision even if the relay never delivered.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from agentlightning.schemas import Event, Rollout
from agl_support import ADMIN, GATEWAY_KEY, completion_url, events, new_rollout, succeed
from test_agl_proxy import article_prompt, ask

from tractatus.governance.actions import Action, ActionKind
from tractatus.governance.audit import AuditLog
from tractatus.governance.governor import Governor
from tractatus.integrations.agentlightning.hooks import GovernanceHooks
from tractatus.integrations.agentlightning.outbox import EventOutbox
from tractatus.integrations.agentlightning.proxy import ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stack import Stack
from tractatus.lab.envs.grammar import Grammar


class QueuedEvents:
    """AGL's TraceWriter protocol, as its rollout manager passes it to the hooks: events queue up."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str, dict[str, Any]]] = []

    def add_event(self, rollout_id: str, attempt_id: str, event_type: str, data: dict[str, Any]) -> None:
        self.events.append((rollout_id, attempt_id, event_type, data))


def governance_events(stack: Stack, http: httpx.Client, rid: str) -> list[dict[str, Any]]:
    return [e for e in events(stack, http, rid) if e["event_type"] == "governance"]


def test_a_remote_proxy_relays_events_and_keeps_them_before_the_agents_reward(
    stack: Stack, http: httpx.Client, grammar: Grammar, governor: Governor
) -> None:
    settings = ProxySettings(gateway_url=stack.gateway_url, gateway_key=GATEWAY_KEY)
    with ServerThread(create_governed_proxy(governor, settings), name="remote proxy") as proxy:
        rid = new_rollout(stack, http)
        answer = ask(http, completion_url(proxy.url, rid), article_prompt(grammar, "urgent"))
        assert answer.status_code == 200 and answer.json()["choices"][0]["finish_reason"] == "content_filter"
        reward = http.post(
            f"{proxy.url}/api/rollouts/{rid}/attempt/0/events",
            json={"event_type": "reward", "data": {"value": 1.0, "source": "agent"}},
        )
        assert reward.status_code == 200
        kinds = [e["event_type"] for e in events(stack, http, rid)]
    # The proxy flushed the rollout's outbox before forwarding the agent's event.
    assert kinds == ["model_request", "governance", "reward"]


def test_a_remote_proxy_flushes_its_outbox_when_it_stops(
    stack: Stack, http: httpx.Client, grammar: Grammar, governor: Governor
) -> None:
    settings = ProxySettings(gateway_url=stack.gateway_url, gateway_key=GATEWAY_KEY)
    rid = new_rollout(stack, http)
    with ServerThread(create_governed_proxy(governor, settings), name="remote proxy") as proxy:
        for topic in range(4):
            assert (
                ask(
                    http, completion_url(proxy.url, rid), article_prompt(grammar, "informative", topic)
                ).status_code
                == 200
            )
    assert len(governance_events(stack, http, rid)) == 4


def test_the_hooks_recover_decisions_the_relay_never_delivered(
    stack: Stack, http: httpx.Client, grammar: Grammar, governor: Governor, audit: AuditLog
) -> None:
    """A proxy that died before relaying: the decisions are only in the audit log."""
    rid = new_rollout(stack, http)
    agent = f"agl:{rid}:0"
    clickbait = ask(http, f"{stack.model_endpoint}/chat/completions", article_prompt(grammar, "urgent"))
    text = clickbait.json()["choices"][0]["message"]["content"]
    decisions = governor.decide_batch([Action(kind=ActionKind.RESPONSE.value, text=text, agent_id=agent)])
    assert decisions[0].verdict.label == "block"
    time.sleep(0.01)
    reward = http.post(
        f"{stack.gateway_url}/api/rollouts/{rid}/attempt/0/events",
        json={"event_type": "reward", "data": {"value": 1.0, "source": "agent"}},
        headers=ADMIN,
    )
    assert reward.status_code == 200 and governance_events(stack, http, rid) == []
    rollout = Rollout.model_validate(succeed(stack, http, rid))
    received = [Event.model_validate(e) for e in events(stack, http, rid)]

    hooks = GovernanceHooks(load_reward_settings(), audit=audit)
    queued = QueuedEvents()
    hooks.on_succeeded(rollout, {"0": received}, queued)

    kinds = [(kind, data.get("source") or data.get("verdict")) for _, _, kind, data in queued.events]
    assert kinds == [("governance", "block"), ("reward", "governance")]
    recovered = queued.events[0][3]
    assert recovered["audit_seq"] == decisions[0].audit_seq and recovered["recovered_from"] == "audit_log"
    final = queued.events[1][3]
    # The block counts (penalty) and the agent's reward came after it, so it is overridden.
    assert final["violations"] == 1 and final["reason"] == "reward_after_block" and final["value"] < 0
    assert hooks.stats()["recovered_from_audit"] == 1


def test_the_hooks_recover_nothing_when_every_event_arrived(
    stack: Stack, http: httpx.Client, grammar: Grammar, audit: AuditLog
) -> None:
    rid = new_rollout(stack, http)
    ask(http, completion_url(stack.proxy_url, rid), article_prompt(grammar, "informative"))
    received = [Event.model_validate(e) for e in events(stack, http, rid)]
    hooks = GovernanceHooks(load_reward_settings(), audit=audit)
    assert len(received) == 2 and hooks.undelivered_decisions(rid, "0", received) == []


# -- the outbox on its own ---------------------------------------------------------------------


def test_the_outbox_retries_in_order_and_flush_waits_for_delivery() -> None:
    delivered: list[tuple[str, int]] = []
    failures = {"r1": 2}

    async def deliver(rollout_id: str, attempt_id: str, event: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        if failures.get(rollout_id, 0) > 0:
            failures[rollout_id] -= 1
            raise ConnectionError("gateway down")
        delivered.append((rollout_id, event["n"]))

    async def scenario() -> EventOutbox:
        outbox = EventOutbox(deliver, first_retry_s=0.001)
        outbox.start()
        outbox.put("r1", "0", [{"n": 1}, {"n": 2}])
        outbox.put("r2", "0", [{"n": 1}])
        outbox.put("r1", "0", [{"n": 3}])
        await outbox.flush("r1", timeout=5)
        assert outbox.pending("r1") == 0
        await outbox.aclose()
        return outbox

    outbox = asyncio.run(scenario())
    assert [n for r, n in delivered if r == "r1"] == [1, 2, 3]  # in order, despite two failures
    assert ("r2", 1) in delivered and outbox.delivered == 4 and outbox.dropped == 0


def test_the_outbox_drops_an_undeliverable_event_after_its_attempts() -> None:
    async def deliver(rollout_id: str, attempt_id: str, event: dict[str, Any]) -> None:
        raise ConnectionError("gateway gone")

    async def scenario() -> EventOutbox:
        outbox = EventOutbox(deliver, first_retry_s=0.001, max_retry_s=0.002, max_attempts=3)
        outbox.start()
        outbox.put("r1", "0", [{"n": 1}])
        await outbox.flush(timeout=5)
        await outbox.aclose()
        return outbox

    outbox = asyncio.run(scenario())
    assert outbox.dropped == 1 and outbox.delivered == 0 and outbox.pending() == 0
