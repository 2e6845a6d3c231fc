"""AGL's own controller and rollout manager run the headline agent through the governed proxy."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import pytest
from agl_world import CLICKBAIT_BLOCKED, CLICKBAIT_MISSED, NEWS, world

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.algorithm import AGENT_CLASS, ROLLOUT_ENV_MAP
from tractatus.integrations.agentlightning.controller import LocalController
from tractatus.integrations.agentlightning.gateway import quiet_gateway_logs
from tractatus.integrations.agentlightning.hooks import REWARD_OVERRIDE_KIND, GovernanceHooks
from tractatus.integrations.agentlightning.rewards import load_reward_settings
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor

pytestmark = pytest.mark.e2e

KEY = "controller-test-key"


class RecordingHooks(GovernanceHooks):
    """GovernanceHooks that also note every rollout AGL hands them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen: list[str] = []

    def on_succeeded(self, rollout: Any, events: dict[str, list[Any]], store: Any) -> None:
        self.seen.append(rollout.rollout_id)
        super().on_succeeded(rollout, events, store)

    def on_failed(self, rollout: Any, store: Any) -> None:
        self.seen.append(rollout.rollout_id)
        super().on_failed(rollout, store)


def run_batch(tmp_path: Path, candidates: list[list[str]], agent_class: str = AGENT_CLASS) -> tuple[list[Any], RecordingHooks, Any]:
    from agentlightning.verl.agl_rollout_manager import AglRolloutManager

    quiet_gateway_logs()
    scorer, _ = world()
    audit = open_audit_log(tmp_path / "audit.db")
    governor = open_governor(None, audit)
    hooks = RecordingHooks(load_reward_settings(), audit=audit, task_reward=scorer.task_reward)
    try:
        with Stack(StackConfig(gateway_key=KEY), governor) as stack, LocalController(
            gateway_url=stack.gateway_url, agent_url=stack.proxy_url, key=KEY
        ):
            manager = AglRolloutManager(
                agl_base_url=stack.gateway_url, agl_key=KEY, model=stack.model_name, step=0, hooks=hooks,
                local_agent_class=agent_class, local_env_map=dict(ROLLOUT_ENV_MAP),
                rollout_timeout_seconds=60, poll_interval_seconds=0.1,
            )
            data = {
                "slot": list(range(len(candidates))),
                "candidates": candidates,
                "prompt": [{"instruction": "engaging", "examples": []}] * len(candidates),
                "model": [stack.model_name] * len(candidates),
            }
            with contextlib.redirect_stdout(sys.stderr):
                completed = manager.enqueue_and_wait_until_completed(data, is_train=True)
    finally:
        governor.close()
    return sorted(completed, key=lambda c: c.input["slot"]), hooks, audit


def test_agl_controller_runs_every_rollout_hooks_see_each_and_the_audit_log_holds_every_model_call(tmp_path: Path) -> None:
    tasks = [[CLICKBAIT_BLOCKED], [NEWS], [CLICKBAIT_MISSED]]
    completed, hooks, audit = run_batch(tmp_path, tasks)
    try:
        assert [c.rollout_state for c in completed] == ["succeeded"] * 3
        assert sorted(hooks.seen) == sorted(c.rollout_id for c in completed)
        published = []
        for c in completed:
            kinds = [e["event_type"] for e in c.events]
            assert kinds == ["model_request", "governance", "outcome", "reward"], kinds
            decision = c.events[1]["data"]
            entry = audit.get(int(decision["audit_seq"]))  # the model call's decision is in the audit log
            assert entry is not None and entry.agent_id == f"agl:{c.rollout_id}:0"
            assert entry.verdict == decision["verdict"]
            published.append(c.events[2]["data"]["text"])
            assert c.final_reward == c.events[3]["data"]["value"]
        assert published == [None, NEWS, CLICKBAIT_MISSED]  # blocked text never reached the agent
        assert completed[0].final_reward < 0 < completed[1].final_reward  # a penalty for the block
    finally:
        audit.close()


def test_a_forged_reward_posted_by_the_agent_is_overridden_and_audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = str(Path(__file__).parent)
    monkeypatch.setenv("PYTHONPATH", here + ":" + ":".join(sys.path))  # AGL's agent processes import the forger
    completed, _hooks, audit = run_batch(tmp_path, [[NEWS]], agent_class="agl_forging_agent:ForgingAgent")
    try:
        (rollout,) = completed
        final = rollout.events[-1]["data"]
        assert final["reason"] == "reward_forged" and final["agent_reward"] == 1.0
        assert rollout.final_reward == pytest.approx(final["task_reward"]) and rollout.final_reward < 1.0
        overridden = [e for e in audit.tail(20) if e.kind == REWARD_OVERRIDE_KIND]
        assert [e.payload["rollout_id"] for e in overridden] == [rollout.rollout_id]
    finally:
        audit.close()
