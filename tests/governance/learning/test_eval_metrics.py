"""Rates and confusion metrics: checked against counts and a Wilson interval worked out by hand."""

from __future__ import annotations

import math

import pytest

from tractatus.governance.learning.metrics import BinaryMetrics, Rate, flag_rate


def wilson(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """The Wilson score interval written out, to check scipy's against."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("k", "n"), [(8, 10), (0, 12), (12, 12), (1, 3), (97, 1000)])
def test_rate_is_a_wilson_interval(k: int, n: int) -> None:
    rate = Rate.of(k, n)
    low, high = wilson(k, n)
    assert rate.value == pytest.approx(k / n)
    assert rate.low == pytest.approx(low, abs=1e-9) and rate.high == pytest.approx(high, abs=1e-9)
    assert 0.0 <= rate.low <= rate.value <= rate.high <= 1.0


def test_known_interval_for_eight_of_ten() -> None:
    rate = Rate.of(8, 10)
    assert (round(rate.low, 4), round(rate.high, 4)) == (0.4902, 0.9433)
    assert rate.percent() == "80.0% [49.0, 94.3]"


def test_nothing_to_measure_is_not_a_number() -> None:
    rate = Rate.of(0, 0)
    assert rate.value is None and rate.percent() == "—"


@pytest.mark.parametrize(("k", "n"), [(3, 2), (-1, 2), (0, -1)])
def test_impossible_counts_are_refused(k: int, n: int) -> None:
    with pytest.raises(ValueError):
        Rate.of(k, n)


def test_binary_metrics_count_each_cell() -> None:
    flagged = [True, True, False, True, False, False, False]
    positive = [True, True, True, False, False, False, False]
    m = BinaryMetrics.of(flagged, positive)
    assert (m.tp, m.fp, m.fn, m.tn, m.n) == (2, 1, 1, 3, 7)
    assert m.precision.value == pytest.approx(2 / 3)
    assert m.recall.value == pytest.approx(2 / 3)
    assert m.fpr.value == pytest.approx(1 / 4)


def test_flag_rate_counts_only_the_selected_rows() -> None:
    assert flag_rate([True, False, True, True], [True, True, False, False]).model_dump()["k"] == 1
    assert flag_rate([True, False, True, True], [True, True, False, False]).n == 2


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        BinaryMetrics.of([True], [True, False])
