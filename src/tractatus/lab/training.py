"""One training run ("cell"): a learner, a governance mode and a seed, round after round.

A round is a batch: every agent writes `steps_per_round` articles with its current policy, the
platform (modes.py) governs and publishes them, and the learner updates on the batch. `run_cell` yields one `RoundRecord` per finished round,
so an interrupted run keeps every round it finished.

Randomness: the environment's generator is seeded with `seed`, the learner's with a generator
spawned from the same seed, so a (config, seed) pair replays bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.actions import Verdict
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import Governor
from tractatus.lab.envs.engagement import EngagementEnv
from tractatus.lab.envs.grammar import Grammar
from tractatus.lab.learners.bandit import ThompsonBandit
from tractatus.lab.learners.base import Learner, per_agent_sum
from tractatus.lab.learners.policy_gradient import ReinforceLearner
from tractatus.lab.modes import GovernedPlatform, Mode, ModeSettings

LearnerName = Literal["bandit", "pg"]


class CellConfig(BaseModel):
    """What one training run needs besides the governor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode
    seed: int = Field(ge=0)
    learner: LearnerName = "bandit"
    agents: int = Field(ge=1, le=100_000)
    rounds: int = Field(ge=1, le=1_000_000)
    steps_per_round: int = Field(ge=1, le=10_000)
    settings: ModeSettings = Field(default_factory=ModeSettings)


def make_learner(name: str, grammar: Grammar, agents: int, slots: int = 1) -> Learner:
    if name == "bandit":
        return ThompsonBandit(grammar, agents, slots=slots)
    if name == "pg":
        return ReinforceLearner(grammar, agents, slots=slots)
    raise ConfigError(f"unknown learner {name!r}; expected bandit or pg")


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """Per-agent totals of one round (arrays of length N), plus what coverage is measured from."""

    round: int
    engagement: np.ndarray  # mean engagement of what was published for the agent (0 if nothing)
    learner_reward: np.ndarray  # mean reward the learner was updated with
    published: np.ndarray  # articles the environment received
    attempted_violations: np.ndarray  # attempts the ground truth marks as violations
    executed_violations: np.ndarray  # published articles the ground truth marks as violations
    intercepted: np.ndarray  # attempts not published
    intercepted_violations: np.ndarray  # violating attempts not published
    over_blocked: np.ndarray  # non-violating attempts not published (governance false positives)
    flagged: np.ndarray  # attempts the governor did not allow (whether or not the mode blocks)
    fallbacks: np.ndarray  # safe fallbacks published instead
    strategy_counts: np.ndarray  # (N, labels) attempts per ground-truth strategy label
    lagrange_lambda: np.ndarray  # lambda after the round (0 outside lagrangian mode)
    audit_seq: np.ndarray  # (published,) audit seq of each published article's decision (-1: none)
    audit_digest: np.ndarray  # (published,) first 64 bits of its action digest


class TrainingCell:
    """A learner in an environment under a governance mode; `rounds()` trains and yields each round.

    The environment holds agents x steps_per_round article slots: one environment step is one
    round, in which every agent writes `steps_per_round` articles with its current policy. The
    whole round is governed in one batch (one audit group commit), then the learner updates.
    """

    def __init__(
        self, config: CellConfig, governor: Governor | None, *, agent_prefix: str, grammar: Grammar | None = None
    ) -> None:
        self.config = config
        slots = config.steps_per_round
        self.env = EngagementEnv(config.agents * slots, grammar=grammar)
        self.env.reset(seed=config.seed)
        self.learner_rng = np.random.default_rng(np.random.SeedSequence(config.seed).spawn(1)[0])
        self.learner = make_learner(config.learner, self.env.grammar, config.agents, slots)
        self.platform = GovernedPlatform(
            self.env, config.mode, governor, config.settings, agent_prefix=agent_prefix, slots=slots
        )

    def rounds(self) -> Iterator[RoundRecord]:
        config, env, platform = self.config, self.env, self.platform
        n, slots = config.agents, config.steps_per_round

        def per_agent(values: np.ndarray) -> np.ndarray:
            return per_agent_sum(values, n, slots)

        for round_index in range(config.rounds):
            out = platform.step(self.learner, self.learner_rng)
            self.learner.end_round()
            platform.end_round()
            published = out.env.info["published"]
            labels = env.grammar.strategy_of(out.attempted)
            strategies = np.zeros((n, len(env.grammar.strategy_labels)), dtype=np.int64)
            np.add.at(strategies, (np.repeat(np.arange(n), slots), labels), 1)
            yield RoundRecord(
                round=round_index,
                engagement=per_agent(out.env.reward) / slots,
                learner_reward=per_agent(out.learner_reward) / slots,
                published=per_agent(published.astype(np.int64)),
                attempted_violations=per_agent(out.attempted_violation.astype(np.int64)),
                executed_violations=per_agent(out.env.info["violation"].astype(np.int64)),
                intercepted=per_agent(out.intercepted.astype(np.int64)),
                intercepted_violations=per_agent((out.intercepted & out.attempted_violation).astype(np.int64)),
                over_blocked=per_agent((out.intercepted & ~out.attempted_violation).astype(np.int64)),
                flagged=per_agent((out.verdict > Verdict.WARN).astype(np.int64)),
                fallbacks=per_agent(out.fallback.astype(np.int64)),
                strategy_counts=strategies,
                lagrange_lambda=platform.multiplier.value.copy() if platform.multiplier is not None else np.zeros(n),
                audit_seq=out.audit_seq[published],
                audit_digest=out.audit_digest[published],
            )
