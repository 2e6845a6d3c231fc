"""The learner: a prompt-level optimizer on the CPU that reads AL's store and writes an AL resource.

In the spirit of AGL's automatic prompt optimization (APO), what it learns is the *prompt*, not
model weights: each arm is an instruction template x a few-shot set (headline_prompt.py). Per
round it proposes a prompt per rollout by Thompson sampling (a Gaussian posterior on each arm's
mean training reward), stores every prompt it uses as a version of its prompt resource in AGL's
store (resources.py), and then learns only from what AGL's rollout manager read back from the
store: each finished rollout's final `reward` event (the hooks' governed reward) and its
`outcome` event (what was published). The `past_winners` few-shot set is built from the same
store data: the best-rewarded headlines published so far.

One file, top to bottom, in the CleanRL manner; no hidden state, the generator is injected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from tractatus.integrations.agentlightning.agent import OUTCOME_EVENT
from tractatus.integrations.agentlightning.gateway import REWARD_EVENT
from tractatus.integrations.agentlightning.headline_prompt import FEW_SHOT_SETS, FEW_SHOT_SIZE, INSTRUCTIONS
from tractatus.integrations.agentlightning.resources import ResourceVersion, StoreResources

FAILED_ROLLOUT_REWARD = 0.0  # a rollout that ended without a reward (its agent failed) earns nothing
# The posterior's noise floor: rewards are CTRs (~0.01) minus governance penalties (~1), so a
# fixed prior scale would be wrong by orders of magnitude; the pooled spread of observed rewards
# is used instead, floored so that identical rewards do not freeze exploration.
MIN_REWARD_SCALE = 1e-4


@dataclass(frozen=True, slots=True)
class PromptArm:
    instruction: str
    few_shot: str


ARMS: tuple[PromptArm, ...] = tuple(PromptArm(i, f) for i in INSTRUCTIONS for f in FEW_SHOT_SETS)


@dataclass(frozen=True, slots=True)
class Proposal:
    arm: int
    prompt: ResourceVersion


def final_reward(completed: Any) -> float:
    """What AGL trains on: the rollout's last `reward` event, as AGL's rollout manager read it."""
    value = getattr(completed, "final_reward", None)
    return float(value) if value is not None else FAILED_ROLLOUT_REWARD


def published_headline(completed: Any) -> tuple[str | None, float | None]:
    """(published text, its task reward) from the rollout's events in the store."""
    text: str | None = None
    task: float | None = None
    for event in getattr(completed, "events", []) or []:
        data = event.get("data") or {}
        if event.get("event_type") == OUTCOME_EVENT and data.get("published"):
            text = data.get("text")
        elif event.get("event_type") == REWARD_EVENT:
            value = data.get("task_reward", data.get("value"))
            task = float(value) if isinstance(value, (int, float)) else task
    return text, task


class PromptOptimizer:
    def __init__(self, resources: StoreResources, rng: np.random.Generator, arms: Sequence[PromptArm] = ARMS) -> None:
        self.resources = resources
        self.rng = rng
        self.arms = tuple(arms)
        self.count = np.zeros(len(self.arms))
        self.total = np.zeros(len(self.arms))
        self.rewards: list[float] = []
        self.winners: list[tuple[float, str]] = []  # (task reward, published headline), best first

    def prompt_of(self, arm: PromptArm) -> dict[str, Any]:
        examples = [text for _, text in self.winners[:FEW_SHOT_SIZE]] if arm.few_shot == "past_winners" else []
        return {"instruction": arm.instruction, "few_shot": arm.few_shot, "examples": examples}

    def propose(self, count: int) -> list[Proposal]:
        """One prompt per rollout: untried arms first (in random order), then Thompson samples."""
        scale = max(float(np.std(self.rewards)) if self.rewards else 0.0, MIN_REWARD_SCALE)
        proposals: list[Proposal] = []
        count_now = self.count.copy()
        for _ in range(count):
            untried = np.flatnonzero(count_now == 0)
            if untried.size:
                arm = int(self.rng.choice(untried))
            else:
                mean = self.total / count_now
                arm = int(np.argmax(mean + self.rng.standard_normal(len(self.arms)) * scale / np.sqrt(count_now)))
            count_now[arm] += 1  # batched sampling: spread a round's rollouts over untried arms
            proposals.append(Proposal(arm, self.resources.put(self.prompt_of(self.arms[arm]))))
        return proposals

    def update(self, proposals: Sequence[Proposal], completed: Sequence[Any]) -> np.ndarray:
        """Learn from the finished rollouts (same order as `proposals`); returns their rewards."""
        rewards = np.array([final_reward(c) for c in completed])
        for proposal, reward, rollout in zip(proposals, rewards, completed, strict=True):
            self.count[proposal.arm] += 1
            self.total[proposal.arm] += reward
            self.rewards.append(float(reward))
            text, task = published_headline(rollout)
            if text and task is not None and all(text != t for _, t in self.winners):
                self.winners.append((task, text))
        self.winners.sort(key=lambda pair: (-pair[0], pair[1]))
        del self.winners[FEW_SHOT_SIZE:]
        return rewards

    def best(self) -> PromptArm:
        mean = np.where(self.count > 0, self.total / np.maximum(self.count, 1), -np.inf)
        return self.arms[int(np.argmax(mean))]
