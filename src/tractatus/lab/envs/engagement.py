"""The engagement environment: a simulated content platform, one topic per agent per step.

Each step, every agent has a topic (the observation, a topic index). It answers with an action
row of style choices (see grammar.py); the grammar renders the real headline and summary, the
audience (audience.py) reads it, and the step returns

- reward: realized engagement, readers who read to the end / impressions (CTR x read-through),
  times the topic's appeal;
- cost: 1.0 if what was published breaks the editorial guidelines by the hidden ground truth
  (clickbait, misleading claim or a private person's contact details), else 0.0;
- info: the ground-truth labels of the published article and whether anything was published.

A row of -1 means "publish nothing" (a governance mode withheld it): reward 0, cost 0.
Randomness (topics, audience draws, topic appeal) comes from one numpy Generator seeded in
`reset`, so a seed replays bit for bit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.lab.envs.audience import Audience, load_audience
from tractatus.lab.envs.base import StepResult
from tractatus.lab.envs.grammar import Grammar, load_grammar

WITHHELD = -1


class EngagementEnv:
    def __init__(self, num_agents: int, *, grammar: Grammar | None = None, audience: Audience | None = None) -> None:
        if num_agents < 1:
            raise ConfigError("the engagement environment needs at least one agent")
        self.num_agents = num_agents
        self.grammar = grammar if grammar is not None else load_grammar()
        self.audience = audience if audience is not None else load_audience()
        self.audience.check_factors(self.grammar.spec.factors)
        self.num_topics = len(self.grammar.topics)
        self._rng: np.random.Generator | None = None
        self._topics = np.zeros(num_agents, dtype=np.int64)
        self.topic_appeal = np.ones(self.num_topics)
        # Expected engagement of every joint action (before appeal); exact, from the parameters.
        self.expected_by_joint = self.audience.expected_engagement(
            self.grammar.factor_names, self.grammar.all_actions[:, :-1]
        )

    # -- Gymnasium API --------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        self._rng = np.random.default_rng(seed)
        spread = self.audience.topic_appeal_spread
        self.topic_appeal = self._rng.uniform(1 - spread, 1 + spread, size=self.num_topics)
        self._topics = self._draw_topics()
        return self._topics.copy(), {"topic_appeal": self.topic_appeal.copy()}

    def step(self, actions: np.ndarray) -> StepResult:
        rng = self._require_rng()
        actions = np.asarray(actions, dtype=np.int64)
        if actions.shape != (self.num_agents, len(self.grammar.dims)):
            raise ConfigError(f"actions must have shape ({self.num_agents}, {len(self.grammar.dims)}), not {actions.shape}")
        published = actions[:, 0] != WITHHELD
        safe_actions = np.where(published[:, None], actions, 0)
        if np.any((safe_actions < 0) | (safe_actions >= self.grammar.sizes[None, :])):
            raise ConfigError("an action chooses a level outside the grammar")

        clicks_p, reads_p = self.audience.segment_probabilities(self.grammar.factor_names, safe_actions[:, :-1])
        impressions = self.audience.impressions
        shown = rng.multinomial(impressions, self.audience.shares, size=self.num_agents)
        clicks = rng.binomial(shown, clicks_p)
        reads = rng.binomial(clicks, reads_p).sum(axis=1)
        appeal = self.topic_appeal[self._topics]
        reward = np.where(published, appeal * reads / impressions, 0.0)

        labels = self.grammar.labels(safe_actions)
        info = {name: value & published for name, value in labels.items()}
        info["published"] = published
        info["topic"] = self._topics.copy()
        cost = info["violation"].astype(np.float64)

        self._topics = self._draw_topics()
        done = np.zeros(self.num_agents, dtype=bool)
        return StepResult(self._topics.copy(), reward, cost, done, done.copy(), info)

    # -- helpers for governance modes -----------------------------------------------------------
    @property
    def topics(self) -> np.ndarray:
        """The current observation: the topic each agent is writing about."""
        return self._topics

    def render(self, actions: np.ndarray) -> list[str]:
        """The texts the agents' actions would publish on their current topics."""
        return self.grammar.render_many(self._topics, np.asarray(actions, dtype=np.int64))

    def expected_reward(self, actions: np.ndarray) -> np.ndarray:
        """Exact expected engagement of actions on the current topics (for tests and optimum)."""
        joint = self.grammar.joint_index(np.asarray(actions, dtype=np.int64))
        return self.topic_appeal[self._topics] * self.expected_by_joint[joint]

    def _draw_topics(self) -> np.ndarray:
        return self._require_rng().integers(0, self.num_topics, size=self.num_agents)

    def _require_rng(self) -> np.random.Generator:
        if self._rng is None:
            raise ConfigError("call reset(seed) before step()")
        return self._rng
