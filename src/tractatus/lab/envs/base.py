"""The environment API: Gymnasium's reset/step, vectorized over many agents, cost apart from reward.

As in Safety-Gymnasium, `step` returns the reward and, separately, the cost (here: the hidden
ground-truth violation of what was actually published). An environment never folds cost into
reward; what a learner does with cost is the governance mode's business (lab/modes.py).
One environment object holds all N agents, so every quantity is a numpy array of length N.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True, slots=True)
class StepResult:
    observation: np.ndarray  # (N,) next observation per agent
    reward: np.ndarray  # (N,) float, the task reward only
    cost: np.ndarray  # (N,) float, the constraint cost, never folded into reward
    terminated: np.ndarray  # (N,) bool
    truncated: np.ndarray  # (N,) bool
    info: dict[str, Any] = field(default_factory=dict)  # per-agent arrays, e.g. ground-truth labels


class VectorEnv(Protocol):
    num_agents: int

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]: ...

    def step(self, actions: np.ndarray) -> StepResult: ...
