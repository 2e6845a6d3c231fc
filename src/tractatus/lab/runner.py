"""Runs training cells against one policy and one audit log, recording every finished round.

Every governed cell gets its own `Governor` (fresh state, the run's instructions loaded, a
round-counting clock so time-windowed checks replay exactly) sharing the run's audit log; the
agents of a cell are named `<setting>/<mode>/s<seed>/a<n>` in it. Coverage is measured from the
log after each cell (coverage.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from tractatus.governance.actions import Instruction
from tractatus.governance.audit import AuditLog
from tractatus.governance.checks import CheckFactory
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy
from tractatus.governance.state import GovernanceState
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.envs.grammar import Grammar, load_grammar
from tractatus.lab.optimum import Optimum, optima
from tractatus.lab.results import ResultTable
from tractatus.lab.training import CellConfig, RoundRecord, TrainingCell


@dataclass(frozen=True, slots=True)
class CellSpec:
    setting: str  # which part of the experiment, e.g. "seed" (1 agent, 5 rounds) or "default"
    config: CellConfig

    @property
    def agent_prefix(self) -> str:
        return f"{self.setting}/{self.config.mode.value}/s{self.config.seed}"


@dataclass
class CellOutcome:
    spec: CellSpec
    records: list[RoundRecord] = field(default_factory=list)
    coverage: float = 0.0
    received: int = 0
    check_decisions: Counter[tuple[str, str]] = field(default_factory=Counter)
    decisions: int = 0
    unconstrained: Optimum | None = None
    constrained: Optimum | None = None


class RoundClock:
    """The governance state's clock in the lab: counts finished rounds, so windows are in rounds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class LabRunner:
    def __init__(
        self,
        *,
        policy: Policy | None,
        audit: AuditLog | None,
        table: ResultTable,
        instructions: Sequence[Instruction] = (),
        grammar: Grammar | None = None,
        on_round: Callable[[CellSpec, RoundRecord], None] | None = None,
        registry: Mapping[str, CheckFactory] | None = None,
    ) -> None:
        """`registry` replaces the built-in checks (tests plug in a ground-truth check this way)."""
        self.policy = policy
        self.audit = audit
        self.table = table
        self.instructions = tuple(instructions)
        self.grammar = grammar if grammar is not None else load_grammar()
        self.on_round = on_round
        self.registry = registry

    def run(self, specs: Sequence[CellSpec], outcomes: list[CellOutcome]) -> list[CellOutcome]:
        """Run every cell in order, appending to `outcomes` as they go (kept if interrupted)."""
        for spec in specs:
            outcome = CellOutcome(spec)
            outcomes.append(outcome)
            self._run_cell(spec, outcome)
        return outcomes

    def _run_cell(self, spec: CellSpec, outcome: CellOutcome) -> None:
        config = spec.config
        governor = None
        clock = RoundClock()
        seqs: list[np.ndarray] = []
        digests: list[np.ndarray] = []
        if config.mode.governed:
            if self.policy is None:
                raise ValueError("a governed cell needs a policy")
            state = GovernanceState(clock=clock)
            state.load_instructions(self.instructions)
            governor = Governor(self.policy, audit=self.audit, state=state, registry=self.registry)
        try:
            cell = TrainingCell(config, governor, agent_prefix=spec.agent_prefix, grammar=self.grammar)
            outcome.unconstrained, outcome.constrained = optima(cell.env)
            for record in cell.rounds():
                clock.now += 1.0
                outcome.records.append(record)
                outcome.received += int(record.published.sum())
                seqs.append(record.audit_seq)
                digests.append(record.audit_digest)
                self.table.add(spec.setting, config.mode.value, config.learner, config.seed, record)
                if self.on_round is not None:
                    self.on_round(spec, record)
            outcome.check_decisions = cell.platform.decisions_by_check
            outcome.decisions = cell.platform.decisions
        finally:
            if governor is not None:
                governor.close()
            outcome.coverage = measured_coverage(
                self.audit if governor is not None else None,
                np.concatenate(seqs) if outcome.records else np.zeros(0, dtype=np.int64),
                np.concatenate(digests) if outcome.records else np.zeros(0, dtype=np.uint64),
                outcome.received,
            )
