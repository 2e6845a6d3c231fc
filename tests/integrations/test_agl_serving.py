"""Servers bind their own sockets, with TCP_NODELAY, on uvloop + httptools."""

from __future__ import annotations

import socket
import statistics
import time

import httpx
import pytest
import uvloop
from fastapi import FastAPI

from tractatus.governance.errors import ConfigError
from tractatus.integrations.agentlightning.serving import ServerThread, ServingLoop
from tractatus.integrations.agentlightning.stack import Stack


def nodelay(sock: object) -> bool:
    return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))  # type: ignore[attr-defined]


def ping_app() -> FastAPI:
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "yes"}

    return app


def test_every_listening_socket_of_the_stack_has_tcp_nodelay(stack: Stack) -> None:
    assert stack.gateway is not None and stack.proxy is not None and stack.stub is not None
    for sock in (stack.gateway.socket, stack.proxy.socket, stack.stub.socket):
        assert nodelay(sock)


def test_accepted_connections_have_tcp_nodelay_and_run_on_uvloop_and_httptools() -> None:
    with ServerThread(ping_app(), name="ping") as server, httpx.Client() as client:
        assert client.get(f"{server.url}/ping").json() == {"pong": "yes"}
        loop = server._loop
        assert loop is not None and isinstance(loop.loop, uvloop.Loop)
        served = loop.served[0]
        assert served.server.config.http == "httptools"
        connections = list(served.server.server_state.connections)
        assert connections, "the keep-alive connection is open"
        assert all(nodelay(c.transport.get_extra_info("socket")) for c in connections)


def test_keep_alive_requests_do_not_stall_on_nagle() -> None:
    """A Nagle / delayed-ACK stall would cost ~40 ms per request on a keep-alive connection."""
    with ServerThread(ping_app(), name="ping") as server, httpx.Client() as client:
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            client.get(f"{server.url}/ping")
            timings.append(time.perf_counter() - started)
    assert statistics.median(timings) < 0.030


def test_apps_on_one_loop_share_it_and_a_port_in_use_is_one_clear_error() -> None:
    loop = ServingLoop("pair")
    try:
        first = loop.serve(ping_app(), name="first")
        second = loop.serve(ping_app(), name="second")
        assert first.port != second.port
        with httpx.Client() as client:
            assert client.get(f"{second.url}/ping").status_code == 200
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{first.port}"):
            loop.serve(ping_app(), port=first.port, name="third")
    finally:
        loop.stop()
