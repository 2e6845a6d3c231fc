"""AGL's own local controller (`LocalReconciler`), run in a thread of this process.

This is what `agl-controller runner_type=local agl_server.url=... agl_server.agent_url=...`
runs, built from the same configuration keys (AGL's `config/controller.yaml`) without Hydra, so
Demo 2 can start and stop it around each cell. AGL's code does everything: it polls the store for
QUEUING rollouts, starts one agent process per rollout with `AGL_OPENAI_BASE_URL` /
`AGL_EVENT_URL` pointing at `agent_url` (the governed proxy, or the gateway when ungoverned),
marks rollouts RUNNING, and SUCCEEDED or FAILED by the process's exit code.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tractatus.governance.errors import ConfigError

# Poll interval of the controller, in seconds. AGL's default (10 s) suits Kubernetes Jobs; with
# local processes a short tick keeps rollouts from waiting on the loop.
POLL_INTERVAL_S = 0.2


class LocalController:
    """Start with `with LocalController(...):`; leaving the block stops AGL's reconciler."""

    def __init__(self, *, gateway_url: str, agent_url: str, key: str, max_processes: int = 4) -> None:
        self.config = {
            "runner_type": "local",
            "agl_server": {"url": gateway_url, "agent_url": agent_url, "key": key},
            "local_runner": {"maximum_size": max_processes, "poll_interval": POLL_INTERVAL_S},
        }
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reconciler: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self) -> LocalController:
        self._thread = threading.Thread(target=self._run, name="AGL local controller", daemon=True)
        self._thread.start()
        if not self._ready.wait(30.0) or self._error is not None:
            raise ConfigError(f"AGL's local controller did not start: {self._error!r}")
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to start() or stop(); a thread cannot raise
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        from agentlightning.client import AgentLightningAsyncClient
        from agentlightning.controller.local_reconciler import LocalReconciler
        from omegaconf import OmegaConf

        config = OmegaConf.create(self.config)
        async with AgentLightningAsyncClient(base_url=config.agl_server.url, key=config.agl_server.key or None) as api:
            self._loop = asyncio.get_running_loop()
            self._reconciler = LocalReconciler(api=api, config=config)
            self._ready.set()
            await self._reconciler.run()  # on stop it kills live agents and marks them FAILED

    def stop(self) -> None:
        if self._loop is not None and self._reconciler is not None:
            self._loop.call_soon_threadsafe(self._reconciler.stop)
        if self._thread is not None:
            self._thread.join(30.0)
        self._thread = None

    def __enter__(self) -> LocalController:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
