"""Run an ASGI app (the gateway, the governed proxy, the stub model) on a loopback port in a thread.

Tests, the benchmark, Demo 2 and `tractatus al up` all need the same thing: start a real uvicorn
server, learn the port it bound (port 0 = a free port chosen by the OS, so concurrent test runs on
one machine never collide), and stop it cleanly. uvicorn has no "start in background" API, so this
small wrapper runs `uvicorn.Server.serve` in a thread. (Handing uvicorn a pre-bound socket
instead cost ~45 ms per request here: keep uvicorn's own bind.)
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import uvicorn

from tractatus.governance.errors import ConfigError

STARTUP_TIMEOUT_S = 20.0


class ServerThread:
    """One uvicorn server in a daemon thread. Use as a context manager or call start()/stop()."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "server") -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.name = name
        self.port: int | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise ConfigError(f"{self.name} is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        config = uvicorn.Config(
            self.app,
            host=self.host,
            port=self.requested_port,  # 0: uvicorn binds a free port, read back below
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_keep_alive=120,
            backlog=2048,
        )
        self._server = uvicorn.Server(config)
        # uvicorn installs signal handlers only on the main thread; ours is not, so Ctrl-C stays
        # with the caller (`tractatus al up`), which stops every server in order.
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                reason = self._error or "server thread exited (port in use?)"
                raise ConfigError(
                    f"{self.name}: cannot serve on {self.host}:{self.requested_port} ({reason})"
                )
            if time.monotonic() > deadline:
                raise ConfigError(f"{self.name} did not start within {STARTUP_TIMEOUT_S:g}s")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def _run(self) -> None:
        assert self._server is not None
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # surfaced by start(); a thread cannot raise to its creator
            self._error = exc

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._server = None
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
