"""Serve ASGI apps (the gateway, the governed proxy, the stub model) on loopback, in a thread.

Tests, the benchmark, Demo 2 and `tractatus al up` all need the same thing: start real uvicorn
servers, learn the ports they bound (port 0 = a free port chosen by the OS, so concurrent test
runs on one machine never collide), and stop them cleanly. uvicorn has no "start in background"
API, so `ServingLoop` runs one event loop in a daemon thread and serves any number of apps on it.
Apps on one loop share it: the governed proxy runs on the AGL gateway's loop so that it can call
the gateway's model forwarding and event store in-process (see proxy.py).

Every server gets the fast stack: uvloop (the event loop) and httptools (the HTTP parser), both
installed with uvicorn's `standard` extra. Sockets are bound here, not by uvicorn, so the port is
known before the server starts and `tractatus al up` binds exactly like the tests. TCP_NODELAY
is set explicitly on every listening socket (Linux copies it to each accepted connection): a
socket handed to uvicorn is not configured by it, and small request/response exchanges must not
wait on Nagle's algorithm. (uvloop also sets it on accepted connections; tests check both.)
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import uvicorn
import uvloop

from tractatus.governance.errors import ConfigError

STARTUP_TIMEOUT_S = 20.0


def bind_listening_socket(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A TCP listening socket with TCP_NODELAY set (asyncio does not set it on sockets it is handed)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        sock = socket.create_server((host, port), family=family, backlog=backlog, reuse_port=False)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    return sock


@dataclass
class Served:
    """One app served on a `ServingLoop`: its bound socket and uvicorn server."""

    name: str
    host: str
    socket: socket.socket
    server: uvicorn.Server
    task: Any = None  # concurrent.futures.Future of server.serve()

    @property
    def port(self) -> int:
        return int(self.socket.getsockname()[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


async def _serve(server: uvicorn.Server, sock: socket.socket) -> None:
    try:
        await server.serve(sockets=[sock])
    except SystemExit:
        # uvicorn exits the process when an app's startup fails; on a shared loop that would stop
        # every other server too, so it becomes an ordinary error of this server.
        raise RuntimeError("the app's startup failed") from None


class ServingLoop:
    """One uvloop event loop in a daemon thread, serving any number of apps."""

    def __init__(self, name: str = "serving") -> None:
        self.name = name
        self.loop = uvloop.new_event_loop()
        self.served: list[Served] = []
        self._thread = threading.Thread(target=self._run, name=f"loop-{name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def serve(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "server") -> Served:
        """Bind, start serving `app`, and return once it accepts connections."""
        sock = bind_listening_socket(host, port)
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            loop="none",  # the loop is ours (uvloop)
            http="httptools",
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_keep_alive=120,
            backlog=2048,
        )
        served = Served(name, host, sock, uvicorn.Server(config))
        served.task = asyncio.run_coroutine_threadsafe(_serve(served.server, sock), self.loop)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not served.server.started:
            if served.task.done():
                error = served.task.exception() if not served.task.cancelled() else None
                sock.close()
                # uvicorn exits (SystemExit) when the app's startup fails; name the app instead.
                raise ConfigError(f"{name}: did not start on {host}:{port} ({error or 'startup failed'})")
            if time.monotonic() > deadline:
                raise ConfigError(f"{name} did not start within {STARTUP_TIMEOUT_S:g}s")
            time.sleep(0.005)
        self.served.append(served)
        return served

    def call(self, coroutine: Any, timeout: float = 30.0) -> Any:
        """Run a coroutine on this loop from another thread and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the servers (newest first: the proxy before the gateway it calls), then the loop."""
        for served in reversed(self.served):
            served.server.should_exit = True
            try:
                served.task.result(timeout)
            except BaseException:  # a server that failed while stopping is stopped
                pass
        self.served.clear()
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout)
        if not self.loop.is_running() and not self.loop.is_closed():
            self.loop.close()


class ServerThread:
    """One app on its own `ServingLoop`. Use as a context manager or call start()/stop()."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0, name: str = "server") -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.name = name
        self._loop: ServingLoop | None = None
        self._served: Served | None = None

    @property
    def port(self) -> int | None:
        return self._served.port if self._served is not None else None

    @property
    def url(self) -> str:
        if self._served is None:
            raise ConfigError(f"{self.name} is not running")
        return self._served.url

    @property
    def socket(self) -> socket.socket:
        if self._served is None:
            raise ConfigError(f"{self.name} is not running")
        return self._served.socket

    def start(self) -> ServerThread:
        self._loop = ServingLoop(self.name)
        try:
            self._served = self._loop.serve(
                self.app, host=self.host, port=self.requested_port, name=self.name
            )
        except BaseException:
            self._loop.stop()
            self._loop = None
            raise
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None:
            self._loop.stop(timeout)
        self._loop = None
        self._served = None

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
