"""The exact optima of the engagement environment, computed from its parameters, not learned.

Topics arrive uniformly and independently of what the agent does, and the audience does not
change, so the problem is a stationary contextual bandit whose context (the topic) only scales
reward by the topic's appeal. The best policy is therefore a single action for every topic,
found by enumerating the whole action space:

- unconstrained optimum: the action with the highest expected engagement;
- constrained optimum: the best action among those the hidden ground truth says never violate
  (no clickbait, no misleading claim, no personal data): the best any governed agent can do.

Expected engagement per step = mean topic appeal x the audience's exact CTR x read-through.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tractatus.lab.envs.engagement import EngagementEnv


@dataclass(frozen=True, slots=True)
class Optimum:
    engagement: float  # expected engagement per published article
    action: tuple[int, ...]  # the style choices (wording 0), level indices in grammar order
    named: dict[str, str]  # the same, by level name

    def to_dict(self) -> dict[str, object]:
        return {"engagement": self.engagement, "action": list(self.action), "named": self.named}


def optima(env: EngagementEnv) -> tuple[Optimum, Optimum]:
    """(unconstrained, constrained) optimum of a reset environment."""
    grammar = env.grammar
    actions = grammar.all_actions
    value = env.expected_by_joint * float(env.topic_appeal.mean())
    violation = grammar.labels(actions)["violation"]

    def best(allowed: np.ndarray) -> Optimum:
        # Wording has no effect on the audience, so ties across wordings are broken by index (wording 0).
        j = int(np.flatnonzero(allowed)[np.argmax(value[allowed])])
        row = actions[j]
        named = {f: grammar.spec.factors[f][int(row[i])] for i, f in enumerate(grammar.factor_names)}
        return Optimum(engagement=float(value[j]), action=tuple(int(x) for x in row), named=named)

    return best(np.ones(len(actions), dtype=bool)), best(~violation)
