"""A Beta-Bernoulli Thompson-sampling bandit over response strategies, learned online.

The lab's learners (tractatus.lab.learners) are batched over many simulated agents; the service
has one live stream of ratings arriving seconds to days after each choice, so it keeps this
small numpy bandit: one Beta(alpha, beta) posterior per strategy, a seeded generator (a seed
reproduces the sequence of choices for the same sequence of rewards), and a lock because
requests arrive on many threads.

Reward is in [0, 1]: 1 for "helpful", 0 for "not helpful", and 0 for a draft that governance
blocked (the shield pattern: the learner is updated with the action it attempted, so it learns
to stop drafting what governance refuses).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Collection, Iterable, Sequence

import numpy as np


@dataclass(frozen=True, slots=True)
class ArmStats:
    strategy: str
    alpha: float
    beta: float
    pulls: int

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)


class ThompsonBandit:
    def __init__(self, arms: Sequence[str], *, seed: int = 0, prior: tuple[float, float] = (1.0, 1.0)) -> None:
        if not arms or len(set(arms)) != len(arms):
            raise ValueError("a bandit needs distinct arms")
        self.arms = tuple(arms)
        self._index = {arm: i for i, arm in enumerate(self.arms)}
        self._alpha = np.full(len(arms), prior[0], dtype=float)
        self._beta = np.full(len(arms), prior[1], dtype=float)
        self._pulls = np.zeros(len(arms), dtype=np.int64)
        self._rng = np.random.default_rng(seed)
        self._lock = threading.Lock()

    def choose(self, allowed: Collection[str] | None = None) -> str:
        """Thompson sampling among `allowed` arms (default: all). Every arm is sampled either way,
        so the random stream, and with it a seeded run, does not depend on what was allowed."""
        with self._lock:
            samples = self._rng.beta(self._alpha, self._beta)
            if allowed is not None:
                mask = np.array([a in allowed for a in self.arms])
                if not mask.any():
                    raise ValueError("no allowed arm to choose from")
                samples = np.where(mask, samples, -1.0)
            arm = int(np.argmax(samples))
            self._pulls[arm] += 1
            return self.arms[arm]

    def update(self, arm: str, reward: float) -> None:
        if not 0.0 <= reward <= 1.0:
            raise ValueError(f"reward must be in [0, 1], got {reward}")
        i = self._index[arm]
        with self._lock:
            self._alpha[i] += reward
            self._beta[i] += 1.0 - reward

    def replay(self, history: Iterable[tuple[str, float | None]]) -> None:
        """Rebuild the posterior from stored rollouts (strategy, reward or None if unrated)."""
        for arm, reward in history:
            if arm not in self._index:
                continue  # a strategy retired since: its history no longer informs the choice
            with self._lock:
                self._pulls[self._index[arm]] += 1
            if reward is not None:
                self.update(arm, reward)

    def stats(self) -> list[ArmStats]:
        with self._lock:
            return [
                ArmStats(arm, float(self._alpha[i]), float(self._beta[i]), int(self._pulls[i]))
                for i, arm in enumerate(self.arms)
            ]
