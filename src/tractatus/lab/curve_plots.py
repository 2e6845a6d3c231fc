"""The one plotting helper for reward and cost curves against environment steps (matplotlib, files only).

Every method of every headline experiment is drawn the same way: reward on the left, cost on the
right, the mean over seeds as a line and its 95% confidence interval (Student's t over seeds) as a
band, so curves from different experiments read alike. A point is a dict with "mean" and "ci95"
(the result files' number format); a missing or NaN mean leaves a gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import numpy as np


@dataclass(frozen=True)
class CurveSeries:
    """One method: x (environment steps) and its reward and cost points; cost None = not drawn."""

    label: str
    x: Sequence[float]
    reward: Sequence[dict[str, Any]]
    cost: Sequence[dict[str, Any]] | None = None
    style: dict[str, Any] = field(default_factory=dict)


def _mean(point: dict[str, Any] | None) -> float:
    value = None if not point else point.get("mean")
    return math.nan if value is None else float(value)


def band(ax: Any, x: Sequence[float], points: Sequence[dict[str, Any]], label: str, *, clip: tuple[float, float] | None = None,
         **style: Any) -> Any:
    """The mean as a line and its 95% CI as a band (clipped to the quantity's range); returns the line."""
    m = np.array([_mean(p) for p in points])
    ci = np.array([(p or {}).get("ci95") or 0.0 for p in points])
    lo, hi = m - ci, m + ci
    if clip is not None:
        lo, hi = np.clip(lo, *clip), np.clip(hi, *clip)
    line = ax.plot(np.asarray(x, dtype=float), m, label=label, lw=2, **style)[0]
    ax.fill_between(np.asarray(x, dtype=float), lo, hi, alpha=0.15, color=line.get_color())
    return line


def reward_cost_figure(series: Sequence[CurveSeries], *, title: str, x_label: str, reward_label: str, cost_label: str,
                       cost_limit: float | None = None) -> Any:
    """Two panels: reward and cost against environment steps, one line and band per method."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for s in series:
        line = band(left, s.x, s.reward, s.label, **s.style)
        if s.cost is not None:
            band(right, s.x, s.cost, s.label, clip=(0.0, 1.0), color=line.get_color(), **{k: v for k, v in s.style.items() if k != "color"})
    if cost_limit is not None:
        right.axhline(cost_limit, color="black", lw=1, ls=":", label=f"limit {cost_limit:g}")
    for ax, ylabel in ((left, reward_label), (right, cost_label)):
        ax.set_xlabel(x_label)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
    left.legend(fontsize=7)
    right.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    return fig


def sweep_figure(methods: dict[str, list[tuple[float, dict[str, Any], dict[str, Any]]]], references: dict[str, tuple[dict[str, Any], dict[str, Any]]],
                 *, title: str, reward_label: str) -> Any:
    """Cost-limit sweep. Left: reward against achieved cost, one line per method through its limits (error
    bars: 95% CIs both ways), references as single markers. Right: achieved cost against the limit, with
    the line on which the limit is met exactly. `methods`: name -> [(limit, reward, cost)]."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for name, points in methods.items():
        limits = [p[0] for p in points]
        rx = [_mean(p[2]) for p in points]
        ry = [_mean(p[1]) for p in points]
        bar = left.errorbar(rx, ry, xerr=[p[2].get("ci95") or 0.0 for p in points], yerr=[p[1].get("ci95") or 0.0 for p in points],
                            marker="o", capsize=3, label=name)
        for limit, x, y in zip(limits, rx, ry, strict=True):
            left.annotate(f"{limit:g}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        right.errorbar(limits, rx, yerr=[p[2].get("ci95") or 0.0 for p in points], marker="o", capsize=3, label=name,
                       color=bar.lines[0].get_color())
    for name, (reward, cost) in references.items():
        left.errorbar([_mean(cost)], [_mean(reward)], xerr=[cost.get("ci95") or 0.0], yerr=[reward.get("ci95") or 0.0], marker="s",
                      ls="none", capsize=3, label=f"{name} (no limit)")
    all_limits = sorted({p[0] for points in methods.values() for p in points})
    if all_limits:
        right.plot(all_limits, all_limits, color="black", lw=1, ls=":", label="achieved = limit")
        right.set_xscale("log")
    left.set_xlabel("achieved cost: leak (published labelled clickbait / published)")
    left.set_ylabel(reward_label)
    right.set_xlabel("cost limit")
    right.set_ylabel("achieved cost (leak)")
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    return fig


def save(fig: Any, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
