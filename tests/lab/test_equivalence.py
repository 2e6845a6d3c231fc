"""TOST (lab/equivalence.py) against cases whose answer is known by hand, and against scipy's Welch interval."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tractatus.lab.equivalence import tost, welch_interval


def test_hand_computed_case() -> None:
    # a and b: variance 5/3 each, n = 4: se = sqrt(5/6), Welch df = 6 exactly, t(0.975, 6) = 2.446912.
    difference, low, high = welch_interval([1, 2, 3, 4], [2, 3, 4, 5])
    half = 2.446912 * math.sqrt(5 / 6)
    assert difference == pytest.approx(1.0)
    assert (low, high) == pytest.approx((1.0 - half, 1.0 + half), abs=1e-6)
    assert tost([1, 2, 3, 4], [2, 3, 4, 5], margin=3.3).equivalent  # interval (-1.23, 3.23) inside +-3.3
    wide = tost([1, 2, 3, 4], [2, 3, 4, 5], margin=3.0)
    assert not wide.equivalent and not wide.different and wide.verdict == "inconclusive"


def test_equal_groups_are_equivalent_and_distant_ones_different() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(10.0, 0.1, 10)
    same = tost(a, a + rng.normal(0.0, 0.01, 10), margin=0.5)
    assert same.equivalent and same.verdict.startswith("equivalent")
    far = tost(a, a + 5.0, margin=0.5)
    assert far.different and not far.equivalent and far.verdict == "different"
    # A real but small difference can be both: different from 0 and inside the margin.
    near = tost(np.full(10, 1.0) + rng.normal(0, 0.001, 10), np.full(10, 1.1) + rng.normal(0, 0.001, 10), margin=0.5)
    assert near.equivalent and near.different and "inside the margin" in near.verdict


def test_zero_variance_and_bad_input() -> None:
    assert tost([2.0, 2.0, 2.0], [2.0, 2.0], margin=0.1).equivalent
    assert tost([2.0, 2.0], [3.0, 3.0], margin=0.1).different
    with pytest.raises(ValueError):
        tost([1.0], [1.0, 2.0], margin=1.0)
    with pytest.raises(ValueError):
        tost([1.0, 2.0], [1.0, 2.0], margin=0.0)


def test_interval_matches_scipy_welch_with_the_df_rounded_down() -> None:
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.normal(0, rng.uniform(0.5, 3), rng.integers(2, 15)), rng.normal(1, rng.uniform(0.5, 3), rng.integers(2, 15))
        va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
        df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        half = stats.t.ppf(0.975, max(1, math.floor(df))) * math.sqrt(va + vb)
        difference, low, high = welch_interval(a, b)
        assert (low, high) == pytest.approx((difference - half, difference + half), rel=1e-5)
