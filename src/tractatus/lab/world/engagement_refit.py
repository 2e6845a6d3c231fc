"""The engagement model refitted as the archive's weeks pass (Q2's non-stationary audience).

The replay's weeks are cut into blocks of `every` weeks. At the start of block b the model is
refitted (engagement.fit_on_weeks: the same within-test conditional logit, L-BFGS from zeros, so
deterministic) on every test of the weeks before the block; it then predicts for the block's
tests. Block 0 has no past: its model is None and its predictions are all equal (0 log-odds), so
"highest predicted CTR" picks the first candidate there. Nothing learns from the future.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tractatus.governance.errors import ConfigError
from tractatus.lab.world.engagement import EngagementModel, archive_packages, fit_on_weeks
from tractatus.lab.world.upworthy_archive import PAD, ReplayArchive

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class WeeklyRefits:
    every: int
    block_start: list[int]  # first week of each block
    models: list[EngagementModel | None]  # the model in force during each block

    def block_of(self, week: int) -> int:
        return int(np.searchsorted(self.block_start, week, side="right")) - 1

    def coefficients(self) -> list[list[float] | None]:
        return [None if m is None else m.coefficients.tolist() for m in self.models]


def weekly_refits(table: pa.Table, weeks: list[int], every: int) -> tuple[WeeklyRefits, dict[str, np.ndarray]]:
    """The refits over `weeks` (the replay's weeks, ascending), and the raw features of every archive headline."""
    if every < 1:
        raise ConfigError("refit every >= 1 weeks")
    packages = archive_packages(table)
    starts = weeks[::every]
    models = [None if i == 0 else fit_on_weeks(packages, (weeks[0], weeks[i * every - 1])) for i in range(len(starts))]
    raw = {str(t): row for t, row in zip(packages.text.tolist(), packages.raw, strict=True)}
    return WeeklyRefits(every, starts, models), raw


def predicted_scores(archive: ReplayArchive, refits: WeeklyRefits, raw: dict[str, np.ndarray]) -> np.ndarray:
    """(T, K) log-odds each test's candidates get from the model in force in the test's week (-inf at PAD)."""
    width = next(iter(raw.values())).shape[0]
    features = np.stack([raw.get(t, np.zeros(width)) for t in archive.texts])
    scores = np.full(archive.candidates.shape, -np.inf)
    blocks = np.array([refits.block_of(int(w)) for w in archive.week])
    for block, model in enumerate(refits.models):
        rows = np.flatnonzero(blocks == block)
        if len(rows) == 0:
            continue
        cand = archive.candidates[rows]
        values = np.zeros(cand.shape) if model is None else model.scores(features[np.maximum(cand, 0)].reshape(-1, width)).reshape(cand.shape)
        scores[rows] = np.where(cand != PAD, values, -np.inf)
    return scores
