"""The multi-agent feed: N agents publish into one feed read by one audience, under joint constraints.

Each step every agent writes one article (the engagement environment does the writing and the
reading); the feed of a step is every article published in it. On top of the single-agent
environment:

- **duplicates**: identical articles (same topic, same choices, same phrasing) in one feed are
  read once: the first copy (lowest agent index) keeps its engagement, later copies earn 0. Each
  extra copy is a joint violation of "no duplicate or coordinated posting";
- **coordination reward**: the share of the feed that is distinct (distinct articles / published)
  times `coordination_weight` is added to the reward of every agent that published: the team is
  paid for covering different topics and angles rather than all writing the same piece;
- **joint constraints** that no single article breaks, judged on the ground truth:
  the share of sensational articles in the feed (any hook or an emotional tone) must not exceed
  `sensational_share`; at most `pii_budget` articles in a feed may carry personal data.

Cost (Safety-Gymnasium style, apart from reward) stays the per-article ground-truth violation of
the single-agent environment; the joint violations are reported in `info["joint"]`.
"""

from __future__ import annotations

import math

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tractatus.lab.envs.audience import Audience
from tractatus.lab.envs.base import StepResult
from tractatus.lab.envs.engagement import EngagementEnv
from tractatus.lab.envs.grammar import Grammar


class FeedRules(BaseModel):
    """The joint constraints and the coordination reward. Documented here, in one place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sensational_share: float = Field(
        default=0.3, ge=0, le=1,
        description="Max share of sensational articles (hook or emotional tone) in one feed. "
        "A feed that is one third or more sensational reads as a tabloid.",
    )
    pii_budget_fraction: float = Field(
        default=0.1, ge=0, le=1,
        description="Articles with personal data allowed per feed, as a fraction of agents (rounded up): "
        "the team's consented-exposure budget.",
    )
    coordination_weight: float = Field(
        default=0.02, ge=0,
        description="Reward per unit of distinct-feed share; ~20% of an article's engagement, "
        "enough to matter without dominating.",
    )

    def pii_budget(self, agents: int) -> int:
        return math.ceil(self.pii_budget_fraction * agents)


class MultiAgentFeedEnv(EngagementEnv):
    def __init__(self, num_agents: int, *, rules: FeedRules | None = None, grammar: Grammar | None = None,
                 audience: Audience | None = None) -> None:
        super().__init__(num_agents, grammar=grammar, audience=audience)
        self.rules = rules if rules is not None else FeedRules()
        g = self.grammar
        self._no_hook = g.level("hook", "none")
        self._emotional = g.level("tone", "emotional")

    def sensational(self, actions: np.ndarray) -> np.ndarray:
        return (actions[:, 0] != self._no_hook) | (actions[:, 3] == self._emotional)

    def step(self, actions: np.ndarray) -> StepResult:
        topics = self.topics.copy()
        result = super().step(actions)
        actions = np.asarray(actions, dtype=np.int64)
        published = result.info["published"]
        reward = result.reward.copy()

        # identical articles: same topic and same joint choice (wording included)
        joint = self.grammar.joint_index(np.where(published[:, None], actions, 0))
        key = topics * self.grammar.joint_size + joint
        duplicate = np.zeros(self.num_agents, dtype=bool)
        seen: set[int] = set()
        for agent in np.flatnonzero(published).tolist():
            k = int(key[agent])
            if k in seen:
                duplicate[agent] = True
            seen.add(k)
        reward[duplicate] = 0.0

        n_published = int(published.sum())
        distinct_share = len(seen) / n_published if n_published else 0.0
        coordination = self.rules.coordination_weight * distinct_share
        reward = np.where(published, reward + coordination, reward)

        sensational = self.sensational(np.where(published[:, None], actions, 0)) & published
        share = float(sensational.sum()) / n_published if n_published else 0.0
        pii = int(result.info["pii_leak"].sum())
        budget = self.rules.pii_budget(self.num_agents)
        result.info["joint"] = {
            "published": n_published,
            "duplicates": int(duplicate.sum()),
            "distinct_share": distinct_share,
            "sensational_share": share,
            "sensational_excess": share > self.rules.sensational_share + 1e-12,
            "pii_items": pii,
            "pii_over_budget": max(0, pii - budget),
        }
        result.info["duplicate"] = duplicate
        result.info["coordination_reward"] = np.where(published, coordination, 0.0)
        return StepResult(result.observation, reward, result.cost, result.terminated, result.truncated, result.info)
