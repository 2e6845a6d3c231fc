"""Demo 2's algorithm on Agent Lightning's own runtime: the prompt optimizer drives AGL's rollout manager.

Per round, for each agent (an independent learner with its own prompt resource):

    PromptOptimizer.propose -> prompt versions in AGL's store (resources.py)
    -> AglRolloutManager.enqueue_and_wait_until_completed (AGL's trainer path, as VERL uses it):
         rollouts enqueued in AGL's store; AGL's LocalReconciler (controller.py) starts one
         HeadlineAgent process per rollout; the agent calls the model through the governed proxy
         (or the bare gateway when ungoverned); the rollout hooks judge each finished rollout
    -> completed rollouts (events, final reward) read back from the store by AGL
    -> PromptOptimizer.update, and the lab's HeadlineRound for the table.

A task is K candidate headlines from the labelled pool (seeded). Reward and violations are
scored on the text the model wrote (scoring.py). Each round yields the lab's `HeadlineRound`, null
baselines included (computed on the very candidates offered, with the governor's dry-run
verdicts), so the lab's headline summarizer prints the same table as the local backend.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.integrations.agentlightning.gateway import GOVERNANCE_EVENT
from tractatus.integrations.agentlightning.prompt_optimizer import PromptOptimizer, Proposal
from tractatus.integrations.agentlightning.resources import StoreResources
from tractatus.integrations.agentlightning.scoring import HeadlineScorer, RolloutScore
from tractatus.lab.headline_baselines import BASELINES, baseline_step
from tractatus.lab.headline_training import HeadlineRound

AGENT_CLASS = "tractatus.integrations.agentlightning.agent:HeadlineAgent"
ROLLOUT_ENV_MAP = {"TRACTATUS_TASK": "input"}  # AGL's local.env_map: the whole input, as JSON
CANDIDATES_PER_TASK = 10  # K, as in the lab's headline environment
ROLLOUT_TIMEOUT_S = 120  # one model call and one event post; a stuck agent is killed by AGL
MANAGER_POLL_S = 0.25  # how often AGL's rollout manager polls the store (its default is 1 s; each poll is a GET per pending rollout)
# The null baselines' shield rule gets one attempt, like this agent (one model call, no re-proposal).
BASELINE_ATTEMPTS = 1


def sample_tasks(pool: Sequence[Any], count: int, rng: np.random.Generator, k: int = CANDIDATES_PER_TASK) -> list[list[Any]]:
    """`count` tasks of k distinct candidates each, drawn from the pool with `rng`."""
    k = min(k, len(pool))
    return [[pool[i] for i in rng.choice(len(pool), size=k, replace=False)] for _ in range(count)]


@dataclass(frozen=True, slots=True)
class Finished:
    """One rollout as the algorithm sees it after AGL finished it."""

    agent: int
    reward: float  # the final reward AGL trains on
    score: RolloutScore
    blocked: bool  # a governance decision did not let the model's answer through
    response_audit: tuple[int, int] | None  # (audit seq, first 64 bits of the action digest)


def governance_of(events: Sequence[dict[str, Any]]) -> tuple[bool, tuple[int, int] | None]:
    decisions = [e["data"] for e in events if e.get("event_type") == GOVERNANCE_EVENT]
    blocked = any(d.get("verdict") in ("block", "escalate") for d in decisions)
    response = next((d for d in decisions if d.get("action_kind") == "response" and d.get("audit_seq") is not None), None)
    ref = (int(response["audit_seq"]), int(response["action_digest"][:16], 16)) if response else None
    return blocked, ref


class AglHeadlineCell:
    """One (mode, seed): `rounds()` yields the lab's HeadlineRound after each round."""

    def __init__(
        self,
        *,
        manager_factory: Any,  # step -> AglRolloutManager (AGL's class, configured by the backend)
        store_client: Any,  # a sync client on AGL's store, for the prompt resources
        scorer: HeadlineScorer,
        pool: Sequence[Any],
        agents: int,
        steps_per_round: int,
        rounds: int,
        seed: int,
        model_name: str,
        run_id: str,
        governor: Any,  # the proxy's governor, for dry-run verdicts on candidates (null baselines; no audit)
    ) -> None:
        self.manager_factory = manager_factory
        self.governor = governor
        self.dry_runs: dict[str, bool] = {}  # candidate text -> the governor would let it through
        self.scorer = scorer
        self.pool = list(pool)
        self.agents, self.steps, self.rounds_total = agents, steps_per_round, rounds
        self.model_name = model_name
        self.run_id = run_id
        root = np.random.SeedSequence(seed)
        task_seed, baseline_seed, *learner_seeds = root.spawn(agents + 2)
        self.task_rng = np.random.default_rng(task_seed)
        self.baseline_rng = np.random.default_rng(baseline_seed)
        self.learners = [
            PromptOptimizer(StoreResources(store_client, name=f"prompt-a{i}", run_id=run_id), np.random.default_rng(s))
            for i, s in enumerate(learner_seeds)
        ]
        for learner in self.learners:
            learner.resources.create()
        self._ctr: dict[str, float] = {}

    def _tasks(self, count: int) -> tuple[list[list[str]], np.ndarray, np.ndarray, np.ndarray]:
        """Candidate texts per slot, and (slots, K) CTR, people's clickbait label, governor's dry-run verdict."""
        chosen = sample_tasks(self.pool, count, self.task_rng)
        texts = [[h.text for h in task] for task in chosen]
        ctr = np.array([[self._ctr.setdefault(t, self.scorer.ctr(t)) for t in row] for row in texts])
        clickbait = np.array([[h.label == "clickbait" for h in task] for task in chosen])
        allowed = np.array([[self._dry_run(t) for t in row] for row in texts])
        return texts, ctr, clickbait, allowed

    def _dry_run(self, text: str) -> bool:
        """Would the proxy let this candidate through as the model's answer? (evaluate: no audit)"""
        if text not in self.dry_runs:
            action = Action(kind=ActionKind.RESPONSE.value, text=f"Headline: {text}")
            self.dry_runs[text] = self.governor.evaluate(action).verdict <= Verdict.WARN
        return self.dry_runs[text]

    def rounds(self) -> Iterator[HeadlineRound]:
        n, steps = self.agents, self.steps
        for round_index in range(self.rounds_total):
            proposals: list[Proposal] = [p for learner in self.learners for p in learner.propose(steps)]
            tasks, ctr, clickbait, allowed = self._tasks(n * steps)
            data = {
                "slot": list(range(n * steps)),
                "agent": [slot // steps for slot in range(n * steps)],
                "candidates": tasks,
                "prompt": [p.prompt.value for p in proposals],
                "prompt_version": [p.prompt.version for p in proposals],
                "prompt_resource": [self.learners[slot // steps].resources.rollout_id for slot in range(n * steps)],
                "model": [self.model_name] * (n * steps),
            }
            manager = self.manager_factory(round_index)
            # AGL's manager prints progress to stdout, which carries --json: send it to stderr.
            with contextlib.redirect_stdout(sys.stderr):
                completed = manager.enqueue_and_wait_until_completed(data, is_train=True)
            by_slot = {int(c.input["slot"]): c for c in completed}
            if len(by_slot) != n * steps:
                raise RuntimeError(f"AGL returned {len(by_slot)} of {n * steps} rollouts")
            ordered = [by_slot[slot] for slot in range(n * steps)]
            for i, learner in enumerate(self.learners):
                learner.update(proposals[i * steps : (i + 1) * steps], ordered[i * steps : (i + 1) * steps])
            finished = [self._finished(slot // steps, c) for slot, c in enumerate(ordered)]
            base = baseline_step(ctr, clickbait, allowed, BASELINE_ATTEMPTS, self.baseline_rng)
            yield self._record(round_index, finished, base)

    def _finished(self, agent: int, completed: Any) -> Finished:
        events = completed.events or []
        blocked, ref = governance_of(events)
        reward = completed.final_reward
        return Finished(agent, float(reward) if reward is not None else 0.0, self.scorer.score(events), blocked, ref)

    def _record(self, round_index: int, finished: list[Finished], base: Any) -> HeadlineRound:
        """Per-agent totals in the lab's HeadlineRound shape, so the lab's summarizer reads them.

        One attempt per slot (one model call; the agent does not re-propose). `engagement` is the
        expected engagement (the CTR the reward is): no clicks are drawn on this backend.
        """
        n, steps = self.agents, self.steps

        def per_agent(values: Sequence[float | bool]) -> np.ndarray:
            return np.asarray(values, dtype=np.float64).reshape(n, steps).sum(axis=1)

        def count(values: Sequence[bool]) -> np.ndarray:
            return per_agent(values).astype(np.int64)

        published = [f.score.published is not None for f in finished]
        proposed = [f.score.attempted is not None for f in finished]
        attempted = [f.score.attempted is not None and f.score.attempted.clickbait for f in finished]
        executed = [f.score.executed is not None and f.score.executed.clickbait for f in finished]
        intercepted = [p and not q for p, q in zip(proposed, published, strict=True)]
        ctr_published = [f.score.reward for f in finished]
        refs = [f.response_audit for f in finished if f.score.published is not None]
        return HeadlineRound(
            round=round_index,
            engagement=per_agent(ctr_published) / steps,
            expected_engagement=per_agent(ctr_published) / steps,
            proposal_value=per_agent([self.scorer.ctr(f.score.written) if f.score.written else 0.0 for f in finished]),
            proposals=count(proposed),
            learner_reward=per_agent([f.reward for f in finished]) / steps,
            published=count(published),
            attempts=count(proposed),
            attempted_violations=count(attempted),
            executed_violations=count(executed),
            intercepted=count(intercepted),
            intercepted_violations=count([a and i for a, i in zip(attempted, intercepted, strict=True)]),
            over_blocked=count([p and not a and i for p, a, i in zip(proposed, attempted, intercepted, strict=True)]),
            flagged=count([f.blocked for f in finished]),
            first_proposal_clickbait=count(attempted),
            lagrange_lambda=np.zeros(n),
            baseline_value={k: float(base.value[k].sum()) for k in BASELINES},
            baseline_published={k: int(base.published[k].sum()) for k in BASELINES},
            baseline_clickbait={k: int(base.clickbait[k].sum()) for k in BASELINES},
            audit_seq=np.array([r[0] if r else -1 for r in refs], dtype=np.int64),
            audit_digest=np.array([r[1] if r else 0 for r in refs], dtype=np.uint64),
        )
