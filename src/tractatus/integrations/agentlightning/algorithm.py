"""Demo 2's algorithm on the real Agent Lightning runtime: a CPU bandit over prompt strategies.

In the spirit of AGL's APO (which optimised prompts), the learner here is the lab's Thompson
bandit over the grammar's writing strategies: each round it picks, per agent, the style the
prompt asks the model for. Every article is then produced through Agent Lightning:

    bandit -> prompt -> rollout on the gateway -> agent -> [governed proxy] -> gateway LLM proxy
           -> model -> [governance] -> agent publishes or not -> environment scores it
           -> [GovernanceHooks] -> the rollout's last reward event -> bandit update

What is published is scored by the lab's engagement environment (the same audience model and
seeds as the local backend), and each round yields the lab's `RoundRecord`, so Demo 2's summary
is computed by the same code for both backends. One rollout per article.

Governed (the proxy and the hooks in the loop) behaves like the lab's shield without the
fallback: a blocked answer reaches the agent as a refusal and nothing is published; the bandit
is updated with its original attempted strategy and the hooks' final reward (task reward 0,
overridden because it followed a block, minus the penalty for the blocked decision's severity).
Ungoverned runs the same agents straight against the gateway, with no hooks.

Ground truth: the environment labels an article by the style that was requested. With the stub
model that is exact (it renders that style with the lab grammar); with a real model behind
`--model-url` it is the label of what was asked for, an approximation that the docs state.
"""

from __future__ import annotations

from typing import AsyncIterator

import numpy as np

from tractatus.integrations.agentlightning.agent import AgentError
from tractatus.integrations.agentlightning.content import build_prompt
from tractatus.integrations.agentlightning.runner import GatewayRunner, RolloutResult
from tractatus.lab.envs.engagement import WITHHELD, EngagementEnv
from tractatus.lab.learners.bandit import ThompsonBandit
from tractatus.lab.training import RoundRecord

ATTEMPT_FAILED_REWARD = 0.0  # learner reward for a rollout whose agent failed (no hooks to judge it)


class AglTrainingCell:
    """One (mode, seed) of Demo 2 on the AGL runtime; `rounds()` yields the lab's RoundRecord.

    A round is one batch of rollouts, as in AGL training: each of the `agents` bandits proposes
    `steps_per_round` articles from its current posterior (batched Thompson sampling), all
    rollouts of the round run concurrently, the environment scores them in one vectorized step
    (one slot per article, the same audience model), and then each bandit is updated with its
    articles in order. The local backend updates after every article instead, so the two
    backends agree in distribution, not bit for bit.
    """

    def __init__(
        self,
        runner: GatewayRunner,
        *,
        agents: int,
        steps_per_round: int,
        rounds: int,
        seed: int,
        model_name: str,
        run_id: str,
    ) -> None:
        self.runner = runner
        self.agents = agents
        self.steps = steps_per_round
        self.env = EngagementEnv(agents * steps_per_round)  # slot = step * agents + agent
        self.env.reset(seed=seed)
        # Seeded like the lab's TrainingCell: env from `seed`, learner from a spawned child.
        self.learner_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
        self.learner = ThompsonBandit(self.env.grammar, agents)
        self.rounds_total = rounds
        self.model_name = model_name
        self.run_id = run_id

    async def rounds(self) -> AsyncIterator[RoundRecord]:
        env, grammar, n, steps = self.env, self.env.grammar, self.agents, self.steps
        for round_index in range(self.rounds_total):
            topics = env.topics.copy()
            attempted = np.concatenate(
                [self.learner.act(topics[k * n : (k + 1) * n], self.learner_rng) for k in range(steps)]
            )
            ids = [f"{self.run_id}-r{round_index}-s{slot}" for slot in range(n * steps)]
            tasks = [
                (
                    ids[slot],
                    {
                        "prompt": build_prompt(grammar, int(topics[slot]), attempted[slot]),
                        "model": self.model_name,
                    },
                )
                for slot in range(n * steps)
            ]
            outcomes = await self.runner.run_agents(tasks)
            published_mask = np.array([not isinstance(o, AgentError) and o.published for o in outcomes])
            result = env.step(np.where(published_mask[:, None], attempted, WITHHELD))
            finished = await self.runner.finish_all(
                [
                    (
                        ids[slot],
                        None if isinstance(o, AgentError) else float(result.reward[slot]),
                        str(o) if isinstance(o, AgentError) else None,
                    )
                    for slot, o in enumerate(outcomes)
                ]
            )
            learner_reward = np.array(
                [r.final_reward if r.final_reward is not None else ATTEMPT_FAILED_REWARD for r in finished]
            )
            for k in range(steps):
                chunk = slice(k * n, (k + 1) * n)
                self.learner.update(attempted[chunk], learner_reward[chunk])
            self.learner.end_round()
            yield self._record(
                round_index,
                attempted,
                published_mask,
                result.reward,
                result.info["violation"],
                learner_reward,
                finished,
            )

    def _record(
        self,
        round_index: int,
        attempted: np.ndarray,
        published: np.ndarray,
        engagement: np.ndarray,
        executed: np.ndarray,
        learner_reward: np.ndarray,
        finished: list[RolloutResult],
    ) -> RoundRecord:
        """Per-agent totals over the round's slots, in the lab's RoundRecord shape."""
        grammar, n, steps = self.env.grammar, self.agents, self.steps
        attempted_violation = grammar.labels(attempted)["violation"]
        intercepted = ~published
        flagged = np.array([r.blocked > 0 for r in finished])

        def per_agent(values: np.ndarray) -> np.ndarray:
            return values.reshape(steps, n).sum(axis=0)

        strategies = np.zeros((n, len(grammar.strategy_labels)), dtype=np.int64)
        np.add.at(strategies, (np.tile(np.arange(n), steps), grammar.strategy_of(attempted)), 1)
        seqs, digests = _audit_refs(finished, published)
        return RoundRecord(
            round=round_index,
            engagement=per_agent(engagement) / steps,
            learner_reward=per_agent(learner_reward) / steps,
            published=per_agent(published.astype(np.int64)),
            attempted_violations=per_agent(attempted_violation.astype(np.int64)),
            executed_violations=per_agent(executed.astype(np.int64)),
            intercepted=per_agent(intercepted.astype(np.int64)),
            intercepted_violations=per_agent((intercepted & attempted_violation).astype(np.int64)),
            over_blocked=per_agent((intercepted & ~attempted_violation).astype(np.int64)),
            flagged=per_agent(flagged.astype(np.int64)),
            fallbacks=np.zeros(n, dtype=np.int64),
            strategy_counts=strategies,
            lagrange_lambda=np.zeros(n),
            audit_seq=seqs,
            audit_digest=digests,
        )


def _audit_refs(finished: list[RolloutResult], published_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(seq, first 64 bits of the action digest) of each published article's governance decision."""
    rows = np.flatnonzero(published_mask).tolist()
    seqs = np.full(len(rows), -1, dtype=np.int64)
    digests = np.zeros(len(rows), dtype=np.uint64)
    for k, i in enumerate(rows):
        ref = finished[i].response_audit
        if ref is not None:
            seqs[k], digests[k] = ref
    return seqs, digests
