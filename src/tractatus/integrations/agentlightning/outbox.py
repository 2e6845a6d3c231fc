"""The outbox that carries governance events to a remote AGL gateway off the agent's critical path.

A proxy in front of a gateway in another process (`create_governed_proxy` with `gateway_url`) used
to POST one `governance` event per decision before answering the agent: a whole HTTP exchange on
every model call. Now the answer waits only for the decision and its audit record, and the events
go out through this outbox, the transactional-outbox pattern:

* **Durable.** The record of each decision is the audit log entry the governor commits before the
  agent gets its answer (group-committed, fsynced). That entry is the outbox row; the queue here
  only relays it. If the proxy dies with events still queued, nothing is lost: `GovernanceHooks`
  reads the attempt's decisions from the same audit log and adds every one AGL has not received
  (matched by `audit_seq`) before it judges the rollout, so `on_succeeded` always sees them all.
* **Ordered where it matters.** Events of one rollout are delivered in order, and the proxy flushes
  a rollout's queue before it forwards any event the agent posts for it (its reward, say), so in
  AGL's store a governance event always precedes what the agent did after seeing the answer.
* **Flushed before the hooks.** `flush()` waits until a rollout's (or every) queued event is in AGL;
  the proxy flushes everything when it shuts down.

A gateway in the same process (the stack's default) needs none of this: the proxy writes the events
straight into AGL's store, before the answer, without HTTP (see proxy.InProcessGateway).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

log = logging.getLogger(__name__)

Deliver = Callable[[str, str, dict[str, Any]], Awaitable[None]]  # (rollout, attempt, event) -> delivered


@dataclass(slots=True)
class _Item:
    rollout_id: str
    attempt_id: str
    event: dict[str, Any]
    attempts: int = 0


class EventOutbox:
    """Relays events to AGL in the background, one rollout's events in order, rollouts in parallel.

    A delivery that fails is retried with exponential backoff up to `max_attempts` times; after that
    the event is dropped from the queue (counted in `dropped`, logged), which is safe because its
    audit entry stays and the hooks recover it from there. Runs on the event loop it is started on.
    """

    def __init__(
        self,
        deliver: Deliver,
        *,
        max_batch: int = 256,
        first_retry_s: float = 0.05,
        max_retry_s: float = 2.0,
        max_attempts: int = 12,
    ) -> None:
        self._deliver = deliver
        self._max_batch = max_batch
        self._first_retry_s = first_retry_s
        self._max_retry_s = max_retry_s
        self._max_attempts = max_attempts
        self._queue: deque[_Item] = deque()
        self._outstanding: Counter[str] = Counter()  # per rollout: queued or being delivered
        self._changed = asyncio.Condition()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.delivered = 0
        self.dropped = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="governance-outbox")

    def put(self, rollout_id: str, attempt_id: str, events: list[dict[str, Any]]) -> None:
        """Queue events (never blocks: call it on the proxy's event loop)."""
        for event in events:
            self._queue.append(_Item(rollout_id, attempt_id, event))
        self._outstanding[rollout_id] += len(events)
        self._wake.set()

    def pending(self, rollout_id: str | None = None) -> int:
        return self._outstanding[rollout_id] if rollout_id is not None else sum(self._outstanding.values())

    async def flush(self, rollout_id: str | None = None, *, timeout: float = 10.0) -> None:
        """Return once the rollout's (or every) queued event was delivered or dropped; raise
        TimeoutError if that takes longer than `timeout` seconds."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(lambda: self.pending(rollout_id) == 0), timeout)

    async def aclose(self, *, timeout: float = 10.0) -> None:
        """Flush what can be flushed within `timeout`, then stop the relay."""
        try:
            await self.flush(timeout=timeout)
        except TimeoutError:
            log.error(
                "governance outbox: %d event(s) not delivered at shutdown (the audit log has them)",
                self.pending(),
            )
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch: dict[str, list[_Item]] = {}
                while self._queue and sum(map(len, batch.values())) < self._max_batch:
                    item = self._queue.popleft()
                    batch.setdefault(item.rollout_id, []).append(item)
                retry = await asyncio.gather(*(self._deliver_in_order(items) for items in batch.values()))
                failed = [item for items in retry for item in items]
                if failed:
                    self._queue.extendleft(reversed(failed))
                    delay = min(self._max_retry_s, self._first_retry_s * 2 ** (failed[0].attempts - 1))
                    await asyncio.sleep(delay)

    async def _deliver_in_order(self, items: list[_Item]) -> list[_Item]:
        """Deliver one rollout's events in order; return the ones to retry (the first failure on)."""
        for position, item in enumerate(items):
            try:
                await self._deliver(item.rollout_id, item.attempt_id, item.event)
            except Exception as exc:
                item.attempts += 1
                if item.attempts < self._max_attempts:
                    return items[position:]
                log.error(
                    "governance outbox: dropping an event for rollout %s after %d attempts (%s); "
                    "the audit log keeps it",
                    item.rollout_id,
                    item.attempts,
                    exc,
                )
                self.dropped += 1
            else:
                self.delivered += 1
            await self._resolved(item.rollout_id)
        return []

    async def _resolved(self, rollout_id: str) -> None:
        async with self._changed:
            self._outstanding[rollout_id] -= 1
            if self._outstanding[rollout_id] <= 0:
                del self._outstanding[rollout_id]
            self._changed.notify_all()
