"""Rates with 95% Wilson intervals, and the precision / recall / false-positive rate of a binary flag.

Wilson rather than the normal approximation: held-out classes can be small (Davidson's hate class
has about a hundred tweets in its held-out split) and rates sit near 0 or 1, where the normal
interval leaves [0, 1]. The interval comes from scipy (`binomtest(...).proportion_ci`), not from a
hand-written formula.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict


class Rate(BaseModel):
    """k of n, as a proportion with its 95% Wilson interval (None when n is 0: nothing to measure)."""

    model_config = ConfigDict(frozen=True)

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        if n < 0 or not 0 <= k <= n:
            raise ValueError(f"a rate needs 0 <= k <= n (got k={k}, n={n})")
        if n == 0:
            return cls(k=0, n=0, value=None, low=None, high=None)
        from scipy.stats import binomtest

        interval = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        return cls(k=k, n=n, value=k / n, low=float(interval.low), high=float(interval.high))

    def percent(self) -> str:
        """'92.1% [90.4, 93.6]' for tables; '—' when there was nothing to measure."""
        if self.value is None or self.low is None or self.high is None:
            return "—"
        return f"{100 * self.value:.1f}% [{100 * self.low:.1f}, {100 * self.high:.1f}]"


class BinaryMetrics(BaseModel):
    """Confusion counts of a flag against labels, and the three rates people ask about."""

    model_config = ConfigDict(frozen=True)

    tp: int
    fp: int
    fn: int
    tn: int
    precision: Rate  # of the flagged texts, how many were positives: tp / (tp + fp)
    recall: Rate  # of the positives, how many were flagged: tp / (tp + fn)
    fpr: Rate  # of the negatives, how many were flagged: fp / (fp + tn)

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @classmethod
    def of(cls, flagged: Sequence[bool], positive: Sequence[bool]) -> BinaryMetrics:
        if len(flagged) != len(positive):
            raise ValueError(f"{len(flagged)} flags for {len(positive)} labels")
        tp = sum(1 for f, p in zip(flagged, positive, strict=True) if f and p)
        fp = sum(1 for f, p in zip(flagged, positive, strict=True) if f and not p)
        fn = sum(1 for f, p in zip(flagged, positive, strict=True) if not f and p)
        tn = len(flagged) - tp - fp - fn
        return cls(
            tp=tp, fp=fp, fn=fn, tn=tn,
            precision=Rate.of(tp, tp + fp), recall=Rate.of(tp, tp + fn), fpr=Rate.of(fp, fp + tn),
        )  # fmt: skip


def flag_rate(flagged: Sequence[bool], selected: Sequence[bool]) -> Rate:
    """The share of the `selected` texts that were flagged (a per-class recall, or a per-class FPR)."""
    chosen = [f for f, s in zip(flagged, selected, strict=True) if s]
    return Rate.of(sum(chosen), len(chosen))
