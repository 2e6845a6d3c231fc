"""Reward and cost curves over environment steps: mean over seeds ± 95% CI, in training segments.

Every headline experiment reports its curves the same way (Demo 2 and Q4 in experiments/headlines.py
`_curve`, Q5 here): the steps are cut into at most `points` equal segments; per seed a segment's
value is a ratio of sums over the segment (e.g. clickbait published / published), so a segment with
few events weighs as little as it should; the mean and Student's t interval are taken over seeds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tractatus.lab.experiments.grid import number

CURVE_POINTS = 10


def segments(steps: int, points: int = CURVE_POINTS) -> list[tuple[int, int]]:
    """[lo, hi) step ranges of at most `points` nearly equal segments covering 0..steps."""
    if steps <= 0:
        return []
    edges = np.unique(np.linspace(0, steps, min(points, steps) + 1).astype(int))
    return list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))


def ratio_curve(numerator: np.ndarray, denominator: np.ndarray, points: int = CURVE_POINTS) -> list[dict[str, Any]]:
    """(seeds, steps) sums -> per segment {"steps": [first, last] (1-based), mean, ci95, per_seed, n}."""
    numerator, denominator = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    curve = []
    for lo, hi in segments(numerator.shape[1], points):
        num, den = numerator[:, lo:hi].sum(axis=1), denominator[:, lo:hi].sum(axis=1)
        values = [n / d if d else math.nan for n, d in zip(num.tolist(), den.tolist(), strict=True)]
        curve.append({"steps": [lo + 1, hi], **number([v for v in values if not math.isnan(v)])})
    return curve
