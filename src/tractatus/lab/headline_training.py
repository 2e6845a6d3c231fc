"""One training run in the headline environment: a learner, a mode and a seed, round after round.

A round is one environment step in which each agent fills `steps_per_round` slots (headlines).
The null baselines (headline_baselines.py) are computed on the same candidates every round, with
their own generator, so they never change the agent's randomness. Seeds: the environment's
generator is seeded with `seed`; the learner's and the baselines' are spawned from it, so a
(config, seed) pair replays bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.governor import Governor
from tractatus.lab.envs.headlines import NOTHING, HeadlineEnv, HeadlineSettings, HeadlineWorld
from tractatus.lab.headline_baselines import BASELINES, baseline_step
from tractatus.lab.headline_platform import HeadlinePlatform, PoolVerdicts
from tractatus.lab.learners.base import per_agent_sum
from tractatus.lab.learners.headline_learners import make_headline_learner
from tractatus.lab.modes import Mode, ModeSettings


class HeadlineCellConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode
    seed: int = Field(ge=0)
    learner: str = "linear-ts"
    agents: int = Field(ge=1, le=100_000)
    rounds: int = Field(ge=1, le=1_000_000)
    steps_per_round: int = Field(ge=1, le=10_000)
    settings: ModeSettings = Field(default_factory=ModeSettings)
    env: HeadlineSettings = Field(default_factory=HeadlineSettings)


@dataclass(frozen=True, slots=True)
class HeadlineRound:
    """Per-agent totals of one round (arrays of length N) and the round's null baselines (sums)."""

    round: int
    engagement: np.ndarray  # mean realised clicks/readers per slot (0 where nothing was published)
    expected_engagement: np.ndarray  # mean engagement-model CTR of what was published, per slot
    proposal_value: np.ndarray  # summed CTR of the agent's own first proposals (value of its choices)
    proposals: np.ndarray  # slots in which the agent could propose at all
    learner_reward: np.ndarray  # mean reward the learner got for published headlines, per slot
    published: np.ndarray
    attempts: np.ndarray
    attempted_violations: np.ndarray  # proposals labelled clickbait
    executed_violations: np.ndarray  # published headlines labelled clickbait
    intercepted: np.ndarray
    intercepted_violations: np.ndarray
    over_blocked: np.ndarray  # proposals labelled news that the governor stopped
    flagged: np.ndarray
    first_proposal_clickbait: np.ndarray  # first proposals labelled clickbait (the agent's taste)
    lagrange_lambda: np.ndarray
    baseline_value: dict[str, float]  # name -> summed expected CTR over all slots
    baseline_published: dict[str, int]
    baseline_clickbait: dict[str, int]
    audit_seq: np.ndarray  # (published,) audit seq of each published headline's decision (-1: none)
    audit_digest: np.ndarray


class HeadlineCell:
    def __init__(
        self,
        config: HeadlineCellConfig,
        world: HeadlineWorld,
        features: np.ndarray,
        governor: Governor | None,
        *,
        agent_prefix: str,
        verdicts: PoolVerdicts,
        dry_run: Governor,
    ) -> None:
        """`dry_run`: a governor with the run's instructions that only evaluates (for the baselines)."""
        self.config = config
        slots = config.steps_per_round
        self.env = HeadlineEnv(config.agents * slots, world, config.env)
        self.env.reset(seed=config.seed)
        learner_seq, baseline_seq = np.random.SeedSequence(config.seed).spawn(2)
        self.learner_rng = np.random.default_rng(learner_seq)
        self.baseline_rng = np.random.default_rng(baseline_seq)
        self.learner = make_headline_learner(config.learner, config.agents, features.shape[1])
        self.platform = HeadlinePlatform(
            self.env, features, config.mode, governor, config.settings, agents=config.agents, agent_prefix=agent_prefix, verdicts=verdicts
        )
        self.verdicts = verdicts
        self.dry_run = dry_run

    def rounds(self) -> Iterator[HeadlineRound]:
        config, world = self.config, self.env.world
        n, slots = config.agents, config.steps_per_round

        def per_agent(values: np.ndarray) -> np.ndarray:
            return per_agent_sum(np.asarray(values), n, slots)

        for round_index in range(config.rounds):
            step = self.platform.step(self.learner, self.learner_rng)
            self.learner.end_round()
            self.platform.end_round()
            candidates = step.candidates
            allowed = self.verdicts.of(self.dry_run, world.texts, candidates.ravel()).reshape(candidates.shape)
            base = baseline_step(world.ctr[candidates], world.clickbait[candidates], allowed, config.env.max_attempts, self.baseline_rng)
            shown = step.published != NOTHING
            proposed = step.first_proposal != NOTHING
            first = np.where(proposed, step.first_proposal, 0)
            yield HeadlineRound(
                round=round_index,
                engagement=per_agent(step.env.reward) / slots,
                expected_engagement=per_agent(step.env.info["expected_ctr"]) / slots,
                proposal_value=per_agent(np.where(proposed, world.ctr[first], 0.0)),
                proposals=per_agent(proposed.astype(np.int64)),
                learner_reward=per_agent(step.learner_reward) / slots,
                published=per_agent(shown.astype(np.int64)),
                attempts=per_agent(step.attempts),
                attempted_violations=per_agent(step.attempted_clickbait),
                executed_violations=per_agent(step.env.info["clickbait"].astype(np.int64)),
                intercepted=per_agent(step.intercepted),
                intercepted_violations=per_agent(step.intercepted_clickbait),
                over_blocked=per_agent(step.intercepted - step.intercepted_clickbait),
                flagged=per_agent(step.flagged),
                first_proposal_clickbait=per_agent((proposed & world.clickbait[first]).astype(np.int64)),
                lagrange_lambda=self.platform.multiplier.value.copy() if self.platform.multiplier is not None else np.zeros(n),
                baseline_value={k: float(base.value[k].sum()) for k in BASELINES},
                baseline_published={k: int(base.published[k].sum()) for k in BASELINES},
                baseline_clickbait={k: int(base.clickbait[k].sum()) for k in BASELINES},
                audit_seq=step.audit_seq[shown],
                audit_digest=step.audit_digest[shown],
            )
