"""What the dashboard shows, computed from the service database (no raw text is ever read).

Bounded: every view looks at the newest `window` rows, so a dashboard stays fast on a database
with millions of decisions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tractatus.service.bandit import ArmStats
from tractatus.service.models import DecisionRecord, Rollout, Submission

NOT_EXECUTED = frozenset({"block", "escalate"})


@dataclass
class DashboardData:
    total_decisions: int
    total_submissions: int
    verdict_counts: dict[str, int]
    timeline: list[tuple[float, dict[str, int]]]  # (bucket start, verdict -> count)
    bucket_s: float
    block_rate_by_rule: list[tuple[str, float, int]]  # (rule, share of decisions it blocked, count)
    latency: dict[str, dict[str, float]]  # source -> {p50_us, p99_us, n}
    top_findings: list[tuple[str, int]]
    categories: dict[str, int]
    severities: dict[str, int]
    learning_curve: list[tuple[int, float]]  # (rated rollout index, cumulative mean reward)
    strategy_share: dict[str, int]
    arms: list[ArmStats] = field(default_factory=list)
    drafts_blocked: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_decisions": self.total_decisions,
            "total_submissions": self.total_submissions,
            "verdict_counts": self.verdict_counts,
            "timeline": [{"start": t, "verdicts": v} for t, v in self.timeline],
            "bucket_s": self.bucket_s,
            "block_rate_by_rule": [{"rule_id": r, "block_rate": rate, "count": n} for r, rate, n in self.block_rate_by_rule],
            "latency": self.latency,
            "top_findings": [{"rule_id": r, "count": n} for r, n in self.top_findings],
            "categories": self.categories,
            "severities": self.severities,
            "learning_curve": [{"rated": i, "mean_reward": m} for i, m in self.learning_curve],
            "strategy_share": self.strategy_share,
            "arms": [{"strategy": a.strategy, "alpha": a.alpha, "beta": a.beta, "pulls": a.pulls, "mean": a.mean} for a in self.arms],
            "drafts_blocked": self.drafts_blocked,
        }


def _bucket_size(span_s: float) -> float:
    """A bucket width giving at most ~60 bars: minute, 5 min, hour or day."""
    for width in (60.0, 300.0, 3600.0, 86400.0):
        if span_s / width <= 60:
            return width
    return 86400.0


def collect(session: Session, arms: list[ArmStats], *, window: int = 20000) -> DashboardData:
    rows = session.execute(
        select(DecisionRecord.created_at, DecisionRecord.source, DecisionRecord.verdict, DecisionRecord.rule_ids, DecisionRecord.latency_us)
        .order_by(DecisionRecord.id.desc())
        .limit(window)
    ).all()
    total_decisions = session.scalar(select(func.count()).select_from(DecisionRecord)) or 0
    total_submissions = session.scalar(select(func.count()).select_from(Submission)) or 0

    verdicts = Counter(r.verdict for r in rows)
    timeline: list[tuple[float, dict[str, int]]] = []
    bucket_s = 60.0
    if rows:
        first, last = min(r.created_at for r in rows), max(r.created_at for r in rows)
        bucket_s = _bucket_size(last - first)
        buckets: dict[float, Counter[str]] = {}
        for r in rows:
            start = (r.created_at // bucket_s) * bucket_s
            buckets.setdefault(start, Counter())[r.verdict] += 1
        timeline = [(start, dict(buckets[start])) for start in sorted(buckets)]

    findings: Counter[str] = Counter()
    blocked_by: Counter[str] = Counter()
    for r in rows:
        for rule in set(r.rule_ids or ()):
            findings[rule] += 1
            if r.verdict in NOT_EXECUTED:
                blocked_by[rule] += 1
    n = max(1, len(rows))
    block_rate = sorted(((rule, blocked_by[rule] / n, blocked_by[rule]) for rule in blocked_by), key=lambda t: -t[1])

    latency: dict[str, dict[str, float]] = {}
    for source in sorted({r.source for r in rows}):
        values = np.array([r.latency_us for r in rows if r.source == source], dtype=float)
        latency[source] = {
            "p50_us": float(np.percentile(values, 50)),
            "p99_us": float(np.percentile(values, 99)),
            "n": int(values.size),
        }

    subs = session.execute(
        select(Submission.category, Submission.severity).order_by(Submission.created_at.desc()).limit(window)
    ).all()
    rollouts = session.execute(
        select(Rollout.strategy, Rollout.reward, Rollout.blocked).order_by(Rollout.id.desc()).limit(window)
    ).all()[::-1]
    rewards = np.array([r.reward for r in rollouts if r.reward is not None], dtype=float)
    curve = [(i + 1, float(m)) for i, m in enumerate(np.cumsum(rewards) / np.arange(1, rewards.size + 1))] if rewards.size else []
    return DashboardData(
        total_decisions=int(total_decisions),
        total_submissions=int(total_submissions),
        verdict_counts=dict(verdicts),
        timeline=timeline,
        bucket_s=bucket_s,
        block_rate_by_rule=block_rate[:15],
        latency=latency,
        top_findings=findings.most_common(10),
        categories=dict(Counter(s.category for s in subs)),
        severities=dict(Counter(s.severity for s in subs)),
        learning_curve=curve,
        strategy_share=dict(Counter(r.strategy for r in rollouts)),
        arms=arms,
        drafts_blocked=sum(1 for r in rollouts if r.blocked),
    )
