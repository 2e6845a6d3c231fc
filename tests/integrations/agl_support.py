"""Helpers shared by the Agent Lightning integration tests (fixtures are in conftest.py)."""

from __future__ import annotations

import httpx

from tractatus.integrations.agentlightning.gateway import GatewayClient, proxy_path
from tractatus.integrations.agentlightning.stack import Stack

GATEWAY_KEY = "test-admin-key"
ADMIN = {"authorization": f"Bearer {GATEWAY_KEY}"}


def new_rollout(stack: Stack, http: httpx.Client, rollout_input: object = None) -> str:
    response = http.post(
        f"{stack.gateway_url}/api/rollouts",
        json=[{"input": rollout_input if rollout_input is not None else {"t": 0}}],
        headers=ADMIN,
    )
    response.raise_for_status()
    return response.json()[0]["rollout_id"]


def events(stack: Stack, http: httpx.Client, rollout_id: str) -> list[dict]:
    response = http.get(f"{stack.gateway_url}/api/rollouts/{rollout_id}/events", headers=ADMIN)
    response.raise_for_status()
    return response.json()


def completion_url(base: str, rollout_id: str) -> str:
    return f"{base}{proxy_path(rollout_id, '0', 'train')}/chat/completions"


def gateway_client(stack: Stack) -> GatewayClient:
    return GatewayClient(stack.gateway_url, key=GATEWAY_KEY)


CLICKBAIT_BLOCKED = "You Won't Believe What This Senator Said Next"  # the governor blocks it
NEWS = "Parliament approves annual budget after long debate"  # the governor allows it


def run_rollout(
    stack: Stack,
    http: httpx.Client,
    hooks: object,
    rollout_id: str,
    candidates: list[str] | None,
    env_reward: float | None = None,
) -> list[dict]:
    """One rollout on AGL's path, minus the process spawn: the headline agent through the governed
    proxy, an environment reward, SUCCEEDED, then AGL's own rollout manager runs the hooks.
    Returns the rollout's events afterwards."""
    from agentlightning.schemas import Rollout
    from agentlightning.verl.agl_rollout_manager import AglRolloutManagerBase

    from tractatus.integrations.agentlightning.agent import write_headline

    http.patch(
        f"{stack.gateway_url}/api/rollouts/{rollout_id}",
        json={"status": {"state": "running", "last_attempt_id": "0"}},
        headers=ADMIN,
    ).raise_for_status()
    if candidates is not None:
        environ = {
            "AGL_OPENAI_BASE_URL": f"{stack.proxy_url}{proxy_path(rollout_id, '0', 'train')}",
            "AGL_EVENT_URL": f"{stack.proxy_url}/api/rollouts/{rollout_id}/attempt/0/events",
            "AGL_KEY": GATEWAY_KEY,
        }
        task = {"candidates": candidates, "prompt": {"instruction": "engaging", "examples": []}, "model": stack.model_name}
        write_headline(http, environ, task)
    if env_reward is not None:
        http.post(
            f"{stack.gateway_url}/api/rollouts/{rollout_id}/attempt/0/events",
            json={"event_type": "reward", "data": {"value": env_reward, "source": "environment"}},
            headers=ADMIN,
        ).raise_for_status()
    done = http.patch(
        f"{stack.gateway_url}/api/rollouts/{rollout_id}", json={"status": {"state": "succeeded"}}, headers=ADMIN
    )
    done.raise_for_status()
    manager = AglRolloutManagerBase(
        agl_base_url=stack.gateway_url, agl_key=GATEWAY_KEY, model=stack.model_name, step=0, hooks=hooks  # type: ignore[arg-type]
    )
    manager._run_succeeded_hook(Rollout.model_validate(done.json()))
    return events(stack, http, rollout_id)
