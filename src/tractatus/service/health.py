"""Is the service database reachable? The `SELECT 1` behind `/healthz`, without a thread hop for SQLite.

A health check is polled on keep-alive connections and should cost next to nothing (issue 12:
`/healthz` p50 <= 2 ms). Run as a sync endpoint, it went through Starlette's thread pool: waking a
worker thread and the event loop again cost more than the query (about a third of the server's
CPU per request, measured under load, and milliseconds of wall time when the cores are busy).

- SQLite: `SELECT 1` reads no table and takes no lock, so it cannot block the event loop; it runs
  inline on one connection of its own, opened with the dialect's own arguments. Using the pool
  from the loop instead could block the loop for the pool timeout when request threads hold every
  pooled connection. A failed probe connection is dropped and reopened on the next check.
- Any other backend is a network round trip: it stays on a worker thread with a pooled connection.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text
from starlette.concurrency import run_in_threadpool


class DatabaseProbe:
    """`await probe.reachable()`: True when the database answers `SELECT 1`. Owned by one app."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._inline = engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:")
        self._connection: Any = None  # the SQLite probe's own DBAPI connection, opened on first use

    async def reachable(self) -> bool:
        if self._inline:
            return self._ping_own()
        return await run_in_threadpool(self._ping_pooled)

    def _ping_own(self) -> bool:
        for _ in range(2):  # a kept connection that went bad is replaced once before reporting
            try:
                if self._connection is None:
                    cargs, cparams = self._engine.dialect.create_connect_args(self._engine.url)
                    # One user at a time (the event loop), but the loop's thread may change:
                    # a test client runs each session's loop on a thread of its own.
                    cparams = {**cparams, "check_same_thread": False}
                    self._connection = self._engine.dialect.connect(*cargs, **cparams)
                self._connection.execute("SELECT 1").fetchone()
                return True
            except Exception:
                self.close()
        return False

    def _ping_pooled(self) -> bool:
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # closing a broken connection: nothing left to release
                pass
