"""The governor's watchdog workers: run a function on another thread, wait for it at most a budget.

What `concurrent.futures.ThreadPoolExecutor` plus `Future.result(timeout)` did for the governor,
with the fewest steps the hand-off needs: the request goes into a `queue.SimpleQueue` (C code), an
idle worker takes it, runs it and releases a lock the caller waits on with its timeout. The
executor's Future keeps a Condition, a waiter list and a state machine per call; on the 2-core
machine that hand-off cost ~47 µs of CPU per decision against ~19 µs here (measured with a function
that does nothing, benchmarks/bench_governor.py --hop-only measures it inside the governor).

Same guarantees as the executor it replaces: at most `max_workers` threads, started only when no
worker is idle; a function that hangs keeps its thread and the others serve; once every worker is
stuck, requests wait in the queue and every caller's wait times out (the governor fails closed).
Workers are daemon threads, so a hung check never keeps the process from exiting.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable


class WatchdogTimeout(Exception):
    """The function did not finish within the budget (it may still be running on its worker)."""


class _Request[T]:
    __slots__ = ("done", "error", "function", "result")

    def __init__(self, function: Callable[[], T]) -> None:
        self.function = function
        self.done = threading.Lock()
        self.done.acquire()  # released by the worker when the function has returned or raised
        self.result: T | None = None
        self.error: BaseException | None = None


class WatchdogWorkers:
    """A small pool of daemon threads; `run(function, timeout)` returns its result or raises
    `WatchdogTimeout` (or what the function raised)."""

    def __init__(self, max_workers: int, name: str) -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self._max_workers = max_workers
        self._name = name
        self._requests: queue.SimpleQueue[_Request[object] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards the two counts below
        self._threads = 0
        self._idle = 0
        self._closed = False

    def run[T](self, function: Callable[[], T], timeout: float) -> T:
        request: _Request[T] = _Request(function)
        with self._lock:
            if self._closed:
                raise RuntimeError("watchdog workers are closed")
            if self._idle > 0:
                self._idle -= 1  # that worker is spoken for: the next request may need a new one
            elif self._threads < self._max_workers:
                self._threads += 1
                threading.Thread(target=self._work, name=f"{self._name}_{self._threads}", daemon=True).start()
        self._requests.put(request)  # type: ignore[arg-type]
        if not request.done.acquire(timeout=max(timeout, 0.0)):
            raise WatchdogTimeout
        if request.error is not None:
            raise request.error
        return request.result  # type: ignore[return-value]

    def _work(self) -> None:
        while True:
            request = self._requests.get()
            if request is None:
                return
            try:
                request.result = request.function()
            except BaseException as exc:  # handed to the caller, who decides what it means
                request.error = exc
            with self._lock:
                self._idle += 1  # before the caller hears back, so its next request finds this worker
            request.done.release()

    def close(self) -> None:
        """Refuse new requests; each worker stops once it is free and the queue ahead is done."""
        with self._lock:
            self._closed = True
            threads = self._threads
        for _ in range(threads):
            self._requests.put(None)
