"""The access log: method, path without its query string, status and duration. Nothing else.

Uvicorn's own access log records the client's IP:port and the full target, query string included
(`?api_key=...` verbatim), which is more than the docs promise and more than anyone needs. This
ASGI middleware replaces it: the path comes from `scope["path"]`, which never holds the query
string, and the client address is never read.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Awaitable, Callable, MutableMapping

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ACCESS_LOGGER = "tractatus.access"
# Long paths (a probe's garbage) are cut so one request is one short line.
MAX_PATH_CHARS = 200


class AccessLog:
    """Wraps an ASGI app; logs one line per HTTP request once its response has been sent."""

    def __init__(self, app: ASGIApp, *, logger: logging.Logger | None = None) -> None:
        self.app = app
        self.log = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before starting a response

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            if self.log.isEnabledFor(logging.INFO):
                path = scope.get("path", "")
                if len(path) > MAX_PATH_CHARS:
                    path = path[:MAX_PATH_CHARS] + "…"
                elapsed_ms = (time.perf_counter() - started) * 1000.0
                self.log.info("%s %s %d %.1fms", scope.get("method", "-"), path, status, elapsed_ms)
