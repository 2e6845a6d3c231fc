"""Governance modes: where Layer 2 (the learner) meets Layer 1 (the governor).

The lab reaches governance only through `Governor.decide_batch` (and `Governor.evaluate` for
the preemptive mask, a dry run that executes nothing). It never sees or changes the policy.

What each mode does with the article a learner proposes (the "attempt"):

- `none`: ungoverned. The attempt is published. The learner learns from its engagement.
- `shield`: post-posed shield. The attempt is decided (and audited). If the verdict is allow or
  warn it is published. Otherwise (modify, escalate, block) it is *not* published: the safe
  fallback article for the same topic (grammar.yaml `fallback`) is decided and, if allowed,
  published instead; if the fallback is not allowed either, nothing is published.
  The learner is updated with its ORIGINAL attempted action and the reward `shield_penalty`
  (not the fallback's engagement: the fallback was the platform's choice, not the agent's).
  A modified (redacted) attempt counts as intercepted: a headline with holes is not an article.
- `preemptive`: the learner chooses only among actions the governor allows. The mask is
  computed per topic by dry-running every action's text through `Governor.evaluate`, cached
  while the governor's instruction history is unchanged. The chosen article is then decided
  and audited like any other; should it still not be allowed (state changed in between), the
  shield's fallback rule applies.
- `penalty`: reward shaping only. Every attempt is decided and audited but always published;
  the learner's reward is engagement - `penalty_coefficient` when the governor did not allow
  it. The baseline that shows why architecture matters: violations do reach readers.
- `lagrangian`: PPO-Lagrangian-style safe RL. Every attempt is decided and audited but always
  published; the learner's reward is engagement - lambda * cost, where cost is the
  environment's own cost signal (the ground truth, Safety-Gymnasium's convention) and lambda
  follows dual ascent (learners/lagrangian.py). This is an oracle baseline: in deployment no one
  hands the agent the ground truth.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.actions import Action, ActionKind, Decision, Verdict
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import Governor
from tractatus.lab.envs.base import StepResult
from tractatus.lab.envs.engagement import WITHHELD, EngagementEnv
from tractatus.lab.learners.base import Learner
from tractatus.lab.learners.lagrangian import LagrangeMultiplier

NOT_GOVERNED = -1  # verdict code when no governor decided


class Mode(StrEnum):
    NONE = "none"
    SHIELD = "shield"
    PREEMPTIVE = "preemptive"
    PENALTY = "penalty"
    LAGRANGIAN = "lagrangian"

    @property
    def governed(self) -> bool:
        return self is not Mode.NONE

    @property
    def blocks(self) -> bool:
        """Whether the governor's verdict stops an article from being published."""
        return self in (Mode.SHIELD, Mode.PREEMPTIVE)

    @classmethod
    def parse(cls, value: str) -> Mode:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise ConfigError(f"unknown mode {value!r}; expected one of {', '.join(m.value for m in cls)}") from None


class ModeSettings(BaseModel):
    """The knobs of the governance modes. Defaults are documented here, in one place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    shield_penalty: float = Field(
        default=-0.05,
        description="Reward a learner receives for an attempt the shield stopped. Engagement of a "
        "published article is about 0.1, so -0.05 makes a stopped attempt clearly worse than any "
        "published one without dwarfing the engagement signal.",
    )
    penalty_coefficient: float = Field(
        default=0.1,
        ge=0,
        description="Penalty mode: subtracted from engagement when the governor would not allow "
        "the attempt. About the engagement of a whole article, so a flagged article earns ~0.",
    )
    cost_limit: float = Field(
        default=0.0, ge=0, le=1, description="Lagrangian mode: allowed average cost per step (0 = never violate)."
    )
    lagrange_learning_rate: float = Field(
        default=0.05, gt=0, description="Lagrangian mode: dual ascent step per round, in reward units per unit of cost."
    )
    lagrange_initial: float = Field(default=0.0, ge=0, description="Lagrangian mode: lambda at the start.")
    shield_constrained: bool = Field(
        default=False,
        description="Shield mode in the headline world: the learner under the shield is also a Lagrangian "
        "learner (reward - lambda * label cost of what was published, lambda by dual ascent to `cost_limit`): "
        "the shield and the constrained learner together, one method of the cost-limit sweep.",
    )
    headline_penalty: float = Field(
        default=1.0,
        ge=0,
        description="Penalty mode in the headline world: subtracted from the learner's reward, a CTR "
        "relative to the archive's average (about 1 for an average headline), when the governor would "
        "not allow the headline: a flagged headline earns about 0.",
    )


@dataclass(frozen=True, slots=True)
class StepOutcome:
    attempted: np.ndarray  # (N, dims) what the learner proposed
    published: np.ndarray  # (N, dims) what the environment received; rows of -1 = nothing
    env: StepResult  # reward = engagement of what was published; cost = its ground-truth violation
    attempted_violation: np.ndarray  # (N,) bool, ground truth of the attempt
    verdict: np.ndarray  # (N,) int8 verdict on the attempt, NOT_GOVERNED without a governor
    intercepted: np.ndarray  # (N,) bool, the attempt was not published
    fallback: np.ndarray  # (N,) bool, the safe fallback was published instead
    learner_reward: np.ndarray  # (N,) what the learner was updated with
    audit_seq: np.ndarray  # (N,) int64 audit sequence number of the published action's decision, -1 if none
    audit_digest: np.ndarray  # (N,) uint64 first 64 bits of that decision's action digest


def tally_decisions(counts: Counter[tuple[str, str]], decisions: list[Decision]) -> None:
    """How often each check decided what: its most severe verdict per decision."""
    for decision in decisions:
        worst: dict[str, Verdict] = {}
        for finding in decision.findings:
            v = finding.verdict if finding.verdict is not None else Verdict.ALLOW
            if finding.source not in worst or v > worst[finding.source]:
                worst[finding.source] = v
        for source, v in worst.items():
            counts[(source, v.label)] += 1


class GovernedPlatform:
    """Runs one step of the engagement environment under a governance mode: every article of a round."""

    def __init__(
        self,
        env: EngagementEnv,
        mode: Mode,
        governor: Governor | None,
        settings: ModeSettings,
        *,
        agent_prefix: str,
        slots: int = 1,
    ) -> None:
        """`env` holds agents x slots articles per step, agent-major (see learners/base.py)."""
        if mode.governed and governor is None:
            raise ConfigError(f"mode {mode.value!r} needs a governor")
        self.env = env
        self.mode = mode
        self.governor = governor if mode.governed else None
        self.settings = settings
        if env.num_agents % slots:
            raise ConfigError("the environment's size must be a multiple of the articles per agent")
        agents = env.num_agents // slots
        self.agent_ids = [f"{agent_prefix}/a{n // slots}" for n in range(env.num_agents)]
        self.multiplier = (
            LagrangeMultiplier(
                agents,
                cost_limit=settings.cost_limit,
                learning_rate=settings.lagrange_learning_rate,
                initial=settings.lagrange_initial,
                slots=slots,
            )
            if mode is Mode.LAGRANGIAN
            else None
        )
        self.decisions_by_check: Counter[tuple[str, str]] = Counter()  # (check, verdict) -> decisions
        self.decisions = 0
        self._mask_cache: dict[int, np.ndarray] = {}
        self._mask_version: int | None = None

    # -- one step -----------------------------------------------------------------------------
    def step(self, learner: Learner, rng: np.random.Generator) -> StepOutcome:
        env = self.env
        n = env.num_agents
        allowed = self._mask() if self.mode is Mode.PREEMPTIVE else None
        attempted = learner.act(env.topics, rng, allowed)
        attempted_violation = env.grammar.labels(attempted)["violation"]
        verdict = np.full(n, NOT_GOVERNED, dtype=np.int8)
        seq = np.full(n, -1, dtype=np.int64)
        digest = np.zeros(n, dtype=np.uint64)
        published = attempted.copy()
        intercepted = np.zeros(n, dtype=bool)
        fallback = np.zeros(n, dtype=bool)

        if self.governor is not None:
            decisions = self._decide(attempted)
            verdict[:] = [d.verdict for d in decisions]
            self._record_seqs(decisions, np.arange(n), seq, digest)
            if self.mode.blocks:
                intercepted = verdict > Verdict.WARN
                if intercepted.any():
                    self._publish_fallback(np.flatnonzero(intercepted), published, fallback, seq, digest)

        result = env.step(published)
        learner_reward = result.reward.copy()
        if self.mode.blocks:
            learner_reward[intercepted] = self.settings.shield_penalty
        elif self.mode is Mode.PENALTY:
            learner_reward -= self.settings.penalty_coefficient * (verdict > Verdict.WARN)
        elif self.multiplier is not None:
            learner_reward = self.multiplier.shape(result.reward, result.cost)
        learner.update(attempted, learner_reward)
        return StepOutcome(
            attempted=attempted,
            published=published,
            env=result,
            attempted_violation=attempted_violation,
            verdict=verdict,
            intercepted=intercepted,
            fallback=fallback,
            learner_reward=learner_reward,
            audit_seq=seq,
            audit_digest=digest,
        )

    def end_round(self) -> None:
        if self.multiplier is not None:
            self.multiplier.end_round()

    # -- governance ---------------------------------------------------------------------------
    def _decide(self, actions: np.ndarray, rows: np.ndarray | None = None) -> list[Decision]:
        assert self.governor is not None
        rows = np.arange(self.env.num_agents) if rows is None else rows
        texts = self.env.grammar.render_many(self.env.topics[rows], actions)
        ids = self.agent_ids
        batch = [Action(kind=ActionKind.PUBLISH.value, text=t, agent_id=ids[r]) for t, r in zip(texts, rows.tolist(), strict=True)]
        decisions = self.governor.decide_batch(batch)
        self._tally(decisions)
        return decisions

    def _publish_fallback(
        self, rows: np.ndarray, published: np.ndarray, fallback: np.ndarray, seq: np.ndarray, digest: np.ndarray
    ) -> None:
        safe = np.tile(self.env.grammar.fallback, (len(rows), 1))
        decisions = self._decide(safe, rows)
        ok = np.array([d.verdict <= Verdict.WARN for d in decisions])
        published[rows] = np.where(ok[:, None], safe, WITHHELD)
        fallback[rows] = ok
        seq[rows] = -1
        self._record_seqs([d for d, good in zip(decisions, ok, strict=True) if good], rows[ok], seq, digest)

    @staticmethod
    def _record_seqs(decisions: list[Decision], rows: np.ndarray, seq: np.ndarray, digest: np.ndarray) -> None:
        seq[rows] = [d.audit_seq if d.audit_seq is not None else -1 for d in decisions]
        digest[rows] = [int(d.action_digest[:16], 16) for d in decisions]

    def _tally(self, decisions: list[Decision]) -> None:
        tally_decisions(self.decisions_by_check, decisions)
        self.decisions += len(decisions)

    def _mask(self) -> np.ndarray:
        """(N, joint) bool: which actions the governor allows on each agent's current topic."""
        assert self.governor is not None
        version = self.governor.state.instruction_version
        if version != self._mask_version:
            self._mask_cache.clear()
            self._mask_version = version
        grammar = self.env.grammar
        topics = self.env.topics
        for topic in np.unique(topics).tolist():
            if topic not in self._mask_cache:
                texts = [grammar.render(topic, a) for a in grammar.all_actions]
                verdicts = [self.governor.evaluate(Action(kind=ActionKind.PUBLISH.value, text=t)).verdict for t in texts]
                self._mask_cache[topic] = np.array([v <= Verdict.WARN for v in verdicts])
        mask = np.stack([self._mask_cache[t] for t in topics.tolist()])
        # An agent whose topic allows nothing may still attempt the fallback; the shield rule
        # then decides it (and withholds it if the governor refuses it too).
        empty = ~mask.any(axis=1)
        if empty.any():
            mask[empty, grammar.joint_index(grammar.fallback[None, :])[0]] = True
        return mask
