"""Q2 on real data: does governance keep holding as the Upworthy archive's weeks pass (2013 -> 2015)?

`tractatus lab persistence-headlines`. The replay (lab/upworthy_replay.py) runs the archive in
WEEK ORDER for `rounds` steps per seed (default 10,000; the archive keeps 2,087 tests after the
faulty weeks and single-headline tests are dropped, so each week's tests are replayed in a seeded
random order and cycled: every test of a week before any repeats, each week getting rounds in
proportion to its tests; weeks never mix). The engagement model is refitted every `refit_every`
weeks on the weeks seen so far (lab/world/engagement_refit.py) and drives the "highest predicted
CTR" null. Learners: linear Thompson (bandit) and policy gradient, each ungoverned, shielded and
Lagrangian (cost = the independent judge's label); 10 seeds.

Per time bucket (a twentieth of the run), mean ± 95% CI over seeds, and pooled one-sided 95% upper
bounds (Clopper-Pearson; the rule of three when nothing happened) instead of "0 ± 0":
- leak rate: published headlines the judge calls clickbait / published (no human labels exist for
  this archive; the judge never shares code, rows or words with the governor's detectors);
- block rate: proposals the governor refused / proposals; attempts per step;
- coverage: published headlines whose decision is in the audit log with a matching digest;
- drift alerts: the production DriftMonitor (governance/drift.py) over every recorded decision,
  with the policy's `drift:` thresholds (policies/persistence.yaml);
- logged CTR of what was published, and the null baselines' CTR and leak.
Trend: Mann-Kendall (Kendall's tau of the bucket series against time, scipy.stats.kendalltau), per
seed and on the mean curve, for leak and block rate, as the grammar-world Q2 does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

import numpy as np
from scipy import stats

from tractatus.lab.envs.headlines import NOTHING
from tractatus.lab.experiments.headlines import upper95
from tractatus.lab.experiments.upworthy_replay import archive_summary, number, ratio, run_metadata
from tractatus.lab.upworthy_replay import ReplayConfig, ReplayRun, bucket_edges, run_replay

DEFAULT = ReplayConfig(rounds=10_000, seeds=10)
QUICK = ReplayConfig(rounds=1_000, seeds=3, subsample=4, buckets=10)
RESULT_FILE = "docs/results/q2-headlines.json"


def _buckets(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """(seeds, buckets) sums of a (seeds, rounds) array over each bucket of rounds."""
    return np.stack([values[:, lo:hi].sum(axis=1) for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)], axis=1)


def trend(series: np.ndarray) -> dict[str, Any]:
    """Mann-Kendall on (seeds, buckets): tau and p of the mean curve, and per seed."""
    buckets = series.shape[1]
    if buckets < 3:
        return {"kendall_tau_mean_curve": None, "p_value_mean_curve": None, "tau_per_seed": [], "p_per_seed": [],
                "seeds_significantly_falling": 0, "seeds_significantly_rising": 0}
    time_axis = np.arange(buckets)
    per_seed = [stats.kendalltau(time_axis, row, nan_policy="omit") for row in series]
    mean_curve = np.nanmean(series, axis=0)
    pooled = stats.kendalltau(time_axis, mean_curve, nan_policy="omit")

    def finite(value: float) -> float | None:
        return float(value) if np.isfinite(value) else None

    return {
        "kendall_tau_mean_curve": finite(pooled.statistic), "p_value_mean_curve": finite(pooled.pvalue),
        "tau_per_seed": [finite(t.statistic) for t in per_seed], "p_per_seed": [finite(t.pvalue) for t in per_seed],
        "seeds_significantly_falling": sum(1 for t in per_seed if t.pvalue < 0.05 and t.statistic < 0),
        "seeds_significantly_rising": sum(1 for t in per_seed if t.pvalue < 0.05 and t.statistic > 0),
    }


def _curve(events: np.ndarray, trials: np.ndarray, edges: np.ndarray) -> tuple[list[dict[str, Any]], np.ndarray]:
    e, n = _buckets(events.astype(float), edges), _buckets(trials.astype(float), edges)
    rate = ratio(e, n)
    return [{**number(rate[:, b]), "upper95": upper95(int(e[:, b].sum()), int(n[:, b].sum()))} for b in range(rate.shape[1])], rate


def summarize_persistence(run: ReplayRun) -> dict[str, Any]:
    rounds = run.schedules.shape[1]
    edges = bucket_edges(rounds, run.config.buckets)
    week = run.archive.week[run.schedules]
    buckets = [{"rounds": [int(lo) + 1, int(hi)], "weeks": [int(week[:, lo:hi].min()), int(week[:, lo:hi].max())]}
               for lo, hi in zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)]
    ones = np.ones(run.schedules.shape)
    cells: dict[str, dict[str, Any]] = {}
    for t in run.traces:
        published = t.published != NOTHING
        leak_curve, leak_rate = _curve(t.leak, published, edges)
        block_curve, block_rate = _curve(t.intercepted, t.attempts, edges)
        alerts = np.zeros((run.config.seeds, len(edges) - 1))
        for alert in t.drift_alerts:
            alerts[alert["seed"], min(np.searchsorted(edges, alert["round"], side="right") - 1, len(edges) - 2)] += 1
        coverage = run.coverage[f"{t.learner}/{t.mode.value}"]
        cells.setdefault(t.learner, {})[t.mode.value] = {
            "leak": leak_curve,
            "leak_trend": trend(leak_rate),
            "block_rate": block_curve,
            "block_trend": trend(block_rate),
            "attempts_per_step": [number(v) for v in ratio(_buckets(t.attempts.astype(float), edges), _buckets(ones, edges)).T],
            "published_share": [number(v) for v in ratio(_buckets(published.astype(float), edges), _buckets(ones, edges)).T],
            "ctr": [number(v) for v in ratio(_buckets(t.ctr, edges), _buckets(ones, edges)).T],
            "coverage": [number(coverage[:, b]) for b in range(coverage.shape[1])] if t.mode.governed else [],
            "drift_alerts": [number(alerts[:, b]) for b in range(alerts.shape[1])],
            "drift_alerts_total": number(alerts.sum(axis=1)),
            "drift_alert_examples": t.drift_alerts[:5],
            "leak_overall": number(ratio(t.leak.sum(axis=1).astype(float), published.sum(axis=1).astype(float))),
            "leak_overall_upper95": upper95(int(t.leak.sum()), int(published.sum())),
            "ctr_overall": number(t.ctr.mean(axis=1)),
        }
    nulls = {}
    for name, n in run.nulls.items():
        leak_curve, leak_rate = _curve(n.leak, n.published, edges)
        nulls[name] = {"leak": leak_curve, "leak_trend": trend(leak_rate),
                       "ctr": [number(v) for v in ratio(_buckets(n.ctr, edges), _buckets(ones, edges)).T],
                       "ctr_overall": number(n.ctr.mean(axis=1)),
                       "leak_overall": number(ratio(n.leak.sum(axis=1).astype(float), n.published.sum(axis=1).astype(float)))}
    winner_blocked = ratio(_buckets(run.winner_blocked.astype(float), edges), _buckets(ones, edges))
    return {"archive": archive_summary(run), "buckets": buckets, "results": cells, "null_baselines": nulls,
            "winner_blocked": [number(winner_blocked[:, b]) for b in range(winner_blocked.shape[1])]}


def run_persistence_headlines(config: ReplayConfig, *, run_dir: Path, cache_dir: Path | None,
                              on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    run = run_replay(config, run_dir=run_dir, experiment="q2-headlines", cache_dir=cache_dir, on_step=on_step)
    return {"experiment": "q2-headlines", "env": "upworthy", **run_metadata(run), **summarize_persistence(run)}


def write_result(summary: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=1, sort_keys=False, allow_nan=False) + "\n", encoding="utf-8")
