"""Q4 on real headlines: how far is each governed learner from the labels' constrained optimum,
and from learners that learn nothing? (issue 10, item 7, Q4)

Every learner (bandit = linear Thompson, pg, and the null `random`) is trained in each mode on
the same seeds. Because the environment's generator draws the same candidates for every learner
and mode of a seed, the null baselines (headline_baselines.py) are computed on exactly the
headlines each learner was offered. Reported per learner and mode (mean ± 95% CI over seeds):
expected engagement and its percentage of the constrained optimum over the final window, the
same over training (`gap_curve`, 10 segments), the leak rate and amplification.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict, Field

from tractatus.lab.experiments.demo import Number, SettingConfig
from tractatus.lab.experiments.headlines import (
    CurvePoint,
    HeadlineDemoConfig,
    HeadlineModeSummary,
    run_headlines,
)
from tractatus.lab.modes import Mode
from tractatus.lab.results import new_run_dir

GAP_SETTING = SettingConfig(name="default", agents=1, rounds=60, steps_per_round=40, seeds=10)
GAP_QUICK_SETTING = SettingConfig(name="default", agents=1, rounds=20, steps_per_round=40, seeds=10)


class GapHeadlinesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    learners: tuple[str, ...] = ("bandit", "pg", "random")
    modes: tuple[Mode, ...] = (Mode.NONE, Mode.SHIELD, Mode.LAGRANGIAN)
    setting: SettingConfig = GAP_SETTING
    policy: str | None = None
    pool: str | None = None
    data_dir: str | None = None


class GapCell(BaseModel):
    expected_engagement: Number
    pct_of_constrained_optimum: Number
    proposal_value: Number
    published_violation_rate: Number
    published_violation_upper95: float
    amplification: Number
    gap_curve: list[dict[str, Any]] = Field(description="per training segment: rounds and % of the constrained optimum")
    curve: list[CurvePoint] = Field(default_factory=list, description="per training segment: reward (expected engagement) and "
                                    "cost (leak rate), mean ± 95% CI over seeds: the safe-RL reward and cost curves")


class GapHeadlinesSummary(BaseModel):
    experiment: str = "q4-headlines"
    config: GapHeadlinesConfig
    constrained_optimum: Number
    null_baselines: dict[str, dict[str, Number]]
    results: dict[str, dict[str, GapCell]]
    run_dirs: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def _cell(mode: HeadlineModeSummary) -> GapCell:
    constrained = mode.null_baselines["oracle_constrained"].engagement.mean
    curve = [
        {"rounds": point.rounds, "pct_of_constrained_optimum": 100.0 * point.expected_engagement.mean / constrained if constrained else None,
         "amplification": point.amplification.mean}
        for point in mode.amplification_curve
    ]
    return GapCell(
        expected_engagement=mode.detail["expected_engagement"], pct_of_constrained_optimum=mode.detail["pct_of_constrained_optimum"],
        proposal_value=mode.detail["proposal_value"], published_violation_rate=mode.detail["published_violation_rate"],
        published_violation_upper95=mode.published_violation_upper95, amplification=mode.detail["amplification"], gap_curve=curve,
        curve=mode.amplification_curve,
    )


def run_gap_headlines(config: GapHeadlinesConfig, *, out: Path, on_round: Callable[[str, Any], None] | None = None) -> GapHeadlinesSummary:
    results: dict[str, dict[str, GapCell]] = {}
    run_dirs: dict[str, str] = {}
    baselines: dict[str, dict[str, Number]] = {}
    constrained: Number | None = None
    for learner in config.learners:
        demo = HeadlineDemoConfig(learner=learner, modes=config.modes, settings=(config.setting,), policy=config.policy,
                                  pool=config.pool, data_dir=config.data_dir, flow=False)
        run_dir = new_run_dir(out, f"q4-headlines-{learner}")
        summary = run_headlines(demo, experiment="q4-headlines", run_dir=run_dir, on_round=on_round)
        run_dirs[learner] = str(run_dir)
        modes = summary.settings[-1].modes
        results[learner] = {name: _cell(mode) for name, mode in modes.items()}
        if constrained is None:
            first = next(iter(modes.values()))
            constrained = first.null_baselines["oracle_constrained"].engagement
            baselines = {name: {"engagement": b.engagement, "published_violation_rate": b.published_violation_rate}
                         for name, b in first.null_baselines.items()}
    assert constrained is not None
    return GapHeadlinesSummary(config=config, constrained_optimum=constrained, null_baselines=baselines, results=results, run_dirs=run_dirs)
