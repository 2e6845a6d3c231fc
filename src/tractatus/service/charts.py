"""Server-side charts for the dashboard: matplotlib's object API to SVG (no pyplot global state, no CDN)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import matplotlib

matplotlib.use("Agg")  # no display; set before any figure exists (a no-op if already Agg)
from matplotlib.figure import Figure

from tractatus.service.dashboard_data import DashboardData

VERDICT_COLORS = {"allow": "#2e7d32", "warn": "#f9a825", "modify": "#1565c0", "escalate": "#6a1b9a", "block": "#c62828"}
VERDICT_ORDER = ("allow", "warn", "modify", "escalate", "block")


def _svg(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def _empty(ax, message: str) -> None:  # type: ignore[no-untyped-def]
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#666")
    ax.set_xticks([])
    ax.set_yticks([])


def decisions_over_time(data: DashboardData) -> bytes:
    fig = Figure(figsize=(7, 2.8))
    ax = fig.add_subplot()
    if not data.timeline:
        _empty(ax, "no decisions yet")
    else:
        xs = list(range(len(data.timeline)))
        bottom = [0] * len(xs)
        for verdict in VERDICT_ORDER:
            heights = [counts.get(verdict, 0) for _, counts in data.timeline]
            if any(heights):
                ax.bar(xs, heights, bottom=bottom, color=VERDICT_COLORS[verdict], label=verdict, width=0.85)
                bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        step = max(1, len(xs) // 8)
        fmt = "%H:%M" if data.bucket_s < 86400 else "%m-%d"
        ax.set_xticks(xs[::step], [datetime.fromtimestamp(t, UTC).strftime(fmt) for t, _ in data.timeline][::step])
        ax.set_ylabel("decisions")
        ax.set_title(f"Decisions per {int(data.bucket_s // 60)} min (UTC)", fontsize=10)
        ax.legend(fontsize=8, ncols=5, loc="upper left")
    return _svg(fig)


def block_rate_by_rule(data: DashboardData) -> bytes:
    fig = Figure(figsize=(7, 2.8))
    ax = fig.add_subplot()
    if not data.block_rate_by_rule:
        _empty(ax, "nothing blocked yet")
    else:
        rules = [r for r, _, _ in data.block_rate_by_rule][::-1]
        rates = [100 * rate for _, rate, _ in data.block_rate_by_rule][::-1]
        ax.barh(rules, rates, color="#c62828")
        ax.set_xlabel("% of decisions blocked or escalated by the rule")
        ax.set_title("Block rate per rule", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
    return _svg(fig)


def learning_curve(data: DashboardData) -> bytes:
    fig = Figure(figsize=(7, 2.8))
    left = fig.add_subplot(1, 2, 1)
    right = fig.add_subplot(1, 2, 2)
    if not data.learning_curve:
        _empty(left, "no rated responses yet")
    else:
        left.plot([i for i, _ in data.learning_curve], [m for _, m in data.learning_curve], color="#1565c0",
                  marker="o" if len(data.learning_curve) < 30 else None, markersize=3)
        left.set_ylim(0, 1)
        left.set_xlabel("rated or blocked drafts")
        left.set_ylabel("mean reward so far")
        left.set_title("Learning curve", fontsize=10)
    if data.arms:
        names = [a.strategy for a in data.arms]
        right.barh(names, [a.mean for a in data.arms], color="#2e7d32")
        for y, arm in enumerate(data.arms):
            right.text(min(arm.mean, 0.95), y, f" {arm.pulls}", va="center", fontsize=7)
        right.set_xlim(0, 1)
        right.set_title("Posterior mean reward (pulls)", fontsize=10)
        right.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    return _svg(fig)


CHARTS = {"decisions": decisions_over_time, "block-rate": block_rate_by_rule, "learning": learning_curve}
