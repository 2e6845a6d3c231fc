"""AGL's own controller (local runner) spawns the unchanged agent; only `agent_url` points at the proxy."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import httpx
import pytest

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.gateway import quiet_gateway_logs
from tractatus.integrations.agentlightning.stack import Stack, StackConfig, open_governor
from tractatus.lab.envs.grammar import load_grammar

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

KEY = "controller-test-key"


async def drive(stack: Stack, rollouts: list[dict]) -> dict[str, dict]:
    from agentlightning.client import AgentLightningAsyncClient
    from agentlightning.controller.local_reconciler import LocalReconciler
    from omegaconf import OmegaConf

    config = OmegaConf.create(
        {
            "runner_type": "local",
            "agl_server": {"url": stack.gateway_url, "agent_url": stack.proxy_url, "key": KEY},
            "local_runner": {"maximum_size": 4, "poll_interval": 0.2},
        }
    )
    async with AgentLightningAsyncClient(base_url=stack.gateway_url, key=KEY) as api:
        created = (await api.post("/api/rollouts", json=rollouts)).json()
        reconciler = LocalReconciler(api=api, config=config)
        runner = asyncio.create_task(reconciler.run())
        states: dict[str, dict] = {}
        for _ in range(600):
            states = {
                r["rollout_id"]: (await api.get(f"/api/rollouts/{r['rollout_id']}")).json()["rollout"]
                for r in created
            }
            if all(s["status"]["state"] in ("succeeded", "failed") for s in states.values()):
                break
            await asyncio.sleep(0.2)
        reconciler.stop()
        await runner
        return states


def test_the_controller_runs_agents_through_the_governed_proxy() -> None:
    quiet_gateway_logs()
    grammar = load_grammar()
    informative = grammar.choice({**grammar.spec.strategies["informative"], "wording": 0})
    clickbait = grammar.choice({**grammar.spec.strategies["urgent"], "wording": 0})
    local = {
        "agent_class": "tractatus.integrations.agentlightning.agent:EngagementAgent",
        "env_map": {"TRACTATUS_TASK": "input"},
    }
    with tempfile.TemporaryDirectory() as scratch:
        audit = open_audit_log(Path(scratch) / "audit.db")
        governor = open_governor(None, audit)
        with Stack(StackConfig(gateway_key=KEY), governor) as stack:
            rollouts = [
                {
                    "input": {"prompt": build_prompt(grammar, 0, action), "model": stack.model_name},
                    "config": {"local": local},
                }
                for action in (informative, clickbait)
            ]
            states = asyncio.run(drive(stack, rollouts))
            outcomes = {}
            for rid, state in states.items():
                assert state["status"]["state"] == "succeeded", state["status"]
                events = httpx.get(
                    f"{stack.gateway_url}/api/rollouts/{rid}/events",
                    headers={"authorization": f"Bearer {KEY}"},
                ).json()
                types = [e["event_type"] for e in events]
                assert types == ["model_request", "governance", "outcome"]
                outcomes[json.dumps(state["input"]["prompt"])] = (
                    events[1]["data"]["verdict"],
                    events[2]["data"],
                )
        governor.close()
        audit.close()
    verdicts = sorted(v for v, _ in outcomes.values())
    assert verdicts == ["allow", "block"]
    for verdict, outcome in outcomes.values():
        assert outcome["published"] is (verdict == "allow")
