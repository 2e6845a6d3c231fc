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


def succeed(stack: Stack, http: httpx.Client, rollout_id: str) -> dict:
    """Move a rollout through running (attempt "0") to succeeded, as AGL's controller does."""
    for status in ({"state": "running", "last_attempt_id": "0"}, {"state": "succeeded"}):
        response = http.patch(
            f"{stack.gateway_url}/api/rollouts/{rollout_id}", json={"status": status}, headers=ADMIN
        )
        response.raise_for_status()
    return response.json()
