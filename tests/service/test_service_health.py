"""The /healthz database probe: inline on its own connection for SQLite, pooled on a thread otherwise."""

from __future__ import annotations

import asyncio
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event

from tractatus.service.health import DatabaseProbe


def _reachable(probe: DatabaseProbe) -> bool:
    return asyncio.run(probe.reachable())


@contextmanager
def _sqlite_probe(path: Path) -> Iterator[tuple[Engine, DatabaseProbe]]:
    engine = create_engine(f"sqlite:///{path}")
    probe = DatabaseProbe(engine)
    try:
        yield engine, probe
    finally:
        probe.close()
        engine.dispose()


def test_sqlite_file_is_probed_inline_without_the_pool(tmp_path: Path) -> None:
    with _sqlite_probe(tmp_path / "service.db") as (engine, probe):
        checkouts: list[int] = []
        event.listen(engine, "checkout", lambda *args: checkouts.append(1))
        assert _reachable(probe) and _reachable(probe)
        assert checkouts == []  # no pooled connection: a loop blocked on an exhausted pool is impossible


def test_probe_survives_a_change_of_event_loop_thread(tmp_path: Path) -> None:
    with _sqlite_probe(tmp_path / "service.db") as (_, probe):
        results = [_reachable(probe)]
        worker = threading.Thread(target=lambda: results.append(_reachable(probe)))  # a test client's loop thread
        worker.start()
        worker.join()
        assert results == [True, True]


def test_unopenable_sqlite_file_is_unreachable(tmp_path: Path) -> None:
    with _sqlite_probe(tmp_path / "no-such-dir" / "service.db") as (_, probe):
        assert _reachable(probe) is False


def test_other_databases_are_probed_on_a_pooled_connection() -> None:
    engine = create_engine("sqlite://")  # in memory: no file of its own to open, so it takes the pooled path
    checkouts: list[int] = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(1))
    probe = DatabaseProbe(engine)
    assert _reachable(probe) is True
    assert checkouts == [1]
    engine.dispose()
