"""Question 4: does the performance gap close with training, or is it a lasting trade-off?

A constrained MDP: reward = engagement, cost = the ground-truth violation of what was published,
reported apart. Per seed we train the same learner ungoverned (none), governed (shield), with
reward shaping only (penalty) and as the safe-RL baseline (lagrangian), and compare with the
exact optima of the environment (lab/optimum.py):

- does governed engagement reach >= 99% of the constrained optimum, and by which round (first
  round whose moving average, over `window` rounds, reaches it);
- is the remaining gap to ungoverned the irreducible price of the constraint, i.e. equal to
  (unconstrained optimum - constrained optimum), within the CI;
- the constrained optimum bounds governed engagement from above (within noise): a governed agent
  that beat it would have to be publishing violations.

A sweep of penalty coefficients, cost limits and shield penalties gives the reward-vs-cost plot,
all three modes side by side.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from tractatus.lab.backends import Cell
from tractatus.lab.experiments.grid import (
    ExperimentOptions,
    ProgressCallback,
    governed_session,
    moving_average,
    number,
    policy_path,
    round_series,
    run_configured,
)
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.optimum import optima
from tractatus.lab.training import CellConfig

MAIN_MODES = (Mode.NONE, Mode.SHIELD, Mode.PENALTY, Mode.LAGRANGIAN)


class GapConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    learner: str = "bandit"
    agents: int = Field(default=2, ge=1, description="independent agents per seed (averaged)")
    rounds: int = Field(default=1000, ge=2)
    steps: int = Field(default=2, ge=1, description="articles per agent per round")
    seeds: int = Field(default=5, ge=1)
    target: float = Field(default=0.99, gt=0, le=1, description="share of the constrained optimum to reach")
    sweep_rounds: int = Field(default=250, ge=2)
    sweep_seeds: int = Field(default=3, ge=1)
    penalty_coefficients: tuple[float, ...] = (0.02, 0.05, 0.2)
    cost_limits: tuple[float, ...] = (0.05, 0.1, 0.2)
    shield_penalties: tuple[float, ...] = (0.0, -0.1)

    @classmethod
    def from_options(cls, options: ExperimentOptions) -> GapConfig:
        if options.quick:
            base = cls(agents=4, rounds=60, steps=5, seeds=2, sweep_rounds=40, sweep_seeds=2,
                       penalty_coefficients=(0.05,), cost_limits=(0.1,), shield_penalties=(0.0,))
        elif options.full:
            base = cls(agents=20, rounds=5000, steps=10, seeds=10, sweep_rounds=1000, sweep_seeds=5)
        else:
            base = cls()
        return base.model_copy(update={
            "agents": options.pick("agents", base.agents),
            "rounds": options.pick("rounds", base.rounds),
            "seeds": options.pick("seeds", base.seeds),
            "steps": options.pick("steps", base.steps),
        })


def _cell(config: GapConfig, setting: str, mode: Mode, seed: int, rounds: int, settings: ModeSettings, policy: str) -> Cell:
    return Cell(
        config=f"{setting}-{mode.value}",
        seed=seed,
        params={
            "setting": setting,
            "mode": mode.value,
            "learner": config.learner,
            "agents": config.agents,
            "rounds": rounds,
            "steps": config.steps,
            "mode_settings": settings.model_dump(),
            "policy": policy,
        },
    )


def cells(config: GapConfig, policy: str) -> list[Cell]:
    out = [
        _cell(config, "main", mode, seed, config.rounds, ModeSettings(), policy)
        for mode in MAIN_MODES
        for seed in range(config.seeds)
    ]
    sweep: list[tuple[str, Mode, ModeSettings]] = []
    sweep += [(f"penalty{c:g}", Mode.PENALTY, ModeSettings(penalty_coefficient=c)) for c in config.penalty_coefficients]
    sweep += [(f"lagrangian{c:g}", Mode.LAGRANGIAN, ModeSettings(cost_limit=c)) for c in config.cost_limits]
    sweep += [(f"shield{p:g}", Mode.SHIELD, ModeSettings(shield_penalty=p)) for p in config.shield_penalties]
    for setting, mode, settings in sweep:
        out += [_cell(config, setting, mode, seed, config.sweep_rounds, settings, policy) for seed in range(config.sweep_seeds)]
    return out


def run_cell(cell: Cell) -> dict[str, Any]:
    """One (setting, mode, seed): train, and return per-round series, coverage and the optima."""
    p = cell.params
    config = CellConfig(
        mode=Mode(p["mode"]), seed=cell.seed, learner=p["learner"], agents=p["agents"], rounds=p["rounds"],
        steps_per_round=p["steps"], settings=ModeSettings(**p["mode_settings"]),
    )
    with governed_session(config, policy_file=p["policy"]) as session:
        unconstrained, constrained = optima(session.cell.env)
        records = list(session.rounds())
        coverage = session.coverage(records) if config.mode.governed else 0.0
    return {
        "series": round_series(records),
        "coverage": coverage,
        "unconstrained_optimum": unconstrained.engagement,
        "constrained_optimum": constrained.engagement,
        "constrained_action": constrained.named,
    }


def _final(series: list[float], fraction: float = 0.1) -> float:
    tail = max(1, round(len(series) * fraction))
    return float(np.mean(series[-tail:]))


def _cost_per_1000(result: dict[str, Any], final_only: bool = False) -> float:
    s = result["series"]
    executed, published = np.array(s["executed_violations"], float), np.array(s["published"], float)
    if final_only:
        tail = max(1, len(executed) // 10)
        executed, published = executed[-tail:], published[-tail:]
    return 1000.0 * executed.sum() / max(1.0, published.sum())


def summarize(config: GapConfig, cell_list: list[Cell], results: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[tuple[str, str], dict[int, dict[str, Any]]] = {}
    for cell, result in zip(cell_list, results, strict=True):
        by.setdefault((cell.params["setting"], cell.params["mode"]), {})[cell.seed] = result

    window = max(5, config.rounds // 20)
    modes: dict[str, Any] = {}
    for mode in MAIN_MODES:
        runs = by.get(("main", mode.value), {})
        seeds = sorted(runs)
        final = [_final(runs[s]["series"]["engagement"]) for s in seeds]
        opt = [runs[s]["constrained_optimum"] for s in seeds]
        reached: list[float | None] = []
        for s in seeds:
            ma = moving_average(runs[s]["series"]["engagement"], window)
            # only full windows count: the first rounds' running mean is one noisy round, not a level
            hit = np.flatnonzero(ma[window - 1 :] >= config.target * runs[s]["constrained_optimum"])
            reached.append(int(hit[0]) + window if hit.size else None)
        curve = np.mean([moving_average(runs[s]["series"]["engagement"], window) for s in seeds], axis=0)
        modes[mode.value] = {
            "final_engagement": number(final),
            "pct_of_constrained_optimum": number([100 * f / o for f, o in zip(final, opt, strict=True)]),
            "executed_per_1000": number([_cost_per_1000(runs[s]) for s in seeds]),
            "executed_per_1000_final": number([_cost_per_1000(runs[s], final_only=True) for s in seeds]),
            "attempted_per_1000": number([1000 * sum(runs[s]["series"]["attempted_violations"]) /
                                          max(1, config.agents * config.steps * config.rounds) for s in seeds]),
            "coverage": number([runs[s]["coverage"] for s in seeds]),
            "round_reaching_target": reached,
            "seeds_reaching_target": sum(r is not None for r in reached),
            "curve": [float(x) for x in curve[:: max(1, len(curve) // 200)]],
            "curve_per_seed": [[float(x) for x in moving_average(runs[s]["series"]["engagement"], window)[:: max(1, config.rounds // 200)]] for s in seeds],
        }
    main_none, main_shield = by.get(("main", "none"), {}), by.get(("main", "shield"), {})
    seeds = sorted(set(main_none) & set(main_shield))
    gap_to_ungoverned = [_final(main_none[s]["series"]["engagement"]) - _final(main_shield[s]["series"]["engagement"]) for s in seeds]
    price = [main_shield[s]["unconstrained_optimum"] - main_shield[s]["constrained_optimum"] for s in seeds]
    upper_bound_excess = [_final(main_shield[s]["series"]["engagement"]) - main_shield[s]["constrained_optimum"] for s in seeds]

    sweep = []
    for (setting, mode), runs in sorted(by.items()):
        if setting == "main" and mode not in ("shield", "penalty", "lagrangian"):
            continue
        seeds_here = sorted(runs)
        sweep.append({
            "setting": setting,
            "mode": mode,
            "reward": number([_final(runs[s]["series"]["engagement"]) for s in seeds_here]),
            "cost_per_1000": number([_cost_per_1000(runs[s]) for s in seeds_here]),
        })
    any_run = next(iter(main_shield.values()), None)
    return {
        "modes": modes,
        "window_rounds": window,
        "constrained_optimum": number([main_shield[s]["constrained_optimum"] for s in sorted(main_shield)]),
        "unconstrained_optimum": number([main_shield[s]["unconstrained_optimum"] for s in sorted(main_shield)]),
        "constrained_action": any_run["constrained_action"] if any_run else None,
        "gap_to_ungoverned": number(gap_to_ungoverned),
        "price_of_constraint": number(price),
        "gap_minus_price": number([g - p for g, p in zip(gap_to_ungoverned, price, strict=True)]),
        "governed_minus_constrained_optimum": number(upper_bound_excess),
        "sweep": sweep,
    }


def run(options: ExperimentOptions, progress: ProgressCallback | None = None) -> dict[str, Any]:
    return run_configured("gap", GapConfig.from_options(options), policy_path(options.policy), make_cells=cells, cell_fn=run_cell,
                          summarize=summarize, options=options, progress=progress)
