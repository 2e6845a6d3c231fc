"""The whole governed stack in one process: stub model (optional), AGL gateway, governed proxy.

    agent --(AGL_OPENAI_BASE_URL / AGL_EVENT_URL)--> governed proxy :proxy_port
          ==(in-process: same event loop, no HTTP)==> AGL gateway's LLM proxy and event store
          --> model: the stub model :stub_port, or any OpenAI-compatible `model_url`
    trainer, ungoverned agents --> AGL gateway :gateway_port (rollouts/events/models, LLM proxy)

Used by `tractatus al up`, Demo 2's AGL backend, the tests and the benchmark. Each server is a
real uvicorn server (uvloop, httptools, TCP_NODELAY; see serving.py), port 0 = any free port.
The gateway and the governed proxy share one event loop, so the proxy governs in AGL's own
process and writes governance events into AGL's store before the agent gets its answer; the stub
model has its own loop, as a model server would have its own process. The model is registered
with the gateway under `model_name`, which must be the name the model server serves (AGL
rewrites the request's `model` to it).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tractatus.governance.actions import ActionKind
from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.gateway import (
    DEFAULT_MODEL_NAME,
    create_gateway_app,
    gateway_config,
)
from tractatus.integrations.agentlightning.proxy import Deciding, ProxySettings, create_governed_proxy
from tractatus.integrations.agentlightning.proxy_policy import ProxyPolicy, load_proxy_policy
from tractatus.integrations.agentlightning.serving import Served, ServerThread, ServingLoop
from tractatus.integrations.agentlightning.stub_model import create_stub_model_app

if TYPE_CHECKING:
    from tractatus.governance.audit import AuditLog
    from tractatus.governance.governor import Governor
    from tractatus.governance.policy import Policy


def bundled_policy() -> Path:
    from tractatus.governance.policy import bundled_policy_path

    return bundled_policy_path("agentlightning")


@dataclass(frozen=True, slots=True)
class StackConfig:
    host: str = "127.0.0.1"
    gateway_port: int = 0
    proxy_port: int = 0
    stub_port: int = 0
    gateway_key: str = ""  # the gateway's admin key (AGL_KEY); only the proxy and trainer need it
    agent_key: str = ""  # the key agents present to the governed proxy ("" = none, loopback only)
    model_name: str = DEFAULT_MODEL_NAME
    model_url: str | None = None  # an OpenAI-compatible base URL ending in /v1; None = stub model
    with_proxy: bool = True
    stub_latency_s: float = 0.0  # stub model only: seconds per answer, to mimic a real model
    proxy_policy: ProxyPolicy | None = None  # None: policies/proxy/agentlightning.yaml


class Stack:
    def __init__(self, config: StackConfig, governor: Deciding | None) -> None:
        if config.with_proxy and governor is None:
            raise ConfigError("the governed proxy needs a governor")
        self.config = config
        self.governor = governor
        # AGL keeps registered models in a process-wide dict keyed by model name, so a stopped
        # stack's stub would stay registered under the same name: give each stub stack its own.
        self.model_name = (
            config.model_name if config.model_url else f"{config.model_name}-{uuid.uuid4().hex[:8]}"
        )
        self.stub: ServerThread | None = None
        self.loop: ServingLoop | None = None  # the gateway's event loop, shared with the proxy
        self.gateway: Served | None = None
        self.gateway_app: Any = None  # the AGL app: serve more governed proxies with it on `loop`
        self.proxy: Served | None = None

    @property
    def model_endpoint(self) -> str:
        if self.config.model_url:
            return self.config.model_url.rstrip("/")
        assert self.stub is not None
        return f"{self.stub.url}/v1"

    @property
    def gateway_url(self) -> str:
        assert self.gateway is not None
        return self.gateway.url

    @property
    def proxy_url(self) -> str:
        if self.proxy is None:
            raise ConfigError("this stack runs without the governed proxy")
        return self.proxy.url

    def start(self) -> Stack:
        c = self.config
        try:
            if not c.model_url:
                self.stub = ServerThread(
                    create_stub_model_app(model_name=self.model_name, latency_s=c.stub_latency_s),
                    host=c.host,
                    port=c.stub_port,
                    name="stub model",
                ).start()
            self.loop = ServingLoop("agl-gateway")
            self.gateway_app = gateway_app = create_gateway_app(
                gateway_config(key=c.gateway_key, model_name=self.model_name)
            )
            self.gateway = self.loop.serve(gateway_app, host=c.host, port=c.gateway_port, name="AGL gateway")
            self._register_model()
            if c.with_proxy:
                assert self.governor is not None
                settings = ProxySettings(
                    gateway_key=c.gateway_key,
                    agent_key=c.agent_key,
                    policy=c.proxy_policy if c.proxy_policy is not None else load_proxy_policy(),
                )
                self.proxy = self.loop.serve(
                    create_governed_proxy(self.governor, settings, gateway_app=gateway_app),
                    host=c.host,
                    port=c.proxy_port,
                    name="governed proxy",
                )
        except BaseException:
            self.stop()
            raise
        return self

    def _register_model(self) -> None:
        headers = {"authorization": f"Bearer {self.config.gateway_key}"} if self.config.gateway_key else {}
        payload = [{"model": self.model_name, "endpoint": self.model_endpoint}]
        try:
            response = httpx.post(
                f"{self.gateway_url}/api/models", json=payload, headers=headers, timeout=10.0
            )
        except httpx.HTTPError as exc:
            raise ConfigError(f"cannot register the model with the gateway: {type(exc).__name__}") from None
        if response.status_code >= 400:
            raise ConfigError(f"the gateway refused the model registration: HTTP {response.status_code}")

    def _unregister_model(self) -> None:
        """Take this stack's model endpoint out of AGL's process-wide registry (AGL can only delete
        every model), so a later stack serving the same name never gets routed to a dead server."""
        from agentlightning.server.store import _models

        if self.stub is None and not self.config.model_url:
            return  # the stub never started, so nothing was registered
        servers = _models.get(self.model_name)
        if servers is not None:
            servers.pop(self.model_endpoint, None)
            if not servers:
                _models.pop(self.model_name, None)

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.stop()  # the proxy first, then the gateway
            self._unregister_model()
        if self.stub is not None:
            self.stub.stop()
        self.loop = self.stub = None
        self.proxy = self.gateway = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def require_response_checks(policy: Policy) -> Policy:
    """Refuse a policy under which the proxy would pass every model answer unchecked.

    The proxy decides `response` actions; a policy written for other kinds (the lab's
    `publish`-only lab-engagement.yaml, say) would allow everything here, silently.
    """
    kinds = {kind for entry in policy.document.checks.values() if entry.enabled for kind in entry.kinds}
    if ActionKind.RESPONSE.value not in kinds:
        raise ConfigError(
            f"policy {policy.source}: no check runs on `response` actions, so the governed proxy would pass "
            "every model answer unchecked; use policies/agentlightning.yaml or add `response` to a check's kinds"
        )
    return policy


def open_governor(policy: str | Path | None, audit: AuditLog | None) -> Governor:
    """A Governor for the proxy from a policy file (default: policies/agentlightning.yaml)."""
    from tractatus.governance.governor import Governor
    from tractatus.governance.policy import load_policy

    loaded = require_response_checks(load_policy(policy if policy is not None else bundled_policy()))
    return Governor(loaded, audit=audit)
