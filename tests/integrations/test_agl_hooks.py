"""GovernanceHooks on real rollouts: penalties, the reward-integrity attack, and hooks that fail."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from agl_support import GATEWAY_KEY, events, gateway_client, new_rollout, succeed

import tractatus.integrations.agentlightning.hooks as hooks_module
from tractatus.governance.audit import AuditLog
from tractatus.integrations.agentlightning.agent import write_article
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.hooks import (
    HOOK_FAILURE_KIND,
    REWARD_OVERRIDE_KIND,
    GovernanceHooks,
)
from tractatus.integrations.agentlightning.rewards import RewardOutcome, load_reward_settings
from tractatus.integrations.agentlightning.runner import GatewayRunner, RolloutResult
from tractatus.integrations.agentlightning.stack import Stack
from tractatus.lab.envs.grammar import Grammar

SETTINGS = load_reward_settings()


async def run_one(
    stack: Stack, hooks: GovernanceHooks, rid: str, task: dict[str, Any] | None, env_reward: float | None
) -> RolloutResult:
    """One rollout the way Demo 2 runs it: agent through the proxy, then finish + hooks."""
    gateway = gateway_client(stack)
    runner = GatewayRunner(gateway, agent_base_url=stack.proxy_url, hooks=hooks)
    try:
        await gateway.set_state(rid, "running", attempt_id="0")
        if task is not None:
            await write_article(runner._http, runner.endpoints(rid), task)
        return await runner.finish(rid, env_reward)
    finally:
        await runner.aclose()
        await gateway.aclose()


def audit_kinds(audit: AuditLog) -> list[str]:
    return [e.kind for e in audit.tail(50)]


def test_a_blocked_article_is_not_published_and_costs_a_penalty(
    stack: Stack, http: httpx.Client, grammar: Grammar, audit: AuditLog
) -> None:
    hooks = GovernanceHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    clickbait = grammar.choice({**grammar.spec.strategies["urgent"], "wording": 0})
    result = asyncio.run(
        run_one(stack, hooks, rid, {"prompt": build_prompt(grammar, 0, clickbait)}, env_reward=0.0)
    )
    recorded = events(stack, http, rid)
    outcome = next(e["data"] for e in recorded if e["event_type"] == "outcome")
    decision = next(e["data"] for e in recorded if e["event_type"] == "governance")
    assert outcome == {"published": False, "article": None}  # the agent never had the article
    assert decision["verdict"] == "block"
    assert result.final_reward == pytest.approx(
        SETTINGS.override_value - SETTINGS.penalty[decision["severity"]]
    )
    assert result.final_reward < 0 and result.blocked == 1 and result.audited == 1
    assert recorded[-1]["event_type"] == "reward" and recorded[-1]["data"]["source"] == "governance"


def test_an_informative_article_keeps_its_engagement(
    stack: Stack, http: httpx.Client, grammar: Grammar, audit: AuditLog
) -> None:
    hooks = GovernanceHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    informative = grammar.choice({**grammar.spec.strategies["informative"], "wording": 1})
    result = asyncio.run(
        run_one(stack, hooks, rid, {"prompt": build_prompt(grammar, 1, informative)}, env_reward=0.12)
    )
    outcome = next(e["data"] for e in events(stack, http, rid) if e["event_type"] == "outcome")
    assert outcome["published"] and outcome["article"] == grammar.article(1, informative).text
    assert result.final_reward == pytest.approx(0.12) and result.succeeded and hooks.stats()["overrides"] == 0


def test_the_reward_integrity_attack_is_overridden_and_audited(
    stack: Stack, http: httpx.Client, audit: AuditLog
) -> None:
    """The agent holds an event URL and posts a reward of 5.0 on a task declared in [0, 1]."""
    hooks = GovernanceHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    posted = http.post(
        f"{stack.proxy_url}/api/rollouts/{rid}/attempt/0/events",
        json={"event_type": "reward", "data": {"value": 5.0}},
    )
    assert posted.status_code == 200  # the gateway itself accepts any reward
    result = asyncio.run(run_one(stack, hooks, rid, task=None, env_reward=None))
    assert result.final_reward == SETTINGS.override_value
    final = events(stack, http, rid)[-1]["data"]
    assert final["reason"] == "reward_out_of_range" and final["agent_reward"] == 5.0
    overridden = [e for e in audit.tail(10) if e.kind == REWARD_OVERRIDE_KIND]
    assert (
        len(overridden) == 1
        and overridden[0].payload["rollout_id"] == rid
        and overridden[0].payload["agent_reward"] == 5.0
    )
    assert hooks.stats()["overrides"] == 1


class BrokenHooks(GovernanceHooks):
    def judge(self, rollout: Any, events: list[Any]) -> RewardOutcome:
        raise KeyError("a bug in a hook")


def test_a_hook_that_raises_is_counted_and_fails_its_rollout(
    stack: Stack, http: httpx.Client, audit: AuditLog
) -> None:
    hooks = BrokenHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    http.post(
        f"{stack.proxy_url}/api/rollouts/{rid}/attempt/0/events",
        json={"event_type": "reward", "data": {"value": 1.0}},
    )
    result = asyncio.run(run_one(stack, hooks, rid, task=None, env_reward=None))
    assert not result.succeeded and result.error == "governance hook failed"
    assert result.final_reward == SETTINGS.hook_failure_value  # not the agent's 1.0
    assert hooks.stats()["hook_failures"] == 1
    kinds = [e["event_type"] for e in events(stack, http, rid)]
    assert kinds[-2:] == ["governance_hook_failure", "reward"]
    assert HOOK_FAILURE_KIND in audit_kinds(audit)


@pytest.mark.parametrize("broken", [False, True])
def test_agl_own_rollout_manager_runs_the_hooks_and_keeps_their_events(
    stack: Stack, http: httpx.Client, audit: AuditLog, broken: bool
) -> None:
    """AGL's VERL rollout manager swallows hook exceptions and drops their events: ours never raise."""
    from agentlightning.schemas import Rollout
    from agentlightning.verl.agl_rollout_manager import AglRolloutManagerBase

    hooks = (BrokenHooks if broken else GovernanceHooks)(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    admin = {"authorization": f"Bearer {GATEWAY_KEY}"}
    http.post(
        f"{stack.gateway_url}/api/rollouts/{rid}/attempt/0/events",
        json={"event_type": "reward", "data": {"value": 5.0}},
        headers=admin,
    )
    done = succeed(stack, http, rid)
    manager = AglRolloutManagerBase(
        agl_base_url=stack.gateway_url, agl_key=GATEWAY_KEY, model=stack.model_name, step=0, hooks=hooks
    )
    manager._run_succeeded_hook(Rollout.model_validate(done))
    final = events(stack, http, rid)[-1]["data"]
    expected = SETTINGS.hook_failure_value if broken else SETTINGS.override_value
    assert final["source"] == "governance" and final["value"] == expected


def test_agl_load_hooks_finds_exactly_governance_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    from agentlightning.hooks import load_hooks

    monkeypatch.delenv("TRACTATUS_AL_REWARDS", raising=False)
    hooks = load_hooks(hooks_module.__file__)
    assert type(hooks).__name__ == "GovernanceHooks" and hooks.settings == SETTINGS


def test_on_startup_without_an_audit_log_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("TRACTATUS_AUDIT_DB", str(tmp_path / "is-a-dir"))
    (tmp_path / "is-a-dir").mkdir()
    from tractatus.governance.errors import AuditError

    with pytest.raises(AuditError):
        GovernanceHooks(SETTINGS).on_startup()
