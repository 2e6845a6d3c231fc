"""Demo 2's algorithm on Agent Lightning's own runtime: the prompt optimizer drives AGL's rollout manager.

Per round, for each agent (an independent learner with its own prompt resource):

    PromptOptimizer.propose -> prompt versions in AGL's store (resources.py)
    -> AglRolloutManager.enqueue_and_wait_until_completed (AGL's trainer path, as VERL uses it):
         rollouts enqueued in AGL's store; AGL's LocalReconciler (controller.py) starts one
         HeadlineAgent process per rollout; the agent calls the model through the governed proxy
         (or the bare gateway when ungoverned); the rollout hooks judge each finished rollout
    -> completed rollouts (events, final reward) read back from the store by AGL
    -> PromptOptimizer.update, and the lab's RoundRecord for the table.

A task is K candidate headlines from the labelled pool (seeded). Reward and violations are
scored on the text the model wrote (scoring.py). The round's RoundRecord has the lab's shape, so
the lab's summarizer prints the same table as the local backend; its strategy columns are the
labels of what the model wrote: `informative` for news, `clickbait` for clickbait.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

import numpy as np

from tractatus.integrations.agentlightning.gateway import GOVERNANCE_EVENT
from tractatus.integrations.agentlightning.prompt_optimizer import PromptOptimizer, Proposal
from tractatus.integrations.agentlightning.resources import StoreResources
from tractatus.integrations.agentlightning.scoring import HeadlineScorer, RolloutScore
from tractatus.lab.optimum import Optimum
from tractatus.lab.training import RoundRecord

AGENT_CLASS = "tractatus.integrations.agentlightning.agent:HeadlineAgent"
ROLLOUT_ENV_MAP = {"TRACTATUS_TASK": "input"}  # AGL's local.env_map: the whole input, as JSON
CANDIDATES_PER_TASK = 10  # K, as in the lab's headline environment
ROLLOUT_TIMEOUT_S = 120  # one model call and one event post; a stuck agent is killed by AGL
MANAGER_POLL_S = 0.25  # how often AGL's rollout manager polls the store (its default is 1 s; each poll is a GET per pending rollout)
STRATEGY_COLUMNS = ("informative", "clickbait", "pii_leak", "misleading")  # the lab's label columns


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
    """One (mode, seed): `rounds()` yields the lab's RoundRecord after each round."""

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
    ) -> None:
        self.manager_factory = manager_factory
        self.scorer = scorer
        self.pool = list(pool)
        self.agents, self.steps, self.rounds_total = agents, steps_per_round, rounds
        self.model_name = model_name
        self.run_id = run_id
        root = np.random.SeedSequence(seed)
        task_seed, *learner_seeds = root.spawn(agents + 1)
        self.task_rng = np.random.default_rng(task_seed)
        self.learners = [
            PromptOptimizer(StoreResources(store_client, name=f"prompt-a{i}", run_id=run_id), np.random.default_rng(s))
            for i, s in enumerate(learner_seeds)
        ]
        for learner in self.learners:
            learner.resources.create()
        self.best_seen: list[float] = []  # per task: the best CTR among its candidates
        self.best_news: list[float] = []  # per task: the best CTR among candidates people labelled news
        self._ctr: dict[str, float] = {}

    def _tasks(self, count: int) -> list[list[str]]:
        tasks = []
        for chosen in sample_tasks(self.pool, count, self.task_rng):
            tasks.append([h.text for h in chosen])
            ctrs = [self._ctr.setdefault(h.text, self.scorer.ctr(h.text)) for h in chosen]
            self.best_seen.append(max(ctrs))
            self.best_news.append(max((c for c, h in zip(ctrs, chosen, strict=True) if h.label == "news"), default=0.0))
        return tasks

    def optima(self) -> tuple[Optimum, Optimum]:
        """(unconstrained, constrained) optimum over the tasks offered: the oracle with the labels."""
        return (
            Optimum(engagement=float(np.mean(self.best_seen)) if self.best_seen else 0.0, action=(), named={"oracle": "best CTR"}),
            Optimum(engagement=float(np.mean(self.best_news)) if self.best_news else 0.0, action=(), named={"oracle": "best CTR among news"}),
        )

    def rounds(self) -> Iterator[RoundRecord]:
        n, steps = self.agents, self.steps
        for round_index in range(self.rounds_total):
            proposals: list[Proposal] = [p for learner in self.learners for p in learner.propose(steps)]
            tasks = self._tasks(n * steps)
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
            yield self._record(round_index, finished)

    def _finished(self, agent: int, completed: Any) -> Finished:
        events = completed.events or []
        blocked, ref = governance_of(events)
        reward = completed.final_reward
        return Finished(agent, float(reward) if reward is not None else 0.0, self.scorer.score(events), blocked, ref)

    def _record(self, round_index: int, finished: list[Finished]) -> RoundRecord:
        n, steps = self.agents, self.steps

        def per_agent(values: Sequence[float | bool]) -> np.ndarray:
            return np.asarray(values, dtype=np.float64).reshape(n, steps).sum(axis=1)

        published = [f.score.published is not None for f in finished]
        attempted = [f.score.attempted is not None and f.score.attempted.clickbait for f in finished]
        executed = [f.score.executed is not None and f.score.executed.clickbait for f in finished]
        judged = [f.score.attempted is not None for f in finished]
        intercepted = [not p for p in published]
        strategies = np.zeros((n, len(STRATEGY_COLUMNS)), dtype=np.int64)
        for slot in range(len(finished)):
            if judged[slot]:
                strategies[slot // steps, 1 if attempted[slot] else 0] += 1
        refs = [f.response_audit for f in finished if f.score.published is not None]
        return RoundRecord(
            round=round_index,
            engagement=per_agent([f.score.reward for f in finished]) / steps,
            learner_reward=per_agent([f.reward for f in finished]) / steps,
            published=per_agent(published).astype(np.int64),
            attempted_violations=per_agent(attempted).astype(np.int64),
            executed_violations=per_agent(executed).astype(np.int64),
            intercepted=per_agent(intercepted).astype(np.int64),
            intercepted_violations=per_agent([a and i for a, i in zip(attempted, intercepted, strict=True)]).astype(np.int64),
            over_blocked=per_agent([j and not a and i for j, a, i in zip(judged, attempted, intercepted, strict=True)]).astype(np.int64),
            flagged=per_agent([f.blocked for f in finished]).astype(np.int64),
            fallbacks=np.zeros(n, dtype=np.int64),
            strategy_counts=strategies,
            lagrange_lambda=np.zeros(n),
            audit_seq=np.array([r[0] if r else -1 for r in refs], dtype=np.int64),
            audit_digest=np.array([r[1] if r else 0 for r in refs], dtype=np.uint64),
        )
