"""Question 1: does the ~5% cost of governance stay constant from 1 agent to 10, 100 and 1,000?

At each scale N, for each seed, the same training runs ungoverned (none) and governed (shield)
with N agents writing `steps` articles per round for `rounds` rounds (the same work per agent at
every scale, so the numbers are comparable across N). Per (N, seed) we measure:

- time per governed action: governed wall time / governed actions (decisions incl. fallbacks);
- the governed/ungoverned wall-time ratio, both measured in the same cell (same process, same
  load), so machine noise cancels as far as it can;
- peak memory: the peak resident-set growth during the governed run (sampled every round);
- audit-log growth: bytes of the SQLite audit log per governed decision;
- the reward cost of governance: (ungoverned - governed) engagement / ungoverned, over the final
  half of training.

The trend over N is fitted by least squares on log10(N) (scipy.stats.linregress): a slope whose
95% CI contains 0 means "constant within what we can measure".
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from scipy import stats

from tractatus.lab.backends import Cell
from tractatus.lab.experiments.grid import (
    ExperimentOptions,
    ProgressCallback,
    governed_session,
    number,
    policy_path,
    run_configured,
)
from tractatus.lab.modes import Mode
from tractatus.lab.training import CellConfig


class ScaleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scales: tuple[int, ...] = (1, 10, 100, 1000)
    rounds: int = Field(default=10, ge=2)
    steps: int = Field(default=2, ge=1)
    seeds: int = Field(default=5, ge=1)
    learner: str = "bandit"

    @classmethod
    def from_options(cls, options: ExperimentOptions) -> ScaleConfig:
        if options.quick:
            base = cls(scales=(1, 10, 100), rounds=6, steps=2, seeds=2)
        elif options.full:
            base = cls(scales=(1, 10, 100, 1000, 10000), rounds=200, steps=10, seeds=10)
        else:
            base = cls()
        scales = base.scales if options.agents is None else tuple(s for s in base.scales if s <= options.agents) or (options.agents,)
        return base.model_copy(update={
            "scales": scales,
            "rounds": options.pick("rounds", base.rounds),
            "seeds": options.pick("seeds", base.seeds),
            "steps": options.pick("steps", base.steps),
        })


def cells(config: ScaleConfig, policy: str) -> list[Cell]:
    return [
        Cell(config=f"n{n}", seed=seed, params={"agents": n, "rounds": config.rounds, "steps": config.steps,
                                                 "learner": config.learner, "policy": policy})
        for n in config.scales
        for seed in range(config.seeds)
    ]


def _rss_bytes() -> int:
    """Current resident set size. Read from /proc (psutil is not a dependency); peak RSS as fallback."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _train(mode: Mode, p: dict[str, Any], seed: int) -> dict[str, Any]:
    config = CellConfig(mode=mode, seed=seed, learner=p["learner"], agents=p["agents"], rounds=p["rounds"],
                        steps_per_round=p["steps"])
    with governed_session(config, policy_file=p["policy"]) as session:
        rss_start = peak = _rss_bytes()
        started = time.perf_counter()
        records = []
        for record in session.rounds():
            records.append(record)
            peak = max(peak, _rss_bytes())
        wall = time.perf_counter() - started
        decisions = session.cell.platform.decisions
        half = records[len(records) // 2 :]
        return {
            "wall_s": wall,
            "decisions": decisions,
            "actions": p["agents"] * p["rounds"] * p["steps"],
            "engagement": float(np.mean([r.engagement.mean() for r in half])),
            "executed_violations": int(sum(int(r.executed_violations.sum()) for r in records)),
            "attempted_violations": int(sum(int(r.attempted_violations.sum()) for r in records)),
            "coverage": session.coverage(records) if mode.governed else 0.0,
            "peak_rss_growth_bytes": peak - rss_start,
            "audit_bytes": session.audit_bytes(),
        }


def run_cell(cell: Cell) -> dict[str, Any]:
    """One (N, seed): the ungoverned and the governed run, back to back in the same process."""
    ungoverned = _train(Mode.NONE, dict(cell.params), cell.seed)
    governed = _train(Mode.SHIELD, dict(cell.params), cell.seed)
    return {"none": ungoverned, "shield": governed}


def _trend(xs: list[float], ys: list[float]) -> dict[str, Any]:
    """Least-squares slope of y on log10(N), with its 95% CI, and the verdict it supports."""
    if len(set(xs)) < 2:
        return {"slope": None, "ci95": None, "p_value": None, "verdict": "not enough scales"}
    fit = stats.linregress(np.log10(xs), ys)
    half = float(stats.t.ppf(0.975, len(xs) - 2) * fit.stderr) if len(xs) > 2 else float("nan")
    constant = bool(np.isfinite(half) and abs(fit.slope) <= half)
    return {
        "slope_per_decade": float(fit.slope),
        "ci95": half,
        "p_value": float(fit.pvalue),
        "intercept": float(fit.intercept),
        "verdict": "constant (slope CI contains 0)" if constant else ("grows with N" if fit.slope > 0 else "falls with N"),
    }


def summarize(config: ScaleConfig, cell_list: list[Cell], results: list[dict[str, Any]]) -> dict[str, Any]:
    rows = []
    xs: dict[str, list[float]] = {"us_per_action": [], "wall_ratio": [], "reward_cost_pct": []}
    ns: list[float] = []
    for n in config.scales:
        mine = [r for c, r in zip(cell_list, results, strict=True) if c.params["agents"] == n]
        if not mine:
            continue
        us = [1e6 * r["shield"]["wall_s"] / max(1, r["shield"]["decisions"]) for r in mine]
        ratio = [r["shield"]["wall_s"] / max(1e-9, r["none"]["wall_s"]) for r in mine]
        cost = [100 * (r["none"]["engagement"] - r["shield"]["engagement"]) / r["none"]["engagement"] for r in mine]
        rows.append({
            "agents": n,
            "us_per_governed_action": number(us),
            "wall_ratio": number(ratio),
            "reward_cost_pct": number(cost),
            "governed_engagement": number([r["shield"]["engagement"] for r in mine]),
            "ungoverned_engagement": number([r["none"]["engagement"] for r in mine]),
            "peak_rss_growth_mb": number([r["shield"]["peak_rss_growth_bytes"] / 2**20 for r in mine]),
            "audit_bytes_per_decision": number([r["shield"]["audit_bytes"] / max(1, r["shield"]["decisions"]) for r in mine]),
            "audit_mb": number([r["shield"]["audit_bytes"] / 2**20 for r in mine]),
            "coverage": number([r["shield"]["coverage"] for r in mine]),
            "executed_violations_governed": number([r["shield"]["executed_violations"] for r in mine]),
            "executed_per_1000_governed": number([1000 * r["shield"]["executed_violations"] / r["shield"]["actions"] for r in mine]),
            "executed_per_1000_ungoverned": number([1000 * r["none"]["executed_violations"] / r["none"]["actions"] for r in mine]),
        })
        for r_us, r_ratio, r_cost in zip(us, ratio, cost, strict=True):
            ns.append(float(n))
            xs["us_per_action"].append(r_us)
            xs["wall_ratio"].append(r_ratio)
            xs["reward_cost_pct"].append(r_cost)
    return {
        "scales": rows,
        "trend": {name: _trend(ns, values) for name, values in xs.items()},
        "actions_per_agent": config.rounds * config.steps,
    }


def run(options: ExperimentOptions, progress: ProgressCallback | None = None) -> dict[str, Any]:
    return run_configured("scale", ScaleConfig.from_options(options), policy_path(options.policy), make_cells=cells, cell_fn=run_cell,
                          summarize=summarize, options=options, progress=progress)
