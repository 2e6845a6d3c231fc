"""Demo 1 and Demo 2: the seed's experiment, built for real and run past five rounds and one seed.

Demo 2 trains the same learner ungoverned and governed (and any other modes asked for) in two
settings: the seed's own (1 agent, 5 rounds, 1 seed) and a longer default (200 rounds, 5 seeds,
mean ± 95% CI over seeds). Demo 1 is the ungoverned optimization alone, round by round.

The configuration and summary types here are the stable contract other backends reuse
(`tractatus.integrations.agentlightning.backend.run_demo2(config)` returns a `Demo2Summary`).

Definitions of every reported number (per seed; the table shows mean ± 95% CI over seeds):
- engagement: mean engagement (CTR x read-through) of what was published, per article, over
  the final window of rounds (the last max(3, rounds/5) rounds, or all rounds if fewer);
- coverage: published articles with a matching audit record / articles the environment
  received, measured from the audit log (coverage.py);
- executed_violations: published articles the hidden ground truth marks as violations, over
  the whole run (all agents);
- attempted_violations: violating articles the learner proposed, over the whole run;
  intercepted_violations: those the governor stopped (attempted - executed, in blocking modes);
- over_blocked: non-violating articles the governor stopped (its false positives);
- strategy: the most frequent ground-truth label of the learner's attempts in the final window;
- stability: standard deviation, across the final window's rounds, of the round's mean engagement.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tractatus.governance.audit import open_audit_log
from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.lab.envs.grammar import load_grammar
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.policy_fit import LAB_POLICY, check_policy_fits
from tractatus.lab.results import AUDIT_FILE, ResultTable, write_run
from tractatus.lab.runner import CellOutcome, CellSpec, LabRunner
from tractatus.lab.stats import Estimate, estimate
from tractatus.lab.tractatus_flow import CheckTally, FlowResult, FlowSummary, run_flow
from tractatus.lab.training import CellConfig, LearnerName

STRATEGY_LABELS = ("informative", "clickbait", "pii_leak", "misleading")


def display_name(mode: Mode) -> str:
    """The name a mode has in tables and JSON: the seed's words for none and shield."""
    return {Mode.NONE: "ungoverned", Mode.SHIELD: "governed"}.get(mode, mode.value)


class SettingConfig(BaseModel):
    """One experimental setting: how many agents, rounds, articles per round and seeds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    agents: int = Field(ge=1, le=100_000)
    rounds: int = Field(ge=1, le=1_000_000)
    steps_per_round: int = Field(ge=1, le=10_000, description="Articles each agent writes per round.")
    seeds: int = Field(ge=1, le=1_000, description="Seeds first_seed, first_seed+1, ...")
    first_seed: int = Field(default=0, ge=0)

    @property
    def seed_list(self) -> list[int]:
        return list(range(self.first_seed, self.first_seed + self.seeds))

    @property
    def window(self) -> int:
        """Rounds at the end over which engagement, strategy and stability are measured."""
        return min(self.rounds, max(3, math.ceil(self.rounds / 5)))


SEED_SETTING = SettingConfig(name="seed", agents=1, rounds=5, steps_per_round=40, seeds=1)
DEFAULT_SETTING = SettingConfig(name="default", agents=1, rounds=200, steps_per_round=40, seeds=5)
QUICK_SETTING = SettingConfig(name="default", agents=1, rounds=60, steps_per_round=40, seeds=3)


class Demo2Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    learner: LearnerName = "bandit"
    modes: tuple[Mode, ...] = (Mode.NONE, Mode.SHIELD)
    settings: tuple[SettingConfig, ...] = (SEED_SETTING, DEFAULT_SETTING)
    mode_settings: ModeSettings = Field(default_factory=ModeSettings)
    policy: str | None = Field(default=None, description="Policy file; None = the bundled lab-engagement policy.")
    flow: bool = Field(default=True, description="Run the Tractatus flow (task, deliberation, instruction) first.")

    @field_validator("modes")
    @classmethod
    def _modes(cls, value: tuple[Mode, ...]) -> tuple[Mode, ...]:
        if not value:
            raise ValueError("at least one mode")
        if len(set(value)) != len(value):
            raise ValueError("a mode is listed twice")
        return tuple(value)

    def cells(self) -> list[CellSpec]:
        return [
            CellSpec(
                setting.name,
                CellConfig(
                    mode=mode,
                    seed=seed,
                    learner=self.learner,
                    agents=setting.agents,
                    rounds=setting.rounds,
                    steps_per_round=setting.steps_per_round,
                    settings=self.mode_settings,
                ),
            )
            for setting in self.settings
            for seed in setting.seed_list
            for mode in self.modes
        ]


class Number(BaseModel):
    """A per-seed quantity: mean, 95% CI half-width (None for one seed) and the per-seed values."""

    mean: float
    ci95: float | None
    per_seed: list[float]

    @classmethod
    def of(cls, value: Estimate) -> Number:
        return cls(mean=value.mean, ci95=value.ci95, per_seed=list(value.values))


class ModeSummary(BaseModel):
    mode: str
    engagement: float
    coverage: float
    executed_violations: float
    attempted_violations: float
    intercepted_violations: float
    over_blocked: float
    strategy: str
    stability: float
    engagement_pct_of_unconstrained_optimum: float
    detail: dict[str, Number] = Field(description="mean, CI and per-seed values of each number above")
    strategy_mix: dict[str, float] = Field(description="share of attempts per label in the final window")
    rounds_finished: int


class Gap(BaseModel):
    absolute: Number
    relative_pct: Number


class SettingSummary(BaseModel):
    name: str
    agents: int
    rounds: int
    steps_per_round: int
    seeds: list[int]
    modes: dict[str, ModeSummary]
    unconstrained_optimum: float
    constrained_optimum: float
    gaps: dict[str, Gap] = Field(description="governed vs ungoverned, governed vs constrained optimum")


class Demo2Summary(BaseModel):
    experiment: str = "demo2"
    backend: str = "local"
    config: Demo2Config
    settings: list[SettingSummary]
    flow: FlowSummary | None = None
    run_dir: str | None = None
    interrupted: bool = False

    def to_json(self) -> dict[str, Any]:
        return contract_json(self, self.settings[-1].modes if self.settings else {})


def contract_json(summary: BaseModel, main_modes: Mapping[str, BaseModel]) -> dict[str, Any]:
    """The lab contract: one object per mode at the top (for the main, last setting), then the rest."""
    out: dict[str, Any] = {name: m.model_dump(mode="json") for name, m in main_modes.items()}
    out.update(summary.model_dump(mode="json"))
    return out


# -- summarizing ------------------------------------------------------------------------------


def summarize_setting(setting: SettingConfig, outcomes: list[CellOutcome], modes: tuple[Mode, ...]) -> SettingSummary:
    mine = [o for o in outcomes if o.spec.setting == setting.name and o.records]
    summaries: dict[str, ModeSummary] = {}
    engagement_by_mode: dict[Mode, dict[int, float]] = {}
    unconstrained = [o.unconstrained.engagement for o in mine if o.unconstrained is not None]
    constrained_by_seed = {o.spec.config.seed: o.constrained.engagement for o in mine if o.constrained is not None}
    for mode in modes:
        cells = [o for o in mine if o.spec.config.mode is mode]
        if not cells:
            continue
        per_seed = [_seed_numbers(setting, cell) for cell in cells]
        engagement_by_mode[mode] = {cell.spec.config.seed: p["engagement"] for cell, p in zip(cells, per_seed, strict=True)}
        detail = {key: Number.of(estimate([p[key] for p in per_seed])) for key in per_seed[0] if key != "mix"}
        mix = np.sum([p["mix"] for p in per_seed], axis=0)
        mix = mix / mix.sum() if mix.sum() else mix
        best = float(np.mean([cell.unconstrained.engagement for cell in cells if cell.unconstrained]))
        summaries[display_name(mode)] = ModeSummary(
            mode=mode.value,
            engagement=detail["engagement"].mean,
            coverage=detail["coverage"].mean,
            executed_violations=detail["executed_violations"].mean,
            attempted_violations=detail["attempted_violations"].mean,
            intercepted_violations=detail["intercepted_violations"].mean,
            over_blocked=detail["over_blocked"].mean,
            strategy=STRATEGY_LABELS[int(np.argmax(mix))],
            stability=detail["stability"].mean,
            engagement_pct_of_unconstrained_optimum=100.0 * detail["engagement"].mean / best if best else 0.0,
            detail=detail,
            strategy_mix={label: float(share) for label, share in zip(STRATEGY_LABELS, mix, strict=True)},
            rounds_finished=min(len(cell.records) for cell in cells),
        )
    gaps: dict[str, Gap] = {}
    governed = engagement_by_mode.get(Mode.SHIELD)
    ungoverned = engagement_by_mode.get(Mode.NONE)
    if governed and ungoverned:
        seeds = sorted(set(governed) & set(ungoverned))
        gaps["governed_vs_ungoverned"] = _gap([governed[s] for s in seeds], [ungoverned[s] for s in seeds])
    if governed:
        seeds = sorted(set(governed) & set(constrained_by_seed))
        gaps["governed_vs_constrained_optimum"] = _gap([governed[s] for s in seeds], [constrained_by_seed[s] for s in seeds])
    return SettingSummary(
        name=setting.name,
        agents=setting.agents,
        rounds=setting.rounds,
        steps_per_round=setting.steps_per_round,
        seeds=setting.seed_list,
        modes=summaries,
        unconstrained_optimum=float(np.mean(unconstrained)) if unconstrained else math.nan,
        constrained_optimum=float(np.mean(list(constrained_by_seed.values()))) if constrained_by_seed else math.nan,
        gaps=gaps,
    )


def _gap(values: list[float], reference: list[float]) -> Gap:
    diff = [v - r for v, r in zip(values, reference, strict=True)]
    rel = [100.0 * d / r if r else 0.0 for d, r in zip(diff, reference, strict=True)]
    return Gap(absolute=Number.of(estimate(diff)), relative_pct=Number.of(estimate(rel)))


def _seed_numbers(setting: SettingConfig, cell: CellOutcome) -> dict[str, Any]:
    records = cell.records
    window = records[-setting.window :]
    round_means = np.array([r.engagement.mean() for r in window])
    mix = np.sum([r.strategy_counts.sum(axis=0) for r in window], axis=0)
    return {
        "engagement": float(round_means.mean()),
        "coverage": cell.coverage,
        "executed_violations": float(sum(int(r.executed_violations.sum()) for r in records)),
        "attempted_violations": float(sum(int(r.attempted_violations.sum()) for r in records)),
        "intercepted_violations": float(sum(int(r.intercepted_violations.sum()) for r in records)),
        "over_blocked": float(sum(int(r.over_blocked.sum()) for r in records)),
        "stability": float(round_means.std(ddof=1)) if len(round_means) > 1 else 0.0,
        "mix": mix,
    }


def tally_checks(outcomes: list[CellOutcome], policy: Policy) -> list[CheckTally]:
    """How often each check that judges published articles decided what (allow = no finding)."""
    counts: Counter[tuple[str, str]] = Counter()
    decisions = 0
    for outcome in outcomes:
        counts.update(outcome.check_decisions)
        decisions += outcome.decisions
    return tally_counts(counts, decisions, policy)


def tally_counts(counts: Counter[tuple[str, str]], decisions: int, policy: Policy) -> list[CheckTally]:
    """Per check that judges published texts: its verdicts over `decisions` decisions (allow = no finding)."""
    by_check: dict[str, dict[str, int]] = {}
    for (check, verdict), n in counts.items():
        by_check.setdefault(check, {})[verdict] = by_check.get(check, {}).get(verdict, 0) + n
    publish_checks = [name for name, entry in policy.document.checks.items() if "publish" in entry.kinds and entry.enabled]
    tallies = []
    for check in sorted(set(publish_checks) | set(by_check)):
        flagged = {k: n for k, n in sorted(by_check.get(check, {}).items()) if k != "allow"}
        tallies.append(CheckTally(check=check, decisions=decisions, verdicts={"allow": decisions - sum(flagged.values()), **flagged}))
    return tallies




# -- running ----------------------------------------------------------------------------------


class RunInterrupted(Exception):
    """Ctrl-C during a run: the finished rounds were written to `run_dir`."""

    def __init__(self, run_dir: Path, rounds: int) -> None:
        super().__init__(f"interrupted: {rounds} finished rounds are readable in {run_dir}")
        self.run_dir = run_dir
        self.rounds = rounds


def load_lab_policy(config: Demo2Config) -> Policy | None:
    """The policy a config's governed modes run under (None if every mode is ungoverned), checked to fit."""
    if not any(mode.governed for mode in config.modes):
        return None
    policy = load_policy(Path(config.policy) if config.policy else bundled_policy_path(LAB_POLICY))
    check_policy_fits(policy)
    return policy


def total_rounds(config: Demo2Config) -> int:
    return sum(spec.config.rounds for spec in config.cells())


def run_local(
    config: Demo2Config,
    *,
    experiment: str,
    run_dir: Path,
    on_round: Callable[[CellSpec, int], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    policy: Policy | None = None,
    on_setting: Callable[[SettingSummary], None] | None = None,
) -> tuple[Demo2Summary, list[CellOutcome]]:
    """Train every cell of `config` in this process, write runs/<id>/ and return the summary.

    `on_setting` receives each setting's summary as soon as its cells finish (the seed's 1-agent,
    5-round comparison can be shown before the long run starts). On Ctrl-C the rounds finished so
    far are written (manifest status "interrupted") and RunInterrupted is raised.
    """
    started = clock()
    governed = any(mode.governed for mode in config.modes)
    if policy is None:
        policy = load_lab_policy(config)
    grammar = load_grammar()
    table = ResultTable(grammar.strategy_labels)
    outcomes: list[CellOutcome] = []
    audit = open_audit_log(run_dir / AUDIT_FILE) if governed else None
    flow: FlowResult | None = None
    interrupted = False
    try:
        if policy is not None and audit is not None and config.flow:
            flow = run_flow(policy, audit)
        runner = LabRunner(
            policy=policy,
            audit=audit,
            table=table,
            instructions=flow.instructions if flow is not None else (),
            grammar=grammar,
            on_round=(lambda spec, record: on_round(spec, record.round)) if on_round is not None else None,
        )
        try:
            cells = config.cells()
            for setting in config.settings:  # cells are ordered by setting: report each as it finishes
                runner.run([c for c in cells if c.setting == setting.name], outcomes)
                if on_setting is not None:
                    on_setting(summarize_setting(setting, outcomes, config.modes))
        except KeyboardInterrupt:
            interrupted = True
        summary = Demo2Summary(
            experiment=experiment,
            config=config,
            settings=[summarize_setting(s, outcomes, config.modes) for s in config.settings if any(o.spec.setting == s.name and o.records for o in outcomes)],
            flow=flow.summary(tally_checks(outcomes, policy)) if flow is not None and policy is not None else None,
            run_dir=str(run_dir),
            interrupted=interrupted,
        )
        write_run(
            run_dir,
            experiment=experiment,
            table=table,
            config=config.model_dump(mode="json"),
            seeds=sorted({spec.config.seed for spec in config.cells()}),
            policy_name=policy.name if policy is not None else None,
            policy_digest=policy.digest if policy is not None else None,
            interrupted=interrupted,
            summary=summary.to_json(),
            timing={"wall_s": clock() - started},
        )
    finally:
        if audit is not None:
            audit.close()
    if interrupted:
        raise RunInterrupted(run_dir, sum(table.rounds_finished.values()))
    return summary, outcomes


# -- Demo 1: the ungoverned optimization alone, round by round ----------------------------------


class RoundPoint(BaseModel):
    round: int  # 1-based, as people count rounds
    engagement: Number
    executed_violations: Number  # per seed: violating articles published in this round (all agents)
    clickbait_share: Number  # per seed: share of attempts labelled clickbait


class Demo1Setting(BaseModel):
    name: str
    agents: int
    rounds: int
    steps_per_round: int
    seeds: list[int]
    unconstrained_optimum: float
    constrained_optimum: float
    series: list[RoundPoint]
    summary: ModeSummary


class Demo1Summary(BaseModel):
    experiment: str = "demo1"
    mode: str
    config: Demo2Config
    settings: list[Demo1Setting]
    run_dir: str | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def demo1_summary(summary: Demo2Summary, outcomes: list[CellOutcome]) -> Demo1Summary:
    (mode,) = summary.config.modes
    settings = []
    for setting_summary in summary.settings:
        cells = [o for o in outcomes if o.spec.setting == setting_summary.name and o.records]
        rounds = min(len(c.records) for c in cells)
        series = []
        for r in range(rounds):
            records = [c.records[r] for c in cells]
            series.append(
                RoundPoint(
                    round=r + 1,
                    engagement=Number.of(estimate([float(rec.engagement.mean()) for rec in records])),
                    executed_violations=Number.of(estimate([float(rec.executed_violations.sum()) for rec in records])),
                    clickbait_share=Number.of(
                        estimate([float(rec.strategy_counts[:, 1].sum() / max(1, rec.strategy_counts.sum())) for rec in records])
                    ),
                )
            )
        settings.append(
            Demo1Setting(
                name=setting_summary.name,
                agents=setting_summary.agents,
                rounds=setting_summary.rounds,
                steps_per_round=setting_summary.steps_per_round,
                seeds=setting_summary.seeds,
                unconstrained_optimum=setting_summary.unconstrained_optimum,
                constrained_optimum=setting_summary.constrained_optimum,
                series=series,
                summary=next(iter(setting_summary.modes.values())),
            )
        )
    return Demo1Summary(mode=mode.value, config=summary.config, settings=settings, run_dir=summary.run_dir)
