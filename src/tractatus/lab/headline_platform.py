"""One step of the headline environment under a governance mode: proposals, decisions, publication.

Per slot: the learner proposes one of its K candidates. What happens next is the mode's business
(the modes are those of lab/modes.py, applied to real headlines):

- `none`: the proposal is published.
- `shield`: the proposal is decided by the governor (`publish` action, audited). Allowed (allow or
  warn) -> published. Otherwise it is an intercepted attempt, it is removed from the candidates and
  the learner may propose again, up to `max_attempts` proposals. If nothing is allowed, nothing is
  published and the slot earns 0: there is no free fallback.
- `preemptive`: the learner chooses only among the candidates the governor's dry run allows
  (`Governor.evaluate`, which executes and audits nothing); the choice is then decided and audited;
  should it still be refused, the shield rule applies. No allowed candidate -> nothing published.
- `penalty`: every proposal is decided and audited and published; the learner's reward loses
  `headline_penalty` when the governor would not allow it.
- `lagrangian`: every proposal is decided and audited and published; reward - lambda * cost, with
  the ground-truth label as cost (the oracle safe-RL baseline, see lab/modes.py).
- `shield` with `ModeSettings.shield_constrained`: the shield's rule, and the learner's reward for
  what was published is shaped like the Lagrangian's (the cost-limit sweep's "shield + constrained").

A feed (`feed`, optional) can stand between the proposals and publication: it receives the allowed
proposals of every slot and returns what is published (Q1 on headlines: N agents compete for F feed
slots, lab/competitive_feed.py). A proposal the feed does not take earns 0, as a refused one does;
without a feed every allowed proposal is published.

The learner's reward is the realised CTR relative to the archive's average (clicks / readers /
base CTR, about 1 for an average headline), so one set of learner settings fits any pool. A
refused proposal earns 0, what publishing nothing earns. The learner never sees a label.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from tractatus.governance.actions import Action, ActionKind, Decision, Verdict
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import Governor
from tractatus.lab.envs.base import StepResult
from tractatus.lab.envs.headlines import NOTHING, HeadlineEnv
from tractatus.lab.learners.headline_learners import HeadlineLearner
from tractatus.lab.learners.lagrangian import LagrangeMultiplier
from tractatus.lab.modes import Mode, ModeSettings, tally_decisions


class PoolVerdicts:
    """The governor's dry-run verdict (allowed or not) per pool headline, computed on first need.

    Valid while the governor's instruction history is unchanged (the cache is dropped when its
    version moves). One object is shared by the cells of a run that load the same instructions.
    """

    def __init__(self, size: int) -> None:
        self.allowed = np.zeros(size, dtype=bool)
        self.known = np.zeros(size, dtype=bool)
        self.version: int | None = None

    def of(self, governor: Governor, texts: list[str], indices: np.ndarray) -> np.ndarray:
        version = governor.state.instruction_version
        if version != self.version:
            self.known[:] = False
            self.version = version
        missing = np.unique(indices[~self.known[indices]])
        for index in missing.tolist():
            verdict = governor.evaluate(Action(kind=ActionKind.PUBLISH.value, text=texts[index])).verdict
            self.allowed[index] = verdict <= Verdict.WARN
            self.known[index] = True
        return self.allowed[indices]


@dataclass(frozen=True, slots=True)
class HeadlineStep:
    candidates: np.ndarray  # (slots, K) pool indices offered
    first_proposal: np.ndarray  # (slots,) pool index of the agent's own first proposal (-1: none possible)
    published: np.ndarray  # (slots,) pool index published, or NOTHING
    env: StepResult  # reward = clicks/readers of what was published; cost = its label
    attempts: np.ndarray  # (slots,) proposals made
    attempted_clickbait: np.ndarray  # (slots,) proposals labelled clickbait
    flagged: np.ndarray  # (slots,) proposals the governor did not allow (whether or not the mode blocks)
    intercepted: np.ndarray  # (slots,) proposals not published because of the governor
    intercepted_clickbait: np.ndarray  # (slots,) of those, labelled clickbait
    learner_reward: np.ndarray  # (slots,) reward the learner got for the published proposal (0 if none)
    audit_seq: np.ndarray  # (slots,) audit seq of the published headline's decision, -1 if none
    audit_digest: np.ndarray  # (slots,) first 64 bits of its action digest
    proposed: np.ndarray  # (slots,) pool index of the allowed proposal put to the feed, or NOTHING (= published without a feed)


class HeadlinePlatform:
    def __init__(
        self,
        env: HeadlineEnv,
        features: np.ndarray,
        mode: Mode,
        governor: Governor | None,
        settings: ModeSettings,
        *,
        agents: int,
        agent_prefix: str,
        verdicts: PoolVerdicts | None = None,
        feed: Callable[[np.ndarray], np.ndarray] | None = None,
        agent_ids: Sequence[str] | None = None,
        cpu_clock: Callable[[], float] = time.process_time,
    ) -> None:
        """`features`: (pool, D) the learners' view of every pool headline.

        `feed`: proposals (slots,) -> published (slots,), see the module docstring. `agent_ids`: the
        governor's agent id per slot, when slots are separate agents that share one learner (default:
        one id per learner agent). `cpu_clock`: measures the governor's CPU time (`governance_cpu_s`).
        """
        if mode.governed and governor is None:
            raise ConfigError(f"mode {mode.value!r} needs a governor")
        if env.num_agents % agents:
            raise ConfigError("the environment's slots must be a multiple of the agents")
        self.env = env
        self.features = features
        self.mode = mode
        self.governor = governor if mode.governed else None
        self.settings = settings
        slots = env.num_agents // agents
        self.owner = np.repeat(np.arange(agents), slots)
        self.agent_ids = list(agent_ids) if agent_ids is not None else [f"{agent_prefix}/a{int(o)}" for o in self.owner]
        if len(self.agent_ids) != env.num_agents:
            raise ConfigError("agent_ids must name every slot")
        self.feed = feed
        self.cpu_clock = cpu_clock
        self.governance_cpu_s = 0.0
        self.verdicts = verdicts if verdicts is not None else PoolVerdicts(len(env.world))
        self.multiplier = (
            LagrangeMultiplier(agents, cost_limit=settings.cost_limit, learning_rate=settings.lagrange_learning_rate,
                               initial=settings.lagrange_initial, slots=slots)
            if mode is Mode.LAGRANGIAN or (mode is Mode.SHIELD and settings.shield_constrained) else None
        )
        self.decisions_by_check: Counter[tuple[str, str]] = Counter()
        self.decisions = 0

    def dry_run_allowed(self, candidates: np.ndarray) -> np.ndarray:
        """(slots, K) whether the governor's dry run allows each candidate (all True ungoverned)."""
        if self.governor is None:
            return np.ones(candidates.shape, dtype=bool)
        return self.verdicts.of(self.governor, self.env.world.texts, candidates.ravel()).reshape(candidates.shape)

    def step(self, learner: HeadlineLearner, rng: np.random.Generator) -> HeadlineStep:
        env, world = self.env, self.env.world
        n = env.num_agents
        candidates = env.candidates.copy()
        x = self.features[candidates]  # (slots, K, D)
        available = candidates != NOTHING  # the Upworthy replay pads tests with fewer headlines (lab/envs/upworthy.py)
        if self.mode is Mode.PREEMPTIVE:
            available &= self.dry_run_allowed(candidates)
        first = np.full(n, NOTHING, dtype=np.int64)
        published = np.full(n, NOTHING, dtype=np.int64)
        attempts = np.zeros(n, dtype=np.int64)
        attempted_bait = np.zeros(n, dtype=np.int64)
        flagged = np.zeros(n, dtype=np.int64)
        intercepted = np.zeros(n, dtype=np.int64)
        intercepted_bait = np.zeros(n, dtype=np.int64)
        seq = np.full(n, -1, dtype=np.int64)
        digest = np.zeros(n, dtype=np.uint64)
        flagged_published = np.zeros(n, dtype=bool)
        samples: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []  # refused proposals, reward 0
        chosen_column = np.zeros(n, dtype=np.int64)
        published_available = available.copy()
        active = available.any(axis=1)
        max_attempts = env.settings.max_attempts if self.mode.blocks else 1
        for _ in range(max_attempts):
            act_rows = np.flatnonzero(active)
            if len(act_rows) == 0:
                break
            choice = learner.act(x[act_rows], available[act_rows], self.owner[act_rows], rng)
            index = candidates[act_rows, choice]
            first[act_rows] = np.where(attempts[act_rows] == 0, index, first[act_rows])
            attempts[act_rows] += 1
            attempted_bait[act_rows] += world.clickbait[index]
            refused = np.zeros(len(act_rows), dtype=bool)
            if self.governor is not None:
                decisions = self._decide(index, act_rows)
                not_allowed = np.array([d.verdict > Verdict.WARN for d in decisions])
                flagged[act_rows] += not_allowed
                refused = not_allowed & self.mode.blocks
                ok = ~refused
                seq[act_rows[ok]] = [d.audit_seq if d.audit_seq is not None else -1 for d, good in zip(decisions, ok, strict=True) if good]
                digest[act_rows[ok]] = [int(d.action_digest[:16], 16) for d, good in zip(decisions, ok, strict=True) if good]
                flagged_published[act_rows[ok]] = not_allowed[ok]
            done = act_rows[~refused]
            published[done] = index[~refused]
            chosen_column[done] = choice[~refused]
            published_available[done] = available[done]
            stopped = act_rows[refused]
            if len(stopped):
                intercepted[stopped] += 1
                intercepted_bait[stopped] += world.clickbait[index[refused]]
                samples.append((x[stopped], available[stopped].copy(), choice[refused], self.owner[stopped]))
                available[stopped, choice[refused]] = False
            active[:] = False
            active[stopped] = available[stopped].any(axis=1)

        proposed = published
        if self.feed is not None:
            published = self.feed(proposed)
        result = env.step(published)
        shown = published != NOTHING
        learned = proposed != NOTHING  # allowed proposals: published (rewarded) or passed over by the feed (0)
        reward = result.reward / world.base_ctr
        if self.mode is Mode.PENALTY:
            reward = reward - self.settings.headline_penalty * flagged_published
        elif self.multiplier is not None:
            reward = self.multiplier.shape(reward, result.cost)
        for stopped_x, stopped_available, stopped_choice, stopped_owner in samples:
            learner.update(stopped_x, stopped_available, stopped_choice, np.zeros(len(stopped_choice)), stopped_owner)
        if learned.any():
            earned = np.where(shown, reward, 0.0)
            learner.update(x[learned], published_available[learned], chosen_column[learned], earned[learned], self.owner[learned])
        return HeadlineStep(
            candidates=candidates, first_proposal=first, published=published, env=result, attempts=attempts,
            attempted_clickbait=attempted_bait, flagged=flagged, intercepted=intercepted, intercepted_clickbait=intercepted_bait,
            learner_reward=np.where(shown, reward, 0.0), audit_seq=np.where(shown, seq, -1), audit_digest=np.where(shown, digest, 0).astype(np.uint64),
            proposed=proposed,
        )

    def end_round(self) -> None:
        if self.multiplier is not None:
            self.multiplier.end_round()

    def _decide(self, index: np.ndarray, rows: np.ndarray) -> list[Decision]:
        assert self.governor is not None
        texts = self.env.world.texts
        started = self.cpu_clock()
        batch = [Action(kind=ActionKind.PUBLISH.value, text=texts[i], agent_id=self.agent_ids[r]) for i, r in zip(index.tolist(), rows.tolist(), strict=True)]
        decisions = self.governor.decide_batch(batch)
        self.governance_cpu_s += self.cpu_clock() - started
        tally_decisions(self.decisions_by_check, decisions)
        self.decisions += len(decisions)
        return decisions
