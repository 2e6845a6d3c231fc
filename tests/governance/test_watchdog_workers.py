"""The governor's watchdog workers (watchdog.py): results, errors, budgets, hung functions."""

from __future__ import annotations

import threading
import time

import pytest

from tractatus.governance.watchdog import WatchdogTimeout, WatchdogWorkers


def test_returns_the_result_from_another_thread() -> None:
    workers = WatchdogWorkers(2, "t")
    try:
        caller = threading.get_ident()
        ran_on = workers.run(threading.get_ident, timeout=5)
        assert ran_on != caller
        assert workers.run(lambda: 41 + 1, timeout=5) == 42
    finally:
        workers.close()


def test_hands_back_what_the_function_raised() -> None:
    workers = WatchdogWorkers(1, "t")
    try:
        with pytest.raises(ZeroDivisionError):
            workers.run(lambda: 1 / 0, timeout=5)
        assert workers.run(lambda: "still serving", timeout=5) == "still serving"
    finally:
        workers.close()


def test_a_hung_function_times_out_keeps_its_thread_and_a_spare_worker_serves() -> None:
    release = threading.Event()
    workers = WatchdogWorkers(2, "t")
    try:
        started = time.perf_counter()
        with pytest.raises(WatchdogTimeout):
            workers.run(lambda: release.wait(10), timeout=0.05)
        assert time.perf_counter() - started < 2  # the caller is back at its budget, not at the function's end
        assert workers.run(lambda: "spare", timeout=5) == "spare"
    finally:
        release.set()
        workers.close()


def test_once_every_worker_is_stuck_every_call_times_out() -> None:
    """Fail closed: no new thread beyond max_workers, the request waits and its caller times out."""
    release = threading.Event()
    workers = WatchdogWorkers(2, "t")
    try:
        for _ in range(2):
            with pytest.raises(WatchdogTimeout):
                workers.run(lambda: release.wait(10), timeout=0.05)
        with pytest.raises(WatchdogTimeout):
            workers.run(lambda: "never in time", timeout=0.1)
        names = [t.name for t in threading.enumerate() if t.name.startswith("t_")]
        assert len(names) <= 2
    finally:
        release.set()
        workers.close()


def test_sequential_calls_reuse_one_worker() -> None:
    workers = WatchdogWorkers(4, "seq-workers")
    try:
        threads = {workers.run(threading.get_ident, timeout=5) for _ in range(50)}
        assert len(threads) == 1
    finally:
        workers.close()


def test_closed_workers_refuse_and_their_threads_end() -> None:
    workers = WatchdogWorkers(2, "closing-workers")
    workers.run(lambda: None, timeout=5)
    workers.close()
    with pytest.raises(RuntimeError):
        workers.run(lambda: None, timeout=5)
    deadline = time.perf_counter() + 5
    while any(t.name.startswith("closing-workers") for t in threading.enumerate()) and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert not any(t.name.startswith("closing-workers") for t in threading.enumerate())


def test_at_least_one_worker() -> None:
    with pytest.raises(ValueError):
        WatchdogWorkers(0, "t")
