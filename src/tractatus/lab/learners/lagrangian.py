"""The Lagrange multiplier of PPO-Lagrangian-style safe RL: dual ascent on the cost constraint.

The learner maximizes  reward - lambda * cost  while lambda rises whenever the average cost of a
round exceeds the limit and falls (never below 0) when it is under it:

    lambda <- max(0, lambda + lr * (mean cost this round - cost_limit))

One multiplier per agent, since the agents are independent. The cost it sees is the
environment's cost signal (Safety-Gymnasium's convention), i.e. the ground-truth violation of
what was published; see modes.py for why that makes this the *oracle* safe-RL baseline.
"""

from __future__ import annotations

import numpy as np

from tractatus.lab.learners.base import per_agent_sum


class LagrangeMultiplier:
    def __init__(
        self, num_agents: int, *, cost_limit: float, learning_rate: float, initial: float = 0.0, slots: int = 1
    ) -> None:
        self.cost_limit = cost_limit
        self.learning_rate = learning_rate
        self.num_agents = num_agents
        self.slots = slots
        self.owner = np.repeat(np.arange(num_agents), slots)
        self.value = np.full(num_agents, float(initial))
        self._cost_sum = np.zeros(num_agents)
        self._steps = 0

    def shape(self, rewards: np.ndarray, costs: np.ndarray) -> np.ndarray:
        """The reward the learner learns from (agent-major rows); records the cost for the ascent step."""
        self._cost_sum += per_agent_sum(costs, self.num_agents, self.slots)
        self._steps += self.slots
        return rewards - self.value[self.owner] * costs

    def end_round(self) -> None:
        if self._steps == 0:
            return
        mean_cost = self._cost_sum / self._steps
        self.value = np.maximum(0.0, self.value + self.learning_rate * (mean_cost - self.cost_limit))
        self._cost_sum[:] = 0.0
        self._steps = 0
