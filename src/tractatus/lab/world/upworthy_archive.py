"""The Upworthy archive as a replay: one real A/B test per step, its headlines and their logged CTRs.

Replay evaluation (Li et al. 2011): in every test Upworthy showed each package to a randomised
share of its readers, so the logged clicks / impressions of the package an agent picks is an
unbiased reward for that pick, with no audience model in between.

A candidate is one **distinct headline** of a test. Packages that share a headline (they differ
in image or lede) are pooled: clicks and impressions summed, so the candidate's CTR is that
headline's CTR over the companions it was tested with. The governor decides on the headline's
text only, so two packages with the same words could never get different verdicts; keeping them
apart would make a blocked agent re-propose the same words.

Dropped, and counted in `dropped`:
- tests of the archive's documented faulty-randomisation weeks (`DROPPED_WEEKS`, as the
  engagement fit drops them);
- packages with no impressions or an empty headline;
- tests with fewer than two distinct headlines (nothing to choose).

Tests are ordered by week, then by test id, so a replay in index order is a replay in time order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tractatus.governance.errors import InputError
from tractatus.lab.world.engagement import DROPPED_WEEKS

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = ("clickability_test_id", "headline", "impressions", "clicks", "test_week")
PAD = -1  # candidate slot of a test with fewer headlines than the widest test


@dataclass(frozen=True)
class ReplayArchive:
    texts: list[str]  # distinct headlines of the kept tests (the index space of `candidates`)
    test_ids: list[str]  # (T,) in replay order
    week: np.ndarray  # (T,) test_week, non-decreasing
    candidates: np.ndarray  # (T, K) text index per candidate, PAD beyond a test's own headlines
    clicks: np.ndarray  # (T, K) pooled clicks (0 at PAD)
    impressions: np.ndarray  # (T, K) pooled impressions (0 at PAD)
    dropped: dict[str, int] = field(default_factory=dict)

    @property
    def ctr(self) -> np.ndarray:
        """(T, K) logged CTR per candidate, NaN at PAD."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.candidates != PAD, self.clicks / np.maximum(self.impressions, 1), np.nan)

    @property
    def available(self) -> np.ndarray:
        return self.candidates != PAD

    @property
    def base_ctr(self) -> float:
        """Clicks / impressions over every kept candidate: the replay's average CTR (learners' reward scale)."""
        return float(self.clicks.sum() / self.impressions.sum())

    def __len__(self) -> int:
        return len(self.test_ids)

    def weeks(self) -> list[int]:
        return sorted({int(w) for w in self.week})

    def subsample(self, every: int) -> ReplayArchive:
        """Every `every`-th test in replay order (the --quick configurations): still week-ordered."""
        keep = np.arange(0, len(self), every)
        used = np.unique(self.candidates[keep][self.candidates[keep] != PAD])
        remap = np.full(len(self.texts), PAD, dtype=np.int64)
        remap[used] = np.arange(len(used))
        cand = np.where(self.candidates[keep] != PAD, remap[np.maximum(self.candidates[keep], 0)], PAD)
        return ReplayArchive([self.texts[i] for i in used.tolist()], [self.test_ids[i] for i in keep.tolist()], self.week[keep],
                             cand, self.clicks[keep], self.impressions[keep], {**self.dropped, "subsampled_every": every})


def load_replay_archive(table: pa.Table, *, dropped_weeks: tuple[int, int] = DROPPED_WEEKS) -> ReplayArchive:
    missing = set(COLUMNS) - set(table.column_names)
    if missing:
        raise InputError(f"the Upworthy table lacks column(s) {sorted(missing)}")
    tests: dict[str, dict[str, list[float]]] = defaultdict(dict)  # test -> headline -> [clicks, impressions]
    week_of: dict[str, int] = {}
    faulty_tests: set[str] = set()
    empty = 0
    columns = [table.column(name).to_pylist() for name in COLUMNS]
    for test, headline, impressions, clicks, week in zip(*columns, strict=True):
        if dropped_weeks[0] <= int(week) <= dropped_weeks[1]:
            faulty_tests.add(str(test))
            continue
        if not headline or not impressions or impressions <= 0:
            empty += 1
            continue
        week_of[str(test)] = int(week)
        pooled = tests[str(test)].setdefault(str(headline), [0.0, 0.0])
        pooled[0] += float(clicks or 0)
        pooled[1] += float(impressions)
    kept = sorted((week_of[t], t) for t, headlines in tests.items() if len(headlines) >= 2)
    if not kept:
        raise InputError("the Upworthy table has no test with two distinct headlines outside the faulty weeks")
    width = max(len(tests[t]) for _, t in kept)
    text_index: dict[str, int] = {}
    candidates = np.full((len(kept), width), PAD, dtype=np.int64)
    clicks = np.zeros((len(kept), width))
    impressions = np.zeros((len(kept), width))
    for row, (_, test) in enumerate(kept):
        for col, (headline, (c, n)) in enumerate(sorted(tests[test].items())):
            candidates[row, col] = text_index.setdefault(headline, len(text_index))
            clicks[row, col], impressions[row, col] = c, n
    dropped = {"faulty_week_tests": len(faulty_tests), "empty_packages": empty,
               "single_headline_tests": len(tests) - len(kept)}
    return ReplayArchive(list(text_index), [t for _, t in kept], np.array([w for w, _ in kept], dtype=np.int64),
                         candidates, clicks, impressions, dropped)


def week_ordered_schedule(archive: ReplayArchive, rounds: int, seed: int) -> np.ndarray:
    """(rounds,) test indices in week order: each week gets rounds in proportion to its tests.

    Within a week the tests come in a seeded random order, cycled when the week gets more rounds
    than it has tests (every test of the week is replayed before any is replayed again). With
    `rounds == len(archive)` every test is replayed exactly once. Weeks never mix: the schedule is
    non-decreasing in week, which the Q2 replay's non-stationarity rests on.
    """
    if rounds < 1:
        raise InputError("a replay needs at least one round")
    _, first, counts = np.unique(archive.week, return_index=True, return_counts=True)
    share = rounds * counts / counts.sum()
    allotted = np.floor(share).astype(np.int64)
    # Largest remainders get the rounds the floors left over (ties: the earlier week), so the total is exact.
    leftover = rounds - int(allotted.sum())
    allotted[np.argsort(-(share - allotted), kind="stable")[:leftover]] += 1
    rng = np.random.default_rng(np.random.SeedSequence([seed, 2]))
    parts = []
    for start, count, take in zip(first.tolist(), counts.tolist(), allotted.tolist(), strict=True):
        order = start + rng.permutation(count)
        parts.append(np.resize(order, take))
    return np.concatenate(parts).astype(np.int64)
