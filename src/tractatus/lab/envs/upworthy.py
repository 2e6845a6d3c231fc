"""The Upworthy replay environment (`--env upworthy`): each step is one real A/B test.

Row r of the environment (one agent; the replay runs its seeds side by side as rows) follows its
own schedule of archive tests (lab/world/upworthy_archive.py, `week_ordered_schedule`). At step t
the row is offered the distinct headlines of test `schedule[r, t]` (padded with NOTHING where a
test has fewer headlines than the widest one). What the platform (lab/headline_platform.py)
publishes is one of them or nothing. Then

- reward: the published headline's **logged** clicks / impressions in that test (replay
  evaluation, Li et al. 2011: every headline was shown to a randomised audience, so its logged
  CTR is an unbiased reward for picking it); 0 if nothing was published;
- cost: 1.0 if the lab's independent judge (lab/world/judge.py, fitted on the clickbait source's
  `judge_train` split) calls the published headline clickbait. The archive has no human labels;
  the judge is NOT the governor's detector and shares no code, rows or word lists with it.

Nothing is random here: the schedule fixes every step.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.lab.envs.base import StepResult
from tractatus.lab.envs.headlines import NOTHING, HeadlineSettings
from tractatus.lab.world.upworthy_archive import PAD, ReplayArchive

assert PAD == NOTHING  # the platform treats a padded candidate as "not offered"


class UpworthyWorld:
    """What the platform needs of a world: texts, their hidden labels (the judge's) and the reward scale."""

    def __init__(self, archive: ReplayArchive, clickbait: np.ndarray) -> None:
        if clickbait.shape != (len(archive.texts),):
            raise ConfigError("one judge label per archive headline")
        self.texts = archive.texts
        self.clickbait = clickbait.astype(bool)
        self.base_ctr = archive.base_ctr

    def __len__(self) -> int:
        return len(self.texts)


class UpworthyReplayEnv:
    def __init__(self, archive: ReplayArchive, world: UpworthyWorld, schedule: np.ndarray, settings: HeadlineSettings) -> None:
        schedule = np.asarray(schedule, dtype=np.int64)
        if schedule.ndim != 2 or schedule.shape[1] < 1:
            raise ConfigError("the replay schedule must be (rows, rounds) test indices")
        if schedule.min() < 0 or schedule.max() >= len(archive):
            raise ConfigError("a scheduled test is outside the archive")
        self.archive = archive
        self.world = world
        self.schedule = schedule
        self.settings = settings
        self.num_agents = schedule.shape[0]
        self.rounds = schedule.shape[1]
        self._ctr = np.nan_to_num(archive.ctr, nan=0.0)
        self.t = 0

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        self.t = 0
        return self.candidates.copy(), {}

    @property
    def tests(self) -> np.ndarray:
        """(rows,) the archive test each row replays at this step."""
        return self.schedule[:, min(self.t, self.rounds - 1)]

    @property
    def candidates(self) -> np.ndarray:
        """(rows, K) text indices of this step's headlines, NOTHING where a test has fewer."""
        return self.archive.candidates[self.tests]

    def step(self, published: np.ndarray) -> StepResult:
        """`published`: (rows,) text index per row, one of its candidates, or NOTHING."""
        if self.t >= self.rounds:
            raise ConfigError("the replay schedule is exhausted")
        published = np.asarray(published, dtype=np.int64)
        if published.shape != (self.num_agents,):
            raise ConfigError(f"published must have shape ({self.num_agents},), not {published.shape}")
        candidates = self.candidates
        shown = published != NOTHING
        match = (candidates == published[:, None]) & shown[:, None]
        if not np.array_equal(match.any(axis=1), shown):
            raise ConfigError("a published headline is not one of its row's candidates")
        column = np.argmax(match, axis=1)
        ctr = np.where(shown, self._ctr[self.tests, column], 0.0)
        cost = (shown & self.world.clickbait[np.where(shown, published, 0)]).astype(np.float64)
        info = {"published": shown, "expected_ctr": ctr, "clickbait": cost.astype(bool), "tests": self.tests.copy()}
        self.t += 1
        done = np.full(self.num_agents, self.t >= self.rounds)
        # The logged CTR is the reward itself: no click draw, the archive's readers already clicked.
        return StepResult(self.candidates.copy(), ctr, cost, done, np.zeros_like(done), info)
