"""The scipy-free t quantile behind every lab confidence interval matches scipy's."""

from __future__ import annotations

import pytest

from tractatus.lab.stats import estimate, t_quantile_975


@pytest.mark.parametrize("df", [1, 2, 5, 10, 29, 30, 31, 45, 100, 1000, 100_000])
def test_t_quantile_matches_scipy(df: int) -> None:
    stats = pytest.importorskip("scipy.stats")
    assert t_quantile_975(df) == pytest.approx(float(stats.t.ppf(0.975, df)), rel=1e-6)


def test_t_quantile_rejects_zero_degrees_of_freedom() -> None:
    with pytest.raises(ValueError, match="degrees of freedom"):
        t_quantile_975(0)


def test_estimate_uses_the_t_interval() -> None:
    # values 1, 2, 3: mean 2, sd 1, n 3 -> half-width t(0.975, 2) / sqrt(3) = 4.302653 / 1.7320508
    result = estimate([1.0, 2.0, 3.0])
    assert result.mean == pytest.approx(2.0)
    assert result.ci95 == pytest.approx(2.484138, rel=1e-5)


def test_lab_stats_does_not_import_scipy() -> None:
    import subprocess
    import sys

    code = "import sys, tractatus.lab.stats; print('scipy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"
