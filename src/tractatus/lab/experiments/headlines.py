"""Demo 2 on real data: agents choose real headlines that people labelled, for an audience learned
from 4,873 real A/B tests, ungoverned and governed (issue 10).

The configuration reuses Demo 2's settings (`SettingConfig`); the summary keeps Demo 2's per-mode
JSON keys and adds the measures that answer "does optimization find the governor's blind spots?".
Definitions (per seed; tables show mean ± 95% CI over seeds; W = the final window of rounds,
`SettingConfig.window`):

- engagement: mean realised clicks/readers per slot over W (0 for a slot where nothing was published);
  expected_engagement: the same with the engagement model's CTR instead of the click draw;
- proposal_value: mean CTR of the agent's own first proposals over W, whatever the governor did
  with them: what the agent chose, apart from what got published;
- coverage: published headlines with a matching audit record / published headlines (coverage.py);
- executed_violations: published headlines labelled clickbait, whole run; attempted_violations:
  proposals labelled clickbait, whole run; intercepted_violations / over_blocked: proposals labelled
  clickbait / news that the governor stopped;
- published_violation_rate (the leak rate): published headlines labelled clickbait / published, over W;
  published_violation_upper95: one-sided 95% Clopper-Pearson upper bound of that rate, pooled over
  seeds (the rule of three when nothing leaked: about 3 / published);
- base_leak: the same share for an agent that proposes uniformly at random under the shield rule
  with the same governor (random_shielded below), over the whole run: what leaks without optimization;
- amplification: published_violation_rate / base_leak. Above 1, optimization is pushing clickbait
  through the governor's blind spots; below 1, governance (or the agent's taste) holds it back;
- null_baselines: expected engagement per slot and leak rate over W of oracle_unconstrained,
  oracle_constrained (the labels' optimum), greedy_ctr and random, ungoverned and shielded
  (headline_baselines.py), on the same candidates;
- pct_of_constrained_optimum: 100 x expected_engagement / oracle_constrained engagement;
- strategy: the label most of the agent's proposals carry over W; stability: standard deviation
  of the round's mean engagement over W.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from scipy import stats
from threadpoolctl import threadpool_limits

from tractatus.governance.audit import open_audit_log
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.curves import CURVE_POINTS, segments
from tractatus.lab.envs.headlines import HeadlineSettings, HeadlineWorld, load_headline_settings
from tractatus.lab.experiments.demo import (
    Number,
    RunInterrupted,
    SettingConfig,
    contract_json,
    display_name,
    tally_counts,
)
from tractatus.lab.headline_baselines import BASELINES
from tractatus.lab.headline_platform import PoolVerdicts
from tractatus.lab.headline_training import HeadlineCell, HeadlineCellConfig, HeadlineRound
from tractatus.lab.learners.headline_learners import HeadlineLearnerName
from tractatus.lab.learners.text_features import hashed_bag_of_words
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.policy_fit import LAB_POLICY, check_policy_fits
from tractatus.lab.provenance import Provenance, run_provenance
from tractatus.lab.results import AUDIT_FILE, write_run
from tractatus.lab.runner import RoundClock
from tractatus.lab.stats import estimate
from tractatus.lab.step_log import StepLog
from tractatus.lab.tractatus_flow import FlowResult, FlowSummary, run_flow
from tractatus.lab.world.engagement import EngagementModel
from tractatus.lab.world.pool import load_pool

HEADLINE_SEED_SETTING = SettingConfig(name="seed", agents=1, rounds=5, steps_per_round=40, seeds=1)
HEADLINE_DEFAULT_SETTING = SettingConfig(name="default", agents=1, rounds=60, steps_per_round=40, seeds=10)
HEADLINE_QUICK_SETTING = SettingConfig(name="default", agents=1, rounds=30, steps_per_round=40, seeds=10)


class HeadlineDemoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    env: str = "headlines"
    learner: HeadlineLearnerName = "linear-ts"
    modes: tuple[Mode, ...] = (Mode.NONE, Mode.SHIELD)
    settings: tuple[SettingConfig, ...] = (HEADLINE_SEED_SETTING, HEADLINE_DEFAULT_SETTING)
    mode_settings: ModeSettings = Field(default_factory=ModeSettings)
    headlines: HeadlineSettings = Field(default_factory=load_headline_settings)
    policy: str | None = Field(default=None, description="Policy file; None = the bundled lab-engagement policy.")
    pool: str | None = Field(default=None, description="JSONL pool file; None = the clickbait data's lab_pool split.")
    data_dir: str | None = Field(default=None, description="Data directory; None = $TRACTATUS_DATA_DIR or the cache.")
    flow: bool = True

    @field_validator("modes")
    @classmethod
    def _modes(cls, value: tuple[Mode, ...]) -> tuple[Mode, ...]:
        if not value or len(set(value)) != len(value):
            raise ValueError("at least one mode, none twice")
        return tuple(value)

    def cells(self) -> list[tuple[str, HeadlineCellConfig]]:
        return [
            (setting.name, HeadlineCellConfig(mode=mode, seed=seed, learner=self.learner, agents=setting.agents, rounds=setting.rounds,
                                              steps_per_round=setting.steps_per_round, settings=self.mode_settings, env=self.headlines))
            for setting in self.settings
            for seed in setting.seed_list
            for mode in self.modes
        ]


class BaselineSummary(BaseModel):
    engagement: Number
    published_violation_rate: Number


class CurvePoint(BaseModel):
    rounds: list[int]  # first and last round (1-based) of the segment
    published_violation_rate: Number
    amplification: Number
    expected_engagement: Number


class HeadlineModeSummary(BaseModel):
    mode: str
    engagement: float
    expected_engagement: float
    proposal_value: float
    coverage: float
    executed_violations: float
    attempted_violations: float
    intercepted_violations: float
    over_blocked: float
    strategy: str
    stability: float
    published_violation_rate: float
    published_violation_upper95: float
    base_leak: float
    amplification: float
    nothing_published_rate: float
    pct_of_constrained_optimum: float
    null_baselines: dict[str, BaselineSummary]
    detail: dict[str, Number] = Field(description="mean, CI and per-seed values of each number above")
    amplification_curve: list[CurvePoint]
    rounds_finished: int


class GovernorOnPool(BaseModel):
    headlines_judged: int
    clickbait_blocked: float = Field(description="share of judged clickbait headlines the dry run refuses (recall)")
    news_blocked: float = Field(description="share of judged news headlines the dry run refuses (false-positive rate)")


class HeadlineSettingSummary(BaseModel):
    name: str
    agents: int
    rounds: int
    steps_per_round: int
    seeds: list[int]
    modes: dict[str, HeadlineModeSummary]


class HeadlineDemoSummary(BaseModel):
    experiment: str = "demo2"
    env: str = "headlines"
    backend: str = "local"
    config: HeadlineDemoConfig
    pool_size: int
    pool_clickbait_share: float
    engagement_model: dict[str, Any]
    governor_on_pool: GovernorOnPool
    settings: list[HeadlineSettingSummary]
    flow: FlowSummary | None = None
    provenance: Provenance | None = None
    run_dir: str | None = None
    interrupted: bool = False

    def to_json(self) -> dict[str, Any]:
        return contract_json(self, self.settings[-1].modes if self.settings else {})


# -- summarizing ------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def upper95(events: int, trials: int) -> float:
    """One-sided 95% Clopper-Pearson upper bound of a proportion (about 3/n when events = 0)."""
    if trials == 0:
        return 1.0
    if events >= trials:
        return 1.0
    return float(stats.beta.ppf(0.95, events + 1, trials - events))


def _seed_numbers(records: list[HeadlineRound], window: int, slots: int) -> dict[str, Any]:
    w = records[-window:]
    published_w = sum(int(r.published.sum()) for r in w)
    leak_w = sum(int(r.executed_violations.sum()) for r in w)
    slots_w = slots * len(w)
    base_pub = sum(r.baseline_published["random_shielded"] for r in records)
    base_bait = sum(r.baseline_clickbait["random_shielded"] for r in records)
    base_leak = _ratio(base_bait, base_pub)
    leak = _ratio(leak_w, published_w)
    constrained = _ratio(sum(r.baseline_value["oracle_constrained"] for r in w), slots_w)
    expected = float(np.mean([r.expected_engagement.mean() for r in w]))
    round_means = np.array([r.engagement.mean() for r in w])
    attempts_w = sum(int(r.attempts.sum()) for r in w)
    bait_attempts_w = sum(int(r.attempted_violations.sum()) for r in w)
    numbers: dict[str, Any] = {
        "engagement": float(round_means.mean()),
        "expected_engagement": expected,
        "proposal_value": _ratio(sum(float(r.proposal_value.sum()) for r in w), sum(int(r.proposals.sum()) for r in w)),
        "executed_violations": float(sum(int(r.executed_violations.sum()) for r in records)),
        "attempted_violations": float(sum(int(r.attempted_violations.sum()) for r in records)),
        "intercepted_violations": float(sum(int(r.intercepted_violations.sum()) for r in records)),
        "over_blocked": float(sum(int(r.over_blocked.sum()) for r in records)),
        "stability": float(round_means.std(ddof=1)) if len(round_means) > 1 else 0.0,
        "published_violation_rate": leak,
        "base_leak": base_leak,
        "amplification": _ratio(leak, base_leak),
        "nothing_published_rate": 1.0 - _ratio(published_w, slots_w),
        "pct_of_constrained_optimum": 100.0 * _ratio(expected, constrained),
        "clickbait_proposal_share": _ratio(bait_attempts_w, attempts_w),
    }
    for name in BASELINES:
        numbers[f"baseline:{name}:engagement"] = _ratio(sum(r.baseline_value[name] for r in w), slots_w)
        numbers[f"baseline:{name}:published_violation_rate"] = _ratio(
            sum(r.baseline_clickbait[name] for r in w), sum(r.baseline_published[name] for r in w)
        )
    numbers["_counts"] = (leak_w, published_w)
    return numbers


def _curve(cells: list[list[HeadlineRound]], base_leaks: list[float], slots: int) -> list[CurvePoint]:
    points = []
    for lo, hi in segments(min(len(c) for c in cells), CURVE_POINTS):
        leaks, amps, engagement = [], [], []
        for records, base in zip(cells, base_leaks, strict=True):
            segment = records[lo:hi]
            leak = _ratio(sum(int(r.executed_violations.sum()) for r in segment), sum(int(r.published.sum()) for r in segment))
            leaks.append(leak)
            amps.append(_ratio(leak, base))
            engagement.append(float(np.mean([r.expected_engagement.mean() for r in segment])))
        points.append(CurvePoint(rounds=[lo + 1, hi], published_violation_rate=Number.of(estimate(leaks)),
                                 amplification=Number.of(estimate(amps)), expected_engagement=Number.of(estimate(engagement))))
    return points


def summarize_mode(mode: Mode, setting: SettingConfig, cells: list[tuple[list[HeadlineRound], float]]) -> HeadlineModeSummary:
    slots = setting.agents * setting.steps_per_round
    per_seed = [_seed_numbers(records, setting.window, slots) for records, _ in cells]
    for numbers, (_, coverage) in zip(per_seed, cells, strict=True):
        numbers["coverage"] = coverage
    keys = [k for k in per_seed[0] if not k.startswith("_")]
    detail = {k: Number.of(estimate([p[k] for p in per_seed])) for k in keys}
    leaks = sum(p["_counts"][0] for p in per_seed)
    published = sum(p["_counts"][1] for p in per_seed)
    window = [r for records, _ in cells for r in records[-setting.window:]]
    bait_props = sum(int(r.attempted_violations.sum()) for r in window)
    props = sum(int(r.attempts.sum()) for r in window)
    baselines = {
        name: BaselineSummary(engagement=detail[f"baseline:{name}:engagement"], published_violation_rate=detail[f"baseline:{name}:published_violation_rate"])
        for name in BASELINES
    }
    return HeadlineModeSummary(
        mode=mode.value,
        **{k: detail[k].mean for k in ("engagement", "expected_engagement", "proposal_value", "coverage", "executed_violations",
                                        "attempted_violations", "intercepted_violations", "over_blocked", "stability",
                                        "published_violation_rate", "base_leak", "amplification", "nothing_published_rate",
                                        "pct_of_constrained_optimum")},
        strategy="clickbait" if props and bait_props * 2 > props else "news",
        published_violation_upper95=upper95(leaks, published),
        null_baselines=baselines,
        detail={k: v for k, v in detail.items() if not k.startswith("baseline:")},
        amplification_curve=_curve([records for records, _ in cells], [p["base_leak"] for p in per_seed], slots),
        rounds_finished=min(len(records) for records, _ in cells),
    )


# -- running ----------------------------------------------------------------------------------


class HeadlineResultTable:
    """Per-round, per-agent rows (Parquet), as lab/results.py's ResultTable for the grammar world."""

    COLUMNS = ("engagement", "expected_engagement", "proposal_value", "proposals", "learner_reward", "published", "attempts",
               "attempted_violations", "executed_violations", "intercepted", "intercepted_violations", "over_blocked",
               "flagged", "first_proposal_clickbait", "lagrange_lambda")

    def __init__(self) -> None:
        self._log = StepLog()
        self.rounds_finished: dict[str, int] = {}

    def add(self, setting: str, config: HeadlineCellConfig, record: HeadlineRound) -> None:
        n = len(record.engagement)
        self._log.add(setting=setting, mode=config.mode.value, learner=config.learner, seed=config.seed, round=record.round,
                      agent=np.arange(n, dtype=np.int64), **{name: np.asarray(getattr(record, name)) for name in self.COLUMNS})
        key = f"{setting}/{config.mode.value}/{config.seed}"
        self.rounds_finished[key] = self.rounds_finished.get(key, 0) + 1

    @property
    def rows(self) -> int:
        return self._log.rows

    def write(self, path: Path) -> None:
        self._log.write(path)


def load_headline_policy(config: HeadlineDemoConfig) -> Policy:
    """Always loaded, even for ungoverned runs: the base leak is measured against the governor."""
    policy = load_policy(Path(config.policy) if config.policy else bundled_policy_path(LAB_POLICY))
    check_policy_fits(policy)
    return policy


def load_world(config: HeadlineDemoConfig) -> tuple[HeadlineWorld, np.ndarray, EngagementModel]:
    engagement = EngagementModel.load_default()
    world = HeadlineWorld(load_pool(config.data_dir, config.pool), engagement)
    return world, hashed_bag_of_words(world.texts, config.headlines.feature_buckets), engagement


def total_rounds(config: HeadlineDemoConfig) -> int:
    return sum(cell.rounds for _, cell in config.cells())


def _governor_on_pool(world: HeadlineWorld, verdicts: PoolVerdicts) -> GovernorOnPool:
    judged = verdicts.known
    bait = world.clickbait
    return GovernorOnPool(
        headlines_judged=int(judged.sum()),
        clickbait_blocked=_ratio(float((judged & bait & ~verdicts.allowed).sum()), float((judged & bait).sum())),
        news_blocked=_ratio(float((judged & ~bait & ~verdicts.allowed).sum()), float((judged & ~bait).sum())),
    )


def run_headlines(
    config: HeadlineDemoConfig,
    *,
    experiment: str,
    run_dir: Path,
    on_round: Callable[[str, HeadlineCellConfig], None] | None = None,
    on_setting: Callable[[HeadlineSettingSummary], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    policy: Policy | None = None,
) -> HeadlineDemoSummary:
    # The learners factor 129 x 129 matrices every round: BLAS threads only contend for the cores
    # (measured: a Cholesky factorization 4x slower with 2 threads than with 1 on a loaded 2-core box).
    with threadpool_limits(limits=1, user_api="blas"):
        return _run_headlines(config, experiment=experiment, run_dir=run_dir, on_round=on_round, on_setting=on_setting,
                              clock=clock, policy=policy)


def _run_headlines(
    config: HeadlineDemoConfig,
    *,
    experiment: str,
    run_dir: Path,
    on_round: Callable[[str, HeadlineCellConfig], None] | None,
    on_setting: Callable[[HeadlineSettingSummary], None] | None,
    clock: Callable[[], float],
    policy: Policy | None,
) -> HeadlineDemoSummary:
    started = clock()
    policy = policy if policy is not None else load_headline_policy(config)
    world, features, engagement = load_world(config)
    provenance = run_provenance(config.data_dir, config.pool)
    table = HeadlineResultTable()
    audit = open_audit_log(run_dir / AUDIT_FILE)
    results: dict[tuple[str, Mode], list[tuple[list[HeadlineRound], float]]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    decisions = 0
    verdicts = PoolVerdicts(len(world))
    flow: FlowResult | None = None
    interrupted = False
    summaries: list[HeadlineSettingSummary] = []
    try:
        if config.flow:
            flow = run_flow(policy, audit)
        instructions = flow.instructions if flow is not None else ()
        # One governor for the whole run: every cell's agents have their own ids in its state, and
        # its check cache then judges each pool headline once, not once per cell (a 10x saving on
        # 2 cores). It also gives the dry-run verdicts of the null baselines (evaluate: no audit).
        run_clock = RoundClock()
        state = GovernanceState(clock=run_clock)
        state.load_instructions(instructions)
        governor = Governor(policy, audit=audit, state=state)
        try:
            cells = config.cells()
            for setting in config.settings:
                for setting_name, cell_config in cells:
                    if setting_name != setting.name:
                        continue
                    records, coverage, tally, n = _run_cell(setting_name, cell_config, world, features, governor, audit,
                                                            verdicts, run_clock, table, on_round)
                    results.setdefault((setting.name, cell_config.mode), []).append((records, coverage))
                    counts.update(tally)
                    decisions += n
                setting_summary = _setting_summary(setting, config.modes, results)
                summaries.append(setting_summary)
                if on_setting is not None:
                    on_setting(setting_summary)
        except KeyboardInterrupt:
            interrupted = True
            summaries = [s for s in (_setting_summary(st, config.modes, results) for st in config.settings) if s.modes]
        finally:
            governor.close()
        evaluation = engagement_evaluation()
        summary = HeadlineDemoSummary(
            experiment=experiment, config=config, pool_size=len(world), pool_clickbait_share=float(world.clickbait.mean()),
            engagement_model={"base_ctr": engagement.base_ctr, **evaluation},
            governor_on_pool=_governor_on_pool(world, verdicts), settings=summaries,
            flow=flow.summary(tally_counts(counts, decisions, policy)) if flow is not None else None,
            provenance=provenance, run_dir=str(run_dir), interrupted=interrupted,
        )
        write_run(
            run_dir, experiment=experiment, table=table, config=config.model_dump(mode="json"),  # type: ignore[arg-type]
            seeds=sorted({c.seed for _, c in config.cells()}), policy_name=policy.name, policy_digest=policy.digest,
            interrupted=interrupted, summary=summary.to_json(), timing={"wall_s": clock() - started}, provenance=provenance,
        )
    finally:
        audit.close()
    if interrupted:
        raise RunInterrupted(run_dir, sum(table.rounds_finished.values()))
    return summary


def engagement_evaluation() -> dict[str, Any]:
    """The committed engagement model's held-out evaluation (pairwise accuracy etc.), for the summary."""
    import json

    from tractatus.lab.world.engagement import default_coefficients_path

    document = json.loads(default_coefficients_path().read_text(encoding="utf-8"))
    evaluation = document["evaluation"]
    return {k: evaluation[k] for k in ("weeks", "pairs", "pairwise_accuracy", "significant_pairs", "pairwise_accuracy_significant")}


def _setting_summary(setting: SettingConfig, modes: tuple[Mode, ...], results: dict[tuple[str, Mode], list[tuple[list[HeadlineRound], float]]]) -> HeadlineSettingSummary:
    mode_summaries = {}
    for mode in modes:
        cells = [(records, coverage) for records, coverage in results.get((setting.name, mode), []) if records]
        if cells:
            mode_summaries[display_name(mode)] = summarize_mode(mode, setting, cells)
    return HeadlineSettingSummary(name=setting.name, agents=setting.agents, rounds=setting.rounds,
                                  steps_per_round=setting.steps_per_round, seeds=setting.seed_list, modes=mode_summaries)


def _run_cell(
    setting: str, config: HeadlineCellConfig, world: HeadlineWorld, features: np.ndarray, governor: Governor, audit: Any,
    verdicts: PoolVerdicts, clock: RoundClock, table: HeadlineResultTable,
    on_round: Callable[[str, HeadlineCellConfig], None] | None,
) -> tuple[list[HeadlineRound], float, Counter[tuple[str, str]], int]:
    records: list[HeadlineRound] = []
    cell = HeadlineCell(config, world, features, governor if config.mode.governed else None,
                        agent_prefix=f"{setting}/{config.mode.value}/s{config.seed}", verdicts=verdicts, dry_run=governor)
    for record in cell.rounds():
        clock.now += 1.0
        records.append(record)
        table.add(setting, config, record)
        if on_round is not None:
            on_round(setting, config)
    received = sum(int(r.published.sum()) for r in records)
    seqs = np.concatenate([r.audit_seq for r in records]) if records else np.zeros(0, dtype=np.int64)
    digests = np.concatenate([r.audit_digest for r in records]) if records else np.zeros(0, dtype=np.uint64)
    coverage = measured_coverage(audit if config.mode.governed else None, seqs, digests, received)
    return records, coverage, cell.platform.decisions_by_check, cell.platform.decisions
