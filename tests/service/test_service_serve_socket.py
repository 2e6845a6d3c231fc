"""`tractatus serve`'s socket and access log (issue 12, item 3).

- The listener sets TCP_NODELAY, so every accepted connection has it: with `socket.create_server`
  the accepted sockets had proto 0, asyncio never set the option, and each response on a reused
  keep-alive connection waited ~40 ms.
- The access log keeps method, path without query string, status and duration: never the query
  string (`?api_key=...`) and never the client's IP:port.
"""

from __future__ import annotations

import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tractatus.cli.serve import bind_socket
from tractatus.governance.errors import ConfigError
from tractatus.service.access_log import ACCESS_LOGGER, AccessLog


def test_the_listener_and_every_accepted_connection_set_tcp_nodelay() -> None:
    listener = bind_socket("127.0.0.1", 0)
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
        assert listener.proto == socket.IPPROTO_TCP  # asyncio's own _set_nodelay recognises it too
        client = socket.create_connection(listener.getsockname()[:2])
        accepted, _ = listener.accept()
        with client, accepted:
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        listener.close()


def test_a_port_in_use_is_one_config_error() -> None:
    taken = bind_socket("127.0.0.1", 0)
    try:
        with pytest.raises(ConfigError, match=r"cannot listen on 127\.0\.0\.1:"):
            bind_socket("127.0.0.1", taken.getsockname()[1])
    finally:
        taken.close()


def _app() -> Starlette:
    async def hello(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("hi")

    async def boom(request):  # type: ignore[no-untyped-def]
        raise RuntimeError("bug")

    return Starlette(routes=[Route("/hello", hello), Route("/boom", boom)])


def test_the_access_log_keeps_method_path_status_and_duration_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS_LOGGER)
    with TestClient(AccessLog(_app()), raise_server_exceptions=False) as client:
        assert client.get("/hello?api_key=secret&email=jane@example.org").status_code == 200
        assert client.get("/nowhere?token=secret").status_code == 404
        assert client.get("/boom").status_code == 500
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert len(lines) == 3
    assert re.fullmatch(r"GET /hello 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /nowhere 404 \d+\.\dms", lines[1])
    assert re.fullmatch(r"GET /boom 500 \d+\.\dms", lines[2])
    assert not any("secret" in line or "jane" in line or "testclient" in line for line in lines)


@pytest.mark.slow
def test_a_real_server_logs_no_query_string_and_no_client_address(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACTATUS_API_KEY", "DATABASE_URL")}
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", "from tractatus.cli.main import main; main()", "serve", "--port", "0",
             "--data-dir", str(tmp_path)],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )
    try:
        deadline = time.monotonic() + 90
        while not (match := re.search(r"serving on http://127\.0\.0\.1:(\d+)", log_path.read_text())):
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        port = int(match.group(1))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/healthz?api_key=secret")
        assert conn.getresponse().read() and conn.sock is not None
        client_port = conn.sock.getsockname()[1]
        conn.request("GET", "/healthz")  # same keep-alive connection
        conn.getresponse().read()
        conn.close()
        time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log_path.read_text()
    assert "GET /healthz 200" in text and "secret" not in text
    assert f":{client_port}" not in text and "api_key" not in text
