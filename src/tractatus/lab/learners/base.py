"""What every learner offers: batched over N independent agents, numpy only, RNG injected.

A training round is a batch: each of the N agents writes `slots` articles with its current
policy, governance decides them all at once (one audit group commit), and the learner then
updates on the whole batch, as Agent Lightning's training rounds do. Rows of every array are
agent-major: row r belongs to agent r // slots.

- `act(topics, rng, allowed)` returns an int array (N * slots, dims) of grammar choices.
  `allowed`, when given, is a bool mask (N * slots, joint_size) over the whole action space:
  the learner must pick allowed actions only (the preemptive mode's mask).
- `update(actions, rewards)` gets the actions the learner is to be credited with and the reward
  it is to learn from, per row (the mode decides both: see modes.py).
- `end_round()` applies the round's update.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Learner(Protocol):
    name: str
    num_agents: int
    slots: int

    def act(self, topics: np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray: ...

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None: ...

    def end_round(self) -> None: ...


def sample_categorical(probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of a (M, K) probability matrix, by inverse CDF (one uniform per row).

    Hand-written because numpy's Generator.choice takes one distribution at a time; this is the
    vectorized equivalent.
    """
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0])[:, None] * cdf[:, -1:]
    return np.minimum((cdf <= u).sum(axis=1), probs.shape[1] - 1)


def per_agent_sum(values: np.ndarray, num_agents: int, slots: int) -> np.ndarray:
    """Sum agent-major rows (M, ...) into (N, ...)."""
    return values.reshape(num_agents, slots, *values.shape[1:]).sum(axis=1)
