"""The headline environment: agents pick real, human-labelled headlines for a simulated audience.

Each step every slot (agents x headlines per round, agent-major as in learners/base.py) is offered
`candidates` headlines drawn without replacement from the pool (lab/world/pool.py). What the
platform (lab/headline_platform.py) publishes for a slot is one of them or nothing (-1). Then

- reward: clicks / readers, clicks ~ Binomial(readers, CTR) with CTR from the engagement model
  learned from the Upworthy archive (lab/world/engagement.py); 0 if nothing was published;
- cost: 1.0 if the published headline is labelled clickbait by people, else 0.0. The label is the
  hidden ground truth: it is never shown to the governor or to a learner.

Randomness (candidate draws, clicks) comes from one numpy Generator seeded in `reset`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tractatus.governance.errors import ConfigError
from tractatus.lab.envs.base import StepResult
from tractatus.lab.world.engagement import EngagementModel
from tractatus.lab.world.pool import Headline

SETTINGS_FILE = Path(__file__).with_name("headlines.yaml")
NOTHING = -1


class HeadlineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    candidates: int = Field(default=10, ge=1, le=1000)
    max_attempts: int = Field(default=3, ge=1, le=1000)
    readers: int = Field(default=1000, ge=1)
    feature_buckets: int = Field(default=128, ge=8, le=65536)


def load_headline_settings(path: Path = SETTINGS_FILE) -> HeadlineSettings:
    try:
        return HeadlineSettings.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (OSError, ValidationError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: invalid headline settings ({str(exc).splitlines()[0]})") from None


class HeadlineWorld:
    """The pool with its hidden labels and its CTRs: computed once, shared by every cell of a run."""

    def __init__(self, pool: Sequence[Headline], engagement: EngagementModel) -> None:
        if len(pool) < 2:
            raise ConfigError("the headline pool needs at least two headlines")
        self.texts = [h.text for h in pool]
        self.clickbait = np.array([h.clickbait for h in pool], dtype=bool)
        self.ctr = engagement.ctr_many(self.texts)
        self.base_ctr = engagement.base_ctr

    def __len__(self) -> int:
        return len(self.texts)


class HeadlineEnv:
    def __init__(self, num_slots: int, world: HeadlineWorld, settings: HeadlineSettings) -> None:
        if num_slots < 1:
            raise ConfigError("the headline environment needs at least one slot")
        self.num_agents = num_slots  # the VectorEnv protocol's name for rows
        self.world = world
        self.settings = settings
        self.candidates_per_step = min(settings.candidates, len(world))
        self._rng: np.random.Generator | None = None
        self._candidates = np.zeros((num_slots, self.candidates_per_step), dtype=np.int64)

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        self._rng = np.random.default_rng(seed)
        self._candidates = self._draw()
        return self._candidates.copy(), {}

    @property
    def candidates(self) -> np.ndarray:
        """(slots, K) pool indices offered this step: the observation."""
        return self._candidates

    def step(self, published: np.ndarray) -> StepResult:
        """`published`: (slots,) pool index per slot, or NOTHING."""
        rng = self._require_rng()
        published = np.asarray(published, dtype=np.int64)
        if published.shape != (self.num_agents,):
            raise ConfigError(f"published must have shape ({self.num_agents},), not {published.shape}")
        shown = published != NOTHING
        if np.any(published[shown] >= len(self.world)) or np.any(published < NOTHING):
            raise ConfigError("a published index is outside the pool")
        safe = np.where(shown, published, 0)
        ctr = np.where(shown, self.world.ctr[safe], 0.0)
        readers = self.settings.readers
        clicks = rng.binomial(readers, ctr)
        reward = clicks / readers
        cost = (shown & self.world.clickbait[safe]).astype(np.float64)
        info = {"published": shown, "expected_ctr": ctr, "clickbait": cost.astype(bool)}
        self._candidates = self._draw()
        done = np.zeros(self.num_agents, dtype=bool)
        return StepResult(self._candidates.copy(), reward, cost, done, done.copy(), info)

    def _draw(self) -> np.ndarray:
        rng = self._require_rng()
        size = len(self.world)
        k = self.candidates_per_step
        # Random keys + argpartition: K distinct indices per row, all rows in one call.
        keys = rng.random((self.num_agents, size))
        return np.argpartition(keys, k - 1, axis=1)[:, :k].astype(np.int64)

    def _require_rng(self) -> np.random.Generator:
        if self._rng is None:
            raise ConfigError("call reset(seed) before step()")
        return self._rng
