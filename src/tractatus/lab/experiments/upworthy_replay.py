"""Item 3 of issue 10: the price of governance on real data (`tractatus lab demo2 --env upworthy`).

One pass over the archive (every kept test once, in week order; the seeds differ in the order of
tests within a week and in the learners' draws). Per (learner, mode) and per null baseline, mean
± 95% CI over seeds of:

- `ctr`: mean logged CTR per test of what was published (0 when nothing was);
- `pct_of_best`: 100 x ctr / the mean of each test's best logged CTR (the oracle);
- `pct_of_best_allowed`: 100 x ctr / the mean of the best logged CTR the governor allows (0 where it
  allows none): how much of what governance leaves on the table the agent gets;
- `published`: share of tests in which something was published; `attempts`: proposals per test;
- `leak`: published headlines the lab's independent judge calls clickbait / published (the archive
  has no human labels; the judge is not the governor's detector), with a pooled one-sided 95%
  upper bound (`leak_upper95`);
- `proposal_ctr`: logged CTR of the agent's own first proposals, whatever the governor did.

And once per run: `price_of_governance` = 1 - best allowed / best (mean CTRs), the share of tests
whose winning headline the governor blocks, and the share in which it blocks every headline.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Callable

import numpy as np

from tractatus.lab.envs.headlines import NOTHING
from tractatus.lab.experiments.demo import Number
from tractatus.lab.experiments.headlines import upper95
from tractatus.lab.stats import estimate
from tractatus.lab.upworthy_replay import ReplayConfig, ReplayRun, run_replay

QUICK = ReplayConfig(seeds=3, subsample=4)


def number(values: Any) -> dict[str, Any]:
    """Mean ± 95% CI over seeds of the finite values (a seed with nothing to measure is left out)."""
    data = [float(v) for v in np.ravel(values) if math.isfinite(float(v))]
    return Number.of(estimate(data)).model_dump() if data else {"mean": None, "ci95": None, "per_seed": []}


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.maximum(denominator, 1e-300), np.nan)


def _cell(ctr: np.ndarray, published: np.ndarray, leak: np.ndarray, best: np.ndarray, best_allowed: np.ndarray,
          attempts: np.ndarray | None = None, first_ctr: np.ndarray | None = None) -> dict[str, Any]:
    """Per-seed numbers of one cell from its (seeds, rounds) arrays."""
    per_seed_ctr = ctr.mean(axis=1)
    cell = {
        "ctr": number(per_seed_ctr),
        "pct_of_best": number(100 * ratio(per_seed_ctr, best.mean(axis=1))),
        "pct_of_best_allowed": number(100 * ratio(per_seed_ctr, best_allowed.mean(axis=1))),
        "published": number(published.mean(axis=1)),
        "leak": number(ratio(leak.sum(axis=1), published.sum(axis=1))),
        "leak_upper95": upper95(int(leak.sum()), int(published.sum())),
    }
    if attempts is not None:
        cell["attempts"] = number(attempts.mean(axis=1))
    if first_ctr is not None:
        cell["proposal_ctr"] = number(first_ctr.mean(axis=1))
    return cell


def summarize_replay(run: ReplayRun) -> dict[str, Any]:
    best, allowed = run.nulls["oracle"].ctr, run.nulls["oracle_allowed"].ctr
    cells: dict[str, dict[str, Any]] = {}
    for t in run.traces:
        cell = _cell(t.ctr, t.published != NOTHING, t.leak, best, allowed, t.attempts, t.first_ctr)
        cell["coverage"] = number(np.nanmean(run.coverage[f"{t.learner}/{t.mode.value}"], axis=1)) if t.mode.governed else None
        cell["drift_alerts"] = number([sum(a["seed"] == s for a in t.drift_alerts) for s in range(run.config.seeds)])
        cells.setdefault(t.learner, {})[t.mode.value] = cell
    nulls = {name: _cell(n.ctr, n.published, n.leak, best, allowed) for name, n in run.nulls.items()}
    return {
        "archive": archive_summary(run),
        "price_of_governance": number(1 - ratio(allowed.mean(axis=1), best.mean(axis=1))),
        "winner_blocked": number(run.winner_blocked.mean(axis=1)),
        "nothing_allowed": number(run.nothing_allowed.mean(axis=1)),
        "results": cells,
        "null_baselines": nulls,
    }


def archive_summary(run: ReplayRun) -> dict[str, Any]:
    return {
        "tests": len(run.archive), "headlines": len(run.archive.texts), "weeks": [run.archive.weeks()[0], run.archive.weeks()[-1]],
        "dropped": run.archive.dropped, "base_ctr": run.archive.base_ctr,
        "governor_allows": float(run.facts.allowed.mean()), "judge_clickbait": float(run.facts.clickbait.mean()),
        "judge_clickbait_among_allowed": float(run.facts.clickbait[run.facts.allowed].mean()) if run.facts.allowed.any() else None,
        "facts_cache_reused": run.facts.reused,
    }


def run_metadata(run: ReplayRun) -> dict[str, Any]:
    from tractatus.lab.world.judge import ClickbaitJudge

    return {
        "config": run.config.model_dump(mode="json"), "rounds": int(run.schedules.shape[1]),
        "policy": {"name": run.policy.name, "digest": run.policy.digest},
        "judge_digest": ClickbaitJudge.load_default().digest,
        "provenance": {**run.provenance.model_dump(mode="json"), "git_commit": run.commit},
        "engagement_refits": {"every_weeks": run.refits.every, "block_start": run.refits.block_start,
                              "coefficients": run.refits.coefficients()},
        "run_dir": str(run.run_dir), "wall_s": run.wall_s,
    }


def run_upworthy_replay(config: ReplayConfig, *, run_dir: Path, cache_dir: Path | None,
                        on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    run = run_replay(config, run_dir=run_dir, experiment="replay-upworthy", cache_dir=cache_dir, on_step=on_step)
    return {"experiment": "replay-upworthy", "env": "upworthy", **run_metadata(run), **summarize_replay(run)}
