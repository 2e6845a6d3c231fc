"""What every learner offers: batched over N independent agents, numpy only, RNG injected.

- `act(topics, rng, allowed)` returns an int array (N, dims) of grammar choices. `allowed`, when
  given, is a bool mask (N, joint_size) over the whole action space: the learner must only pick
  allowed actions (the preemptive mode's mask).
- `update(actions, rewards)` is called after every step with the actions the learner is to be
  credited with and the reward it is to learn from (the mode decides both: see modes.py).
- `end_round()` is called once per training round (policy-gradient learners update there).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Learner(Protocol):
    name: str
    num_agents: int

    def act(self, topics: np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray: ...

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None: ...

    def end_round(self) -> None: ...


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (N, K) probability matrix, by inverse CDF (one uniform per row).

    Hand-written because numpy's Generator.choice takes one distribution at a time; this is the
    vectorized equivalent.
    """
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None] * cdf[:, -1:]
    return np.minimum((cdf <= u).sum(axis=1), probs.shape[1] - 1)
