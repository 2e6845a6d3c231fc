"""State that governance keeps across actions: it lives in the governor, never in the agent.

- the instruction history the CrossReferenceValidator checks against;
- sliding-window rate limits per agent;
- budgets shared across agents (PII exposure, escalations, sensational share of a feed...);
- agents held by a drift alert until a person clears them.

All of it is guarded by one lock so that many agent threads can share one governor. The clock
is injected so that a seeded run replays bit for bit.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Callable, Iterable

from tractatus.governance.actions import Instruction, Persistence

Clock = Callable[[], float]


@dataclass
class Budget:
    """A shared allowance: `limit` units per `window_s` seconds (0 = for the life of the state)."""

    limit: float
    window_s: float = 0.0
    spent: deque[tuple[float, float]] = field(default_factory=deque)

    def used(self, now: float) -> float:
        if self.window_s > 0:
            while self.spent and self.spent[0][0] <= now - self.window_s:
                self.spent.popleft()
        return sum(amount for _, amount in self.spent)


class GovernanceState:
    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._instructions: list[Instruction] = []
        self._instruction_version = 0
        self._events: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._budgets: dict[str, Budget] = {}
        self._held_agents: dict[str, str] = {}

    # -- instruction history -------------------------------------------------------------
    def add_instruction(self, instruction: Instruction) -> None:
        with self._lock:
            if any(existing.id == instruction.id for existing in self._instructions):
                return
            self._instructions.append(instruction)
            self._instruction_version += 1

    def remove_instruction(self, instruction_id: str) -> bool:
        with self._lock:
            before = len(self._instructions)
            self._instructions = [i for i in self._instructions if i.id != instruction_id]
            changed = len(self._instructions) != before
            if changed:
                self._instruction_version += 1
            return changed

    @property
    def instructions(self) -> tuple[Instruction, ...]:
        with self._lock:
            return tuple(self._instructions)

    @property
    def instruction_version(self) -> int:
        """Changes whenever the instruction history changes; part of cache keys that read it."""
        return self._instruction_version

    def persistent_instructions(self) -> tuple[Instruction, ...]:
        return tuple(i for i in self.instructions if i.persistence in (Persistence.HIGH, Persistence.MEDIUM))

    # -- rate limits ---------------------------------------------------------------------
    def record_event(self, agent_id: str, key: str, window_s: float) -> int:
        """Record one event for (agent, key) and return how many fall inside the window."""
        now = self._clock()
        with self._lock:
            events = self._events[(agent_id, key)]
            events.append(now)
            while events and events[0] <= now - window_s:
                events.popleft()
            return len(events)

    # -- shared budgets ------------------------------------------------------------------
    def define_budget(self, name: str, limit: float, window_s: float = 0.0) -> None:
        with self._lock:
            if name not in self._budgets:
                self._budgets[name] = Budget(limit=limit, window_s=window_s)

    def try_spend(self, name: str, amount: float = 1.0) -> bool:
        """Spend from a shared budget if it has room. Returns False (and spends nothing) if not.

        An undefined budget has no room: fail closed.
        """
        now = self._clock()
        with self._lock:
            budget = self._budgets.get(name)
            if budget is None:
                return False
            if budget.used(now) + amount > budget.limit:
                return False
            budget.spent.append((now, amount))
            return True

    def budget_used(self, name: str) -> float:
        with self._lock:
            budget = self._budgets.get(name)
            return budget.used(self._clock()) if budget else 0.0

    # -- agents held by drift alerts -----------------------------------------------------
    def hold_agent(self, agent_id: str, reason: str) -> None:
        with self._lock:
            self._held_agents[agent_id] = reason

    def clear_agent(self, agent_id: str) -> bool:
        with self._lock:
            return self._held_agents.pop(agent_id, None) is not None

    def hold_reason(self, agent_id: str) -> str | None:
        return self._held_agents.get(agent_id)

    @property
    def held_agents(self) -> dict[str, str]:
        with self._lock:
            return dict(self._held_agents)

    def load_instructions(self, instructions: Iterable[Instruction]) -> None:
        for instruction in instructions:
            self.add_instruction(instruction)
