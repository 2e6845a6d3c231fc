"""Mean and 95% confidence interval over seeds (Student's t), as the lab reports every number."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from scipy import stats


@dataclass(frozen=True, slots=True)
class Estimate:
    mean: float
    ci95: float | None  # half-width of the 95% interval; None with fewer than two seeds
    n: int
    values: tuple[float, ...]

    def __str__(self) -> str:
        return format_estimate(self)


def estimate(values: Sequence[float]) -> Estimate:
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return Estimate(math.nan, None, 0, ())
    mean = float(data.mean())
    if data.size < 2:
        return Estimate(mean, None, 1, (mean,))
    half = float(stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return Estimate(mean, half, int(data.size), tuple(float(v) for v in data))


def format_estimate(value: Estimate, fmt: str = "{:.3f}") -> str:
    if value.ci95 is None:
        return fmt.format(value.mean)
    return f"{fmt.format(value.mean)} ± {fmt.format(value.ci95)}"
