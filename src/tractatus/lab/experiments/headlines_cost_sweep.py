"""The cost-limit sweep on real headlines: reward against achieved cost across cost limits (issue 10, item 8).

Safe-RL papers report a constrained learner at several cost limits, so a reader sees the whole
reward-cost trade-off and whether each limit is met, not one chosen point. Per limit d (the
largest allowed share of published headlines that people labelled clickbait), two methods are
trained on the same seeds and candidates (the environment's generator depends only on the seed):

- `lagrangian`: the Lagrangian learner (headline_platform.py): every proposal is published, the
  learner's reward is CTR - lambda * label cost, lambda by dual ascent towards d. Ungoverned in
  effect (the governor decides and audits, but stops nothing): the oracle safe-RL baseline;
- `shield+lagrangian`: the same learner under the shield (`ModeSettings.shield_constrained`): the
  governor stops what it refuses and the learner also pays lambda for labelled clickbait that got
  through: governance and a constrained learner together.

Two references that do not depend on d, trained once on the same seeds: `none` (ungoverned,
unconstrained) and `shield` (the shield alone). Per method and limit (mean ± 95% CI over seeds,
over Demo 2's final window): reward = expected engagement per slot, and its % of the labels'
constrained optimum; achieved cost = leak rate (published labelled clickbait / published), with
the pooled one-sided 95% upper bound; whether the limit is met (mean, and upper bound, ≤ d); the
final multiplier; the reward and cost curves over training. The learner is the linear Thompson
bandit of Demo 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tractatus.lab.experiments.demo import Number, SettingConfig
from tractatus.lab.experiments.headlines import (
    CurvePoint,
    HeadlineDemoConfig,
    HeadlineModeSummary,
    run_headlines,
)
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.results import new_run_dir

SWEEP_SETTING = SettingConfig(name="default", agents=1, rounds=60, steps_per_round=40, seeds=10)
SWEEP_QUICK_SETTING = SettingConfig(name="default", agents=1, rounds=15, steps_per_round=40, seeds=10)
LIMITS = (0.01, 0.02, 0.05, 0.10, 0.20)
QUICK_LIMITS = (0.02, 0.10)
METHODS = {"lagrangian": Mode.LAGRANGIAN, "shield+lagrangian": Mode.SHIELD}
REFERENCES = {"none": Mode.NONE, "shield": Mode.SHIELD}


class CostSweepConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    limits: tuple[float, ...] = LIMITS
    setting: SettingConfig = SWEEP_SETTING
    learner: str = "linear-ts"
    mode_settings: ModeSettings = Field(default_factory=ModeSettings, description="cost_limit and shield_constrained are set per run")
    policy: str | None = None
    pool: str | None = None
    data_dir: str | None = None

    @field_validator("limits")
    @classmethod
    def _limits(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not 0.0 <= v <= 1.0 for v in value) or len(set(value)) != len(value):
            raise ValueError("cost limits must be distinct shares between 0 and 1")
        return tuple(sorted(value))


class SweepPoint(BaseModel):
    reward: Number = Field(description="expected engagement (CTR) per slot over the final window")
    pct_of_constrained_optimum: Number
    achieved_cost: Number = Field(description="leak rate: published headlines labelled clickbait / published, final window")
    achieved_cost_upper95: float
    limit_met: bool | None = Field(description="mean achieved cost <= the limit (None for the references)")
    limit_met_upper95: bool | None = Field(description="the pooled upper 95% bound <= the limit")
    lagrange_lambda: float | None = Field(default=None, description="mean final multiplier over seeds")
    curve: list[CurvePoint]


class CostSweepSummary(BaseModel):
    experiment: str = "cost-sweep"
    config: CostSweepConfig
    constrained_optimum: Number
    results: dict[str, dict[str, SweepPoint]] = Field(description="method -> limit (as written, e.g. '0.05') -> point")
    references: dict[str, SweepPoint]
    run_dirs: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _point(mode: HeadlineModeSummary, limit: float | None, final_lambda: float | None) -> SweepPoint:
    cost = mode.detail["published_violation_rate"]
    return SweepPoint(
        reward=mode.detail["expected_engagement"], pct_of_constrained_optimum=mode.detail["pct_of_constrained_optimum"],
        achieved_cost=cost, achieved_cost_upper95=mode.published_violation_upper95,
        limit_met=None if limit is None else cost.mean <= limit,
        limit_met_upper95=None if limit is None else mode.published_violation_upper95 <= limit,
        lagrange_lambda=final_lambda, curve=mode.amplification_curve,
    )


def _final_lambda(run_dir: Path, mode: Mode) -> float:
    """Mean over seeds of the multiplier after the last round, read back from the run's results.parquet."""
    import pyarrow.compute as pc

    from tractatus.lab.results import read_results

    table = read_results(run_dir)
    rows = table.filter(pc.equal(table.column("mode"), mode.value))
    last = pc.max(rows.column("round")).as_py()
    final = rows.filter(pc.equal(rows.column("round"), last))
    return float(pc.mean(final.column("lagrange_lambda")).as_py())


def run_cost_sweep(config: CostSweepConfig, *, out: Path, on_round: Callable[[str, Any], None] | None = None) -> CostSweepSummary:
    def run(name: str, modes: tuple[Mode, ...], settings: ModeSettings) -> tuple[dict[str, HeadlineModeSummary], Path]:
        demo = HeadlineDemoConfig(learner=config.learner, modes=modes, settings=(config.setting,), mode_settings=settings,
                                  policy=config.policy, pool=config.pool, data_dir=config.data_dir, flow=False)
        run_dir = new_run_dir(out, f"cost-sweep-{name}")
        summary = run_headlines(demo, experiment="cost-sweep", run_dir=run_dir, on_round=on_round)
        return {m.mode: m for m in summary.settings[-1].modes.values()}, run_dir

    run_dirs: dict[str, str] = {}
    reference_modes, reference_dir = run("references", tuple(REFERENCES.values()), config.mode_settings)
    run_dirs["references"] = str(reference_dir)
    references = {name: _point(reference_modes[mode.value], None, None) for name, mode in REFERENCES.items()}
    constrained = reference_modes[Mode.NONE.value].null_baselines["oracle_constrained"].engagement
    results: dict[str, dict[str, SweepPoint]] = {name: {} for name in METHODS}
    for limit in config.limits:
        settings = config.mode_settings.model_copy(update={"cost_limit": limit, "shield_constrained": True})
        modes, run_dir = run(f"{limit:g}", tuple(METHODS.values()), settings)
        run_dirs[f"{limit:g}"] = str(run_dir)
        for name, mode in METHODS.items():
            results[name][f"{limit:g}"] = _point(modes[mode.value], limit, _final_lambda(run_dir, mode))
    return CostSweepSummary(config=config, constrained_optimum=constrained, results=results, references=references, run_dirs=run_dirs)
