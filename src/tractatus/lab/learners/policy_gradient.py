"""REINFORCE over the grammar's choices, with a per-agent baseline, batched over N agents (numpy).

The policy is factored: one softmax per dimension of the action (hook, claim, source, tone,
personal, wording), so an agent can learn *how to phrase* things as well as what to write.
That is the learner that can, in principle, find wording a detector misses.

Update, once per round, over the agent's batch of articles:
    theta_d += lr * mean over the batch of  A * (onehot(a_d) - p_d)
with A = (r - b) / s the reward standardized by the agent's running mean b and std s (EMA over
rounds), which makes the step size independent of the reward's scale (engagement is ~0.1).

With a mask (preemptive mode) the policy is the factored policy restricted to the allowed set and
renormalized; actions are drawn exactly from it and p_d is its marginal, so the gradient is the
exact gradient of log pi_masked(a).
"""

from __future__ import annotations

import numpy as np

from tractatus.lab.envs.grammar import Grammar
from tractatus.lab.learners.base import per_agent_sum, sample_categorical


class ReinforceLearner:
    name = "pg"

    def __init__(
        self,
        grammar: Grammar,
        num_agents: int,
        *,
        slots: int = 1,
        learning_rate: float = 0.5,
        baseline_decay: float = 0.05,
    ) -> None:
        self.grammar = grammar
        self.num_agents = num_agents
        self.slots = slots
        self.owner = np.repeat(np.arange(num_agents), slots)
        self.sizes = [int(s) for s in grammar.sizes]
        self.theta = [np.zeros((num_agents, k)) for k in self.sizes]
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.baseline = np.zeros(num_agents)
        self.reward_var = np.full(num_agents, 1e-4)
        self._seen = np.zeros(num_agents, dtype=bool)
        self._grad = [np.zeros_like(t) for t in self.theta]
        self._batches = 0
        self._marginals: list[np.ndarray] | None = None
        self._all = grammar.all_actions
        self._level_masks = [[self._all[:, d] == level for level in range(k)] for d, k in enumerate(self.sizes)]

    def probabilities(self) -> list[np.ndarray]:
        """Per-agent probabilities of each level, one (N, levels) array per dimension."""
        out = []
        for theta in self.theta:
            z = np.exp(theta - theta.max(axis=1, keepdims=True))
            out.append(z / z.sum(axis=1, keepdims=True))
        return out

    def act(self, topics: np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray:
        probs = [p[self.owner] for p in self.probabilities()]
        if allowed is None:
            self._marginals = probs
            return np.stack([sample_categorical(p, rng) for p in probs], axis=1)
        # Exact masked joint policy: p(a) proportional to prod_d p_d(a_d) over allowed a.
        joint = np.ones((len(self.owner), self._all.shape[0]))
        for d, p in enumerate(probs):
            joint *= p[:, self._all[:, d]]
        joint *= allowed
        total = joint.sum(axis=1, keepdims=True)
        if np.any(total <= 0):
            raise ValueError("the mask allows no action for some article")
        joint /= total
        chosen = sample_categorical(joint, rng)
        self._marginals = [
            np.stack([joint[:, mask].sum(axis=1) for mask in self._level_masks[d]], axis=1) for d in range(len(self.sizes))
        ]
        return self._all[chosen]

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        marginals = self._marginals if self._marginals is not None else [p[self.owner] for p in self.probabilities()]
        batch_mean = per_agent_sum(rewards, self.num_agents, self.slots) / self.slots
        first = ~self._seen
        self.baseline = np.where(first, batch_mean, self.baseline)
        advantage = (rewards - self.baseline[self.owner]) / np.sqrt(self.reward_var[self.owner] + 1e-12)
        rows = np.arange(len(rewards))
        for d, p in enumerate(marginals):
            grad = -p * advantage[:, None]
            grad[rows, actions[:, d]] += advantage
            self._grad[d] += per_agent_sum(grad, self.num_agents, self.slots) / self.slots
        delta = batch_mean - self.baseline
        batch_var = per_agent_sum((rewards - batch_mean[self.owner]) ** 2, self.num_agents, self.slots) / self.slots
        self.baseline += self.baseline_decay * delta
        self.reward_var = np.where(
            first,
            np.maximum(batch_var, self.reward_var),
            (1 - self.baseline_decay) * (self.reward_var + self.baseline_decay * delta**2) + self.baseline_decay * batch_var,
        )
        self._seen[:] = True
        self._batches += 1
        self._marginals = None

    def end_round(self) -> None:
        if self._batches == 0:
            return
        for theta, grad in zip(self.theta, self._grad, strict=True):
            theta += self.learning_rate * grad / self._batches
            grad[:] = 0.0
        self._batches = 0
