"""Run an ASGI app (the gateway, the governed proxy, the stub model) on a loopback port in a thread.

Tests, the benchmark, Demo 2 and `tractatus al up` all need the same thing: start a real uvicorn
server, learn the port it bound (port 0 = a free port chosen by the OS, so concurrent test runs on
one machine never collide), and stop it cleanly. uvicorn has no "start in background" API, so this
small wrapper binds the socket itself and hands it to `uvicorn.Server`.
"""

from __future__ import annotations

import asyncio
import socket
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
        self._socket: socket.socket | None = None
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise ConfigError(f"{self.name} is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> ServerThread:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.requested_port))
        except OSError as exc:
            sock.close()
            raise ConfigError(f"{self.name}: cannot bind {self.host}:{self.requested_port} ({exc.strerror or exc})") from None
        sock.listen(2048)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_keep_alive=120,
            # Each server runs in its own thread; uvicorn must not install signal handlers there.
        )
        self._server = uvicorn.Server(config)
        self._server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._run, name=f"uvicorn-{self.name}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if self._error is not None or not self._thread.is_alive():
                raise ConfigError(f"{self.name} failed to start: {self._error or 'server thread exited'}")
            if time.monotonic() > deadline:
                raise ConfigError(f"{self.name} did not start within {STARTUP_TIMEOUT_S:g}s")
            time.sleep(0.01)
        return self

    def _run(self) -> None:
        assert self._server is not None and self._socket is not None
        try:
            asyncio.run(self._server.serve(sockets=[self._socket]))
        except BaseException as exc:  # surfaced by start(); a thread cannot raise to its creator
            self._error = exc

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = None
        self._thread = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
