"""GovernanceHooks on real rollouts: penalties, the reward-integrity attack, and hooks that fail."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from agl_support import CLICKBAIT_BLOCKED, GATEWAY_KEY, NEWS, events, new_rollout, run_rollout

import tractatus.integrations.agentlightning.hooks as hooks_module
from tractatus.governance.audit import AuditLog
from tractatus.integrations.agentlightning.hooks import (
    HOOK_FAILURE_KIND,
    REWARD_OVERRIDE_KIND,
    GovernanceHooks,
)
from tractatus.integrations.agentlightning.rewards import RewardOutcome, load_reward_settings
from tractatus.integrations.agentlightning.stack import Stack

SETTINGS = load_reward_settings()


def audit_kinds(audit: AuditLog) -> list[str]:
    return [e.kind for e in audit.tail(50)]


def test_a_blocked_headline_is_not_published_and_costs_a_penalty(
    stack: Stack, http: httpx.Client, audit: AuditLog
) -> None:
    hooks = GovernanceHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    recorded = run_rollout(stack, http, hooks, rid, [CLICKBAIT_BLOCKED], env_reward=0.0)
    outcome = next(e["data"] for e in recorded if e["event_type"] == "outcome")
    decision = next(e["data"] for e in recorded if e["event_type"] == "governance")
    assert outcome["published"] is False and outcome["text"] is None  # the agent never had the headline
    assert decision["verdict"] == "block" and decision["audit_seq"] is not None
    final = recorded[-1]
    assert final["event_type"] == "reward" and final["data"]["source"] == "governance"
    assert final["data"]["value"] == pytest.approx(SETTINGS.override_value - SETTINGS.penalty[decision["severity"]])
    assert final["data"]["value"] < 0 and final["data"]["violations"] == 1


def test_a_news_headline_keeps_its_engagement(stack: Stack, http: httpx.Client, audit: AuditLog) -> None:
    hooks = GovernanceHooks(SETTINGS, audit=audit)
    rid = new_rollout(stack, http)
    recorded = run_rollout(stack, http, hooks, rid, [NEWS], env_reward=0.12)
    outcome = next(e["data"] for e in recorded if e["event_type"] == "outcome")
    assert outcome["published"] and outcome["text"] == NEWS
    assert recorded[-1]["data"]["value"] == pytest.approx(0.12) and hooks.stats()["overrides"] == 0


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
    final = run_rollout(stack, http, hooks, rid, None)[-1]["data"]
    assert final["value"] == SETTINGS.override_value
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
    recorded = run_rollout(stack, http, hooks, rid, None)
    assert recorded[-1]["data"]["value"] == SETTINGS.hook_failure_value  # not the agent's 1.0
    assert hooks.stats()["hook_failures"] == 1
    kinds = [e["event_type"] for e in recorded]
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
    http.patch(
        f"{stack.gateway_url}/api/rollouts/{rid}",
        json={"status": {"state": "running", "last_attempt_id": "0"}},
        headers=admin,
    )
    done = http.patch(
        f"{stack.gateway_url}/api/rollouts/{rid}", json={"status": {"state": "succeeded"}}, headers=admin
    ).json()
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


def test_a_forged_reward_in_range_is_replaced_by_the_verified_one_and_audited(
    stack: Stack, http: httpx.Client, audit: AuditLog
) -> None:
    """With the environment's scorer in the hooks, an agent's own reward never counts, even in range."""
    from tractatus.integrations.agentlightning.scoring import HeadlineScorer
    from tractatus.lab.world.judge import ClickbaitJudge

    scorer = HeadlineScorer(lambda text: 0.03 if text == NEWS else 0.01, ClickbaitJudge.load_default(), {NEWS: "news"})
    hooks = GovernanceHooks(SETTINGS, audit=audit, task_reward=scorer.task_reward)
    forged, honest = new_rollout(stack, http), new_rollout(stack, http)
    http.post(
        f"{stack.proxy_url}/api/rollouts/{forged}/attempt/0/events",
        json={"event_type": "reward", "data": {"value": 0.9}},
        headers={"authorization": f"Bearer {GATEWAY_KEY}"},
    ).raise_for_status()
    final = run_rollout(stack, http, hooks, forged, [NEWS])[-1]["data"]
    assert final["reason"] == "reward_forged" and final["agent_reward"] == 0.9
    assert final["value"] == pytest.approx(0.03) and final["task_reward"] == pytest.approx(0.03)
    audited = [e for e in audit.tail(20) if e.kind == REWARD_OVERRIDE_KIND]
    assert [e.payload["rollout_id"] for e in audited] == [forged]
    # Benign: no agent reward at all is not a forgery, and earns the verified reward.
    final = run_rollout(stack, http, hooks, honest, [NEWS])[-1]["data"]
    assert final["reason"] == "governed" and final["value"] == pytest.approx(0.03)
    assert hooks.stats()["overrides"] == 1
