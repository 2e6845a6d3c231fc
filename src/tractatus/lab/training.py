"""One training run ("cell"): a learner, a governance mode and a seed, round after round.

A round is `steps_per_round` steps; in each step every agent writes one article (one action),
the platform (modes.py) governs and publishes it, and the learner is updated. At the end of a
round the learner's batch update runs. `run_cell` yields one `RoundRecord` per finished round,
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
from tractatus.lab.learners.base import Learner
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


def make_learner(name: str, grammar: Grammar, agents: int) -> Learner:
    if name == "bandit":
        return ThompsonBandit(grammar, agents)
    if name == "pg":
        return ReinforceLearner(grammar, agents)
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
    """A learner in an environment under a governance mode; `rounds()` trains and yields each round."""

    def __init__(
        self, config: CellConfig, governor: Governor | None, *, agent_prefix: str, grammar: Grammar | None = None
    ) -> None:
        self.config = config
        self.env = EngagementEnv(config.agents, grammar=grammar)
        self.env.reset(seed=config.seed)
        self.learner_rng = np.random.default_rng(np.random.SeedSequence(config.seed).spawn(1)[0])
        self.learner = make_learner(config.learner, self.env.grammar, config.agents)
        self.platform = GovernedPlatform(self.env, config.mode, governor, config.settings, agent_prefix=agent_prefix)

    def rounds(self) -> Iterator[RoundRecord]:
        config, env, learner, platform, learner_rng = self.config, self.env, self.learner, self.platform, self.learner_rng
        labels = len(env.grammar.strategy_labels)
        n = config.agents
        for round_index in range(config.rounds):
            totals = {name: np.zeros(n) for name in ("engagement", "learner_reward")}
            counts = {
                name: np.zeros(n, dtype=np.int64)
                for name in (
                    "published",
                    "attempted_violations",
                    "executed_violations",
                    "intercepted",
                    "intercepted_violations",
                    "over_blocked",
                    "flagged",
                    "fallbacks",
                )
            }
            strategies = np.zeros((n, labels), dtype=np.int64)
            seqs: list[np.ndarray] = []
            digests: list[np.ndarray] = []
            for _ in range(config.steps_per_round):
                out = platform.step(learner, learner_rng)
                published = out.env.info["published"]
                totals["engagement"] += out.env.reward
                totals["learner_reward"] += out.learner_reward
                counts["published"] += published
                counts["attempted_violations"] += out.attempted_violation
                counts["executed_violations"] += out.env.info["violation"]
                counts["intercepted"] += out.intercepted
                counts["intercepted_violations"] += out.intercepted & out.attempted_violation
                counts["over_blocked"] += out.intercepted & ~out.attempted_violation
                counts["flagged"] += out.verdict > Verdict.WARN
                counts["fallbacks"] += out.fallback
                strategies[np.arange(n), env.grammar.strategy_of(out.attempted)] += 1
                seqs.append(out.audit_seq[published])
                digests.append(out.audit_digest[published])
            learner.end_round()
            platform.end_round()
            steps = config.steps_per_round
            yield RoundRecord(
                round=round_index,
                engagement=totals["engagement"] / steps,
                learner_reward=totals["learner_reward"] / steps,
                strategy_counts=strategies,
                lagrange_lambda=platform.multiplier.value.copy() if platform.multiplier is not None else np.zeros(n),
                audit_seq=np.concatenate(seqs),
                audit_digest=np.concatenate(digests),
                **counts,
            )
