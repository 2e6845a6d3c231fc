"""Equivalence of two groups of per-seed numbers: the two one-sided tests (TOST, Schuirmann 1987).

A claim that a number is "constant" across scales needs more than a difference that is not
significant (absence of evidence is not evidence of absence). TOST states a margin first and
concludes equivalence only when the whole confidence interval of the difference lies inside it.

Here the interval is the 95% Welch interval of mean(b) - mean(a) (unequal variances, the
Welch-Satterthwaite degrees of freedom rounded down, which widens the interval). Equivalence when
that interval lies inside (-margin, +margin) is TOST at alpha = 0.025 per side: stricter than the
usual 90% interval (alpha = 0.05), chosen so that one interval (the one every table shows) serves
both the difference test and the equivalence test. Written with lab/stats.py's t quantile rather
than scipy's so the report can be rendered where scipy is not imported (see stats.py).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np

from tractatus.lab.stats import t_quantile_975


@dataclass(frozen=True, slots=True)
class Equivalence:
    difference: float  # mean(b) - mean(a)
    low: float  # 95% Welch interval of the difference
    high: float
    margin: float
    equivalent: bool  # the interval lies inside (-margin, +margin)
    different: bool  # the interval excludes 0

    @property
    def verdict(self) -> str:
        if self.equivalent:
            return "equivalent (a difference inside the margin)" if self.different else "equivalent"
        if self.different:
            return "different"
        return "inconclusive"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "verdict": self.verdict}


def welch_interval(a: Sequence[float], b: Sequence[float]) -> tuple[float, float, float]:
    """(difference, low, high): mean(b) - mean(a) and its 95% Welch interval. Needs two values per group."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.size < 2 or y.size < 2:
        raise ValueError("each group needs at least two values")
    difference = float(y.mean() - x.mean())
    va, vb = float(x.var(ddof=1)) / x.size, float(y.var(ddof=1)) / y.size
    se = math.sqrt(va + vb)
    if se == 0.0:
        return difference, difference, difference
    df = (va + vb) ** 2 / (va**2 / (x.size - 1) + vb**2 / (y.size - 1))
    half = t_quantile_975(max(1, math.floor(df))) * se
    return difference, difference - half, difference + half


def tost(a: Sequence[float], b: Sequence[float], margin: float) -> Equivalence:
    """Is mean(b) within +-margin of mean(a)? `margin` > 0, fixed before the data were seen."""
    if not margin > 0:
        raise ValueError("the equivalence margin must be positive")
    difference, low, high = welch_interval(a, b)
    return Equivalence(difference, low, high, margin, equivalent=bool(-margin < low and high < margin),
                       different=bool(low > 0 or high < 0))
