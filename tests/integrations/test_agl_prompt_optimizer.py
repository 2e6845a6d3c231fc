"""The prompt optimizer learns from what AGL's store returns, and versions its prompts there."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import numpy as np
from agl_support import GATEWAY_KEY

from tractatus.integrations.agentlightning.prompt_optimizer import ARMS, PromptOptimizer
from tractatus.integrations.agentlightning.resources import StoreResources
from tractatus.integrations.agentlightning.stack import Stack


@dataclass
class Completed:
    """The fields of AGL's CompletedRollout the optimizer reads."""

    final_reward: float | None
    events: list[dict] = field(default_factory=list)


def finished(reward: float | None, text: str | None = None, task: float | None = None) -> Completed:
    events = []
    if text is not None:
        events.append({"event_type": "outcome", "data": {"published": True, "text": text}})
    if reward is not None:
        events.append({"event_type": "reward", "data": {"value": reward, "task_reward": task if task is not None else reward}})
    return Completed(reward, events)


def test_it_tries_every_arm_then_prefers_the_best_and_builds_few_shots_from_winners(stack: Stack, http: httpx.Client) -> None:
    from agentlightning.client import AgentLightningSyncClient

    with AgentLightningSyncClient(base_url=stack.gateway_url, key=GATEWAY_KEY) as client:
        learner = PromptOptimizer(StoreResources(client, name="prompt", run_id="opt"), np.random.default_rng(0))
        first = learner.propose(len(ARMS))
        assert sorted(p.arm for p in first) == list(range(len(ARMS)))  # untried arms first
        good = next(i for i, a in enumerate(ARMS) if a.instruction == "informative" and a.few_shot == "none")
        learner.update(first, [finished(0.05 if p.arm == good else -1.0, text=f"headline {p.arm}", task=0.01 * p.arm) for p in first])
        assert learner.best() == ARMS[good]
        later = learner.propose(40)
        assert sum(p.arm == good for p in later) > 30  # Thompson sampling exploits the clear winner
        winners = learner.prompt_of(next(a for a in ARMS if a.few_shot == "past_winners"))["examples"]
        assert winners == [f"headline {len(ARMS) - 1 - k}" for k in range(4)]  # best task rewards first
        # Every prompt it used is a version in AGL's store, and each proposal names its version.
        stored = {v.version: v.value for v in learner.resources.versions()}
        assert all(stored[p.prompt.version] == p.prompt.value for p in first + later)


def test_a_rollout_without_a_reward_counts_as_zero(stack: Stack, http: httpx.Client) -> None:
    from agentlightning.client import AgentLightningSyncClient

    with AgentLightningSyncClient(base_url=stack.gateway_url, key=GATEWAY_KEY) as client:
        learner = PromptOptimizer(StoreResources(client, name="prompt", run_id="zero"), np.random.default_rng(1))
        proposals = learner.propose(2)
        rewards = learner.update(proposals, [finished(None), finished(0.02, "x")])
        assert rewards.tolist() == [0.0, 0.02] and learner.winners == [(0.02, "x")]
