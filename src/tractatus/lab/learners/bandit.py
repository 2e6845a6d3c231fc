"""Gaussian Thompson sampling over the grammar's named strategies, one bandit per agent.

Each arm is a strategy from grammar.yaml (a fixed set of style choices); the wording of each
article is drawn uniformly at random, so the bandit learns which *kind* of article pays, not
which phrasing. Thompson sampling rather than UCB1 because engagement rewards live on a scale
of about 0.1 with differences of about 0.01: UCB1's bonus assumes rewards in [0, 1] and would
explore for thousands of rounds, while a Gaussian posterior uses the observed noise level.

Batched Thompson sampling: within a round each of an agent's articles draws its own posterior
sample; the posterior is updated with the whole round's rewards. Posterior of arm k:
mean_k + sqrt(noise_var / n_k) * z, with noise_var the agent's pooled running variance of
rewards. Arms never played are tried first.
"""

from __future__ import annotations

import numpy as np

from tractatus.lab.envs.grammar import Grammar
from tractatus.lab.learners.base import per_agent_sum


class ThompsonBandit:
    name = "bandit"

    def __init__(self, grammar: Grammar, num_agents: int, *, slots: int = 1, prior_variance: float = 0.01) -> None:
        self.grammar = grammar
        self.num_agents = num_agents
        self.slots = slots
        self.owner = np.repeat(np.arange(num_agents), slots)
        self.arms = grammar.strategy_table  # (K, factors)
        self.num_arms = self.arms.shape[0]
        self.counts = np.zeros((num_agents, self.num_arms))
        self.sums = np.zeros((num_agents, self.num_arms))
        self.sq_sums = np.zeros(num_agents)
        self.total = np.zeros(num_agents)
        self.prior_variance = prior_variance
        self._radix = grammar.radix
        self._wordings = int(grammar.sizes[-1])
        self._arm_joint = self.arms @ grammar.radix[:-1]  # joint index of each arm with wording 0

    def act(self, topics: np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray:
        rows = len(self.owner)
        wording = rng.integers(0, self._wordings, size=rows)
        z = rng.standard_normal((rows, self.num_arms))
        noise_var = self._noise_variance()[self.owner]
        counts = self.counts[self.owner]
        means = np.divide(self.sums, self.counts, out=np.zeros_like(self.sums), where=self.counts > 0)[self.owner]
        scores = means + np.sqrt(noise_var[:, None] / np.maximum(counts, 1)) * z
        scores = np.where(counts == 0, 1e9 + z, scores)  # untried arms first, in random order
        if allowed is not None:
            arm_ok = allowed[np.arange(rows)[:, None], self._arm_joint[None, :] + wording[:, None]]
            scores = np.where(arm_ok, scores, -np.inf)
        arms = np.argmax(scores, axis=1)
        return np.concatenate([self.arms[arms], wording[:, None]], axis=1)

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        arms = self._arms_of(actions)
        np.add.at(self.counts, (self.owner, arms), 1.0)
        np.add.at(self.sums, (self.owner, arms), rewards)
        self.sq_sums += per_agent_sum(rewards**2, self.num_agents, self.slots)
        self.total += self.slots

    def end_round(self) -> None:
        return None  # the posterior was updated with the round's batch in update()

    def _arms_of(self, actions: np.ndarray) -> np.ndarray:
        # Actions credited to the bandit are always one of its arms (any wording).
        joint = actions[:, :-1] @ self._radix[:-1]
        matches = joint[:, None] == self._arm_joint[None, :]
        if not matches.any(axis=1).all():
            raise ValueError("the bandit was credited with an action that is none of its strategies")
        return np.argmax(matches, axis=1)

    def _noise_variance(self) -> np.ndarray:
        # Pooled variance of this agent's rewards (an upper bound on per-arm noise), with a
        # prior worth 2 observations so early samples do not collapse it to zero.
        mean = np.divide(self.sums.sum(axis=1), self.total, out=np.zeros(self.num_agents), where=self.total > 0)
        var = np.divide(self.sq_sums, self.total, out=np.zeros(self.num_agents), where=self.total > 0) - mean**2
        return (np.maximum(var, 0) * self.total + 2 * self.prior_variance) / (self.total + 2)
