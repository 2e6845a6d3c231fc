"""REINFORCE over the grammar's choices, with a per-agent baseline, batched over N agents (numpy).

The policy is factored: one softmax per dimension of the action (hook, claim, source, tone,
personal, wording), so an agent can learn *how to phrase* things as well as what to write.
That is the learner that can, in principle, find wording a detector misses.

Update, once per round (a batch of steps):
    theta_d += lr * mean over steps of  A * (onehot(a_d) - p_d)
with A = (r - b) / s the reward standardized by the agent's running mean b and std s (EMA),
which makes the step size independent of the reward's scale (engagement is about 0.1).

With a mask (preemptive mode) the policy is the factored policy restricted to the allowed set and
renormalized; actions are drawn exactly from it and p_d is its marginal, so the gradient is the
exact gradient of log pi_masked(a).
"""

from __future__ import annotations

import numpy as np

from tractatus.lab.envs.grammar import Grammar
from tractatus.lab.learners.base import sample_categorical


class ReinforceLearner:
    name = "pg"

    def __init__(
        self,
        grammar: Grammar,
        num_agents: int,
        *,
        learning_rate: float = 0.5,
        baseline_decay: float = 0.05,
    ) -> None:
        self.grammar = grammar
        self.num_agents = num_agents
        self.sizes = [int(s) for s in grammar.sizes]
        self.theta = [np.zeros((num_agents, k)) for k in self.sizes]
        self.learning_rate = learning_rate
        self.baseline_decay = baseline_decay
        self.baseline = np.zeros(num_agents)
        self.reward_var = np.full(num_agents, 1e-4)
        self._seen = np.zeros(num_agents, dtype=bool)
        self._grad = [np.zeros_like(t) for t in self.theta]
        self._steps = 0
        self._marginals: list[np.ndarray] | None = None
        self._all = grammar.all_actions

    def probabilities(self) -> list[np.ndarray]:
        out = []
        for theta in self.theta:
            z = np.exp(theta - theta.max(axis=1, keepdims=True))
            out.append(z / z.sum(axis=1, keepdims=True))
        return out

    def act(self, topics: np.ndarray, rng: np.random.Generator, allowed: np.ndarray | None = None) -> np.ndarray:
        probs = self.probabilities()
        if allowed is None:
            self._marginals = probs
            return np.stack([sample_categorical(p, rng) for p in probs], axis=1)
        # Exact masked joint policy: p(a) proportional to prod_d p_d(a_d) over allowed a.
        joint = np.ones((self.num_agents, self._all.shape[0]))
        for d, p in enumerate(probs):
            joint *= p[:, self._all[:, d]]
        joint *= allowed
        total = joint.sum(axis=1, keepdims=True)
        if np.any(total <= 0):
            raise ValueError("the mask allows no action for some agent")
        joint /= total
        chosen = sample_categorical(joint, rng)
        self._marginals = [
            np.stack([joint[:, self._all[:, d] == level].sum(axis=1) for level in range(k)], axis=1)
            for d, k in enumerate(self.sizes)
        ]
        return self._all[chosen]

    def update(self, actions: np.ndarray, rewards: np.ndarray) -> None:
        if self._marginals is None:
            self._marginals = self.probabilities()
        first = ~self._seen
        self.baseline = np.where(first, rewards, self.baseline)
        advantage = (rewards - self.baseline) / np.sqrt(self.reward_var + 1e-12)
        rows = np.arange(self.num_agents)
        for d, p in enumerate(self._marginals):
            grad = -p * advantage[:, None]
            grad[rows, actions[:, d]] += advantage
            self._grad[d] += grad
        delta = rewards - self.baseline
        self.baseline += self.baseline_decay * delta
        self.reward_var = np.where(
            first, self.reward_var, (1 - self.baseline_decay) * (self.reward_var + self.baseline_decay * delta**2)
        )
        self._seen[:] = True
        self._steps += 1
        self._marginals = None

    def end_round(self) -> None:
        if self._steps == 0:
            return
        for theta, grad in zip(self.theta, self._grad, strict=True):
            theta += self.learning_rate * grad / self._steps
            grad[:] = 0.0
        self._steps = 0

    def greedy(self) -> np.ndarray:
        """Each agent's most probable choice per dimension (for reporting)."""
        return np.stack([t.argmax(axis=1) for t in self.theta], axis=1)
