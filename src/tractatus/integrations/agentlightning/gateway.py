"""The real Agent Lightning 1.x API Gateway, and a small async client for its HTTP API.

`create_gateway_app` builds `agentlightning.server.app.create_app` from a plain dict (the same
keys as AGL's Hydra `config/server.yaml`), so it can run in-process without Hydra.

Caveat from AGL itself: the gateway keeps rollouts, events and models in module-level dicts
(`agentlightning.server.store`), so every gateway started in one process shares that state and
it is lost on restart. We therefore give each stack its own model name and unique rollout ids,
and never rely on the gateway as a durable record: the audit log is.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Iterable, Mapping

import httpx
from fastapi import FastAPI

from tractatus.governance.errors import ConfigError

GOVERNANCE_EVENT = "governance"  # one event per governance decision, posted by the governed proxy
REWARD_EVENT = "reward"  # AGL's well-known reward event; the last one is the training reward
HOOK_FAILURE_EVENT = "governance_hook_failure"  # a GovernanceHooks failure that failed its rollout
GOVERNANCE_SOURCE = "governance"  # `source` of the rewards only GovernanceHooks may write
OUTCOME_EVENT = "outcome"  # what the Demo 2 agent published (for counting executed violations)

DEFAULT_MODEL_NAME = "tractatus-stub"


def gateway_config(
    *,
    key: str = "",
    model_name: str = DEFAULT_MODEL_NAME,
    train_temperature: float = 1.0,
    val_temperature: float = 0.7,
    include_log_probs: bool = True,
) -> dict[str, Any]:
    """The gateway's configuration, in the shape of AGL's `config/server.yaml`."""
    return {
        "host": "127.0.0.1",
        "port": 0,
        "key": key,
        "default_proxy": {
            "model_name": model_name,
            "include_log_probs": include_log_probs,
            "include_routed_experts": False,
            "train": {"temperature": train_temperature},
            "val": {"temperature": val_temperature},
        },
    }


def create_gateway_app(config: Mapping[str, Any]) -> FastAPI:
    from agentlightning.server.app import create_app  # heavy (structlog, omegaconf): import on use

    return create_app(dict(config))


def proxy_path(rollout_id: str, attempt_id: str, mode: str) -> str:
    """The agent-facing OpenAI base path AGL gives an agent in AGL_OPENAI_BASE_URL."""
    return f"/proxy/rollout/{rollout_id}/attempt/{attempt_id}/mode/{mode}/openai/v1"


def events_path(rollout_id: str, attempt_id: str) -> str:
    """The agent-facing events path AGL gives an agent in AGL_EVENT_URL."""
    return f"/api/rollouts/{rollout_id}/attempt/{attempt_id}/events"


class GatewayClient:
    """Async client for the gateway's store API (rollouts, events, models).

    Raises `ConfigError` with one clear line when the gateway is unreachable or refuses a call,
    so callers (the CLI, Demo 2) never show a traceback for a gateway that is down.
    """

    def __init__(self, base_url: str, *, key: str = "", client: httpx.AsyncClient | None = None) -> None:
        from agentlightning.client import AgentLightningAsyncClient

        self.base_url = base_url.rstrip("/")
        self._owned = client is None
        self.http = client or AgentLightningAsyncClient(
            base_url=self.base_url,
            key=key or None,
            timeout=httpx.Timeout(30.0),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),  # see backend.CONCURRENCY
        )

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ConfigError(f"gateway {self.base_url} unreachable: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ConfigError(
                f"gateway {method} {path} -> HTTP {response.status_code}: {response.text[:200]}"
            )
        return response.json() if response.content else None

    async def register_model(self, model: str, endpoint: str) -> None:
        await self._call("POST", "/api/models", json=[{"model": model, "endpoint": endpoint}])

    async def enqueue(self, requests: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return await self._call("POST", "/api/rollouts", json=list(requests))

    async def set_state(
        self, rollout_id: str, state: str, *, attempt_id: str | None = None, error: str | None = None
    ) -> dict[str, Any]:
        status: dict[str, Any] = {"state": state}
        if attempt_id is not None:
            status["last_attempt_id"] = attempt_id
        if error is not None:
            status["error_message"] = error
        return await self._call("PATCH", f"/api/rollouts/{rollout_id}", json={"status": status})

    async def get_rollout(self, rollout_id: str) -> dict[str, Any]:
        return (await self._call("GET", f"/api/rollouts/{rollout_id}"))["rollout"]

    async def events(self, rollout_id: str, event_type: str | None = None) -> list[dict[str, Any]]:
        params = {"event_type": event_type} if event_type else None
        return await self._call("GET", f"/api/rollouts/{rollout_id}/events", params=params)

    async def post_event(
        self, rollout_id: str, attempt_id: str, event_type: str, data: Mapping[str, Any]
    ) -> dict[str, Any]:
        return await self._call(
            "POST", events_path(rollout_id, attempt_id), json={"event_type": event_type, "data": dict(data)}
        )

    async def delete_rollout(self, rollout_id: str) -> None:
        await self._call("DELETE", f"/api/rollouts/{rollout_id}")

    async def aclose(self) -> None:
        if self._owned:
            await self.http.aclose()


def quiet_gateway_logs(level: int = logging.WARNING) -> None:
    """AGL logs every proxied request through structlog, to stdout: keep stdout for our output.

    Only warnings and errors are kept, and they go to stderr (stdout carries `--json` output).
    structlog's configuration is process-wide by design, so this is called only at entry points
    (the `al` and `lab demo2` commands, tests, the benchmark), never on import.
    """
    import structlog

    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
    )
