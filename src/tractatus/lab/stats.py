"""Mean and 95% confidence interval over seeds (Student's t), as the lab reports every number."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

# Student's t 0.975 quantile without scipy (issue 12, item 6: importing scipy.stats cost the CLI
# ~0.3 s for one number). Degrees of freedom 1-30: the exact values to 6 decimals (as
# scipy.stats.t.ppf(0.975, df) gives them); above 30: the Cornish-Fisher series in 1/df to the
# fourth order (Abramowitz & Stegun 26.7.5), within 1.3e-8 relative of scipy for df 31..100,000.
# tests/lab/test_stats.py checks both against the values scipy gives, where scipy is installed.
_T975_SMALL_DF = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
    2.200985, 2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
    2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
)  # fmt: skip
_Z975 = 1.959963984540054  # the standard normal 0.975 quantile


def t_quantile_975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom (df >= 1)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be >= 1, got {df}")
    if df <= len(_T975_SMALL_DF):
        return _T975_SMALL_DF[df - 1]
    z, v = _Z975, float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


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
    half = float(t_quantile_975(data.size - 1) * data.std(ddof=1) / math.sqrt(data.size))
    return Estimate(mean, half, int(data.size), tuple(float(v) for v in data))


def format_estimate(value: Estimate, fmt: str = "{:.3f}") -> str:
    if value.ci95 is None:
        return fmt.format(value.mean)
    return f"{fmt.format(value.mean)} ± {fmt.format(value.ci95)}"
