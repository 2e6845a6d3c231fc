"""The Upworthy replay engine: learners and modes over real A/B tests, in week order (issue 10, items 3 and Q2).

One run replays `rounds` steps for each (learner, mode) cell. The seeds run side by side as the
environment's rows: row s is seed s, with its own week-ordered schedule of tests
(`week_ordered_schedule(archive, rounds, seed=s)`) and its own learner agent. Every cell of a
run sees the same schedules, so cells and null baselines are compared on the very same tests.
A run replays bit for bit from its configuration (the schedules, the learners' generator and
the baselines' generator are all seeded from it).

The governor is the production one (`policies/persistence.yaml` by default: the lab-engagement
policy plus the drift monitor's thresholds). Every proposal of a governed mode is decided and
audited (`publish` action, agent id `<learner>/<mode>/s<seed>`); a `DriftMonitor` built from the
policy's `drift:` block observes every recorded decision (governance/drift.py; `on_alert: record`,
so alerts are counted, agents are not stopped). The platform is the headline world's
(lab/headline_platform.py): shield = re-propose from the rest up to `max_attempts`, no fallback;
lagrangian = publish, reward - lambda * the judge's label.

Null baselines, per row and step, on the same tests (values are logged CTRs, leaks the judge's):
`random` and `random_shielded`; `greedy_ctr` (always the highest CTR the refitted engagement
model predicts, whatever it is: the "always violate for clicks" agent) and `greedy_ctr_shielded`;
`oracle` (the test's best logged CTR); `oracle_allowed` (the best the governor allows: the
constrained optimum under this governor); `oracle_news` (the best the judge calls news).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field
from threadpoolctl import threadpool_limits

from tractatus.data.paths import resolve_data_dir, source_dir
from tractatus.data.readers import UPWORTHY, read_upworthy
from tractatus.governance.audit import open_audit_log
from tractatus.governance.drift import DriftMonitor
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.envs.headlines import NOTHING, load_headline_settings
from tractatus.lab.envs.upworthy import UpworthyReplayEnv, UpworthyWorld
from tractatus.lab.headline_platform import HeadlinePlatform, PoolVerdicts
from tractatus.lab.learners.headline_learners import HEADLINE_LEARNERS, make_headline_learner
from tractatus.lab.learners.text_features import hashed_bag_of_words
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.provenance import Provenance, code_digest, dirty_tree, files_digest
from tractatus.lab.results import AUDIT_FILE, git_commit, write_run
from tractatus.lab.runner import RoundClock
from tractatus.lab.upworthy_facts import HeadlineFacts, headline_facts
from tractatus.lab.world.engagement_refit import WeeklyRefits, predicted_scores, weekly_refits
from tractatus.lab.world.judge import ClickbaitJudge
from tractatus.lab.world.upworthy_archive import (
    PAD,
    ReplayArchive,
    load_replay_archive,
    week_ordered_schedule,
)

POLICY = "persistence"
NULLS = ("random", "random_shielded", "greedy_ctr", "greedy_ctr_shielded", "oracle", "oracle_allowed", "oracle_news")
CACHE_DIR = ".cache"  # under --out: the headline facts' cache (upworthy_facts.py)


class ReplayConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    learners: tuple[str, ...] = ("bandit", "pg")
    modes: tuple[Mode, ...] = (Mode.NONE, Mode.SHIELD, Mode.LAGRANGIAN)
    rounds: int | None = Field(default=None, ge=1, le=1_000_000, description="steps per seed; None = one pass (every test once)")
    seeds: int = Field(default=10, ge=1, le=100)
    subsample: int = Field(default=1, ge=1, le=100, description="keep every n-th test in week order (--quick)")
    refit_every: int = Field(default=8, ge=1, le=200, description="weeks between refits of the engagement model")
    buckets: int = Field(default=20, ge=1, le=1000, description="time buckets of the curves (and of audit coverage)")
    # 32 hashed word buckets (+ bias) instead of the pool world's 128 (envs/headlines.yaml): a test offers only
    # 2-12 headlines, and with 128 the linear Thompson sampler's per-step factorizations took most of a
    # 10,000-round, 10-seed replay (about 70 ms per step on the loaded 2-core machine; 32 buckets: 64x fewer flops).
    feature_buckets: int = Field(default=32, ge=8, le=65536)
    policy: str | None = None
    data_dir: str | None = None
    mode_settings: ModeSettings = Field(default_factory=ModeSettings)

    def cells(self) -> list[tuple[str, Mode]]:
        for learner in self.learners:
            if learner not in HEADLINE_LEARNERS:
                raise ValueError(f"unknown learner {learner!r}")
        return [(learner, mode) for learner in self.learners for mode in self.modes]


@dataclass
class ReplayTrace:
    """One (learner, mode) cell: (seeds, rounds) arrays, and what the governor recorded."""

    learner: str
    mode: Mode
    tests: np.ndarray
    published: np.ndarray  # text index or NOTHING
    ctr: np.ndarray  # logged CTR of what was published (0 if nothing)
    first_ctr: np.ndarray  # logged CTR of the agent's own first proposal
    attempts: np.ndarray
    intercepted: np.ndarray
    leak: np.ndarray  # published and the judge calls it clickbait
    audit_seq: np.ndarray
    audit_digest: np.ndarray
    drift_alerts: list[dict[str, Any]] = field(default_factory=list)  # with "seed" and "round" added


@dataclass
class NullTrace:
    ctr: np.ndarray  # (seeds, rounds)
    published: np.ndarray
    leak: np.ndarray


@dataclass
class ReplayRun:
    config: ReplayConfig
    archive: ReplayArchive
    facts: HeadlineFacts
    refits: WeeklyRefits
    schedules: np.ndarray  # (seeds, rounds)
    traces: list[ReplayTrace]
    nulls: dict[str, NullTrace]
    winner_blocked: np.ndarray  # (seeds, rounds) the test's best-CTR headline is refused by the governor
    nothing_allowed: np.ndarray  # (seeds, rounds) the governor refuses every headline of the test
    provenance: Provenance
    policy: Policy
    run_dir: Path
    audit_path: Path
    wall_s: float
    commit: str = "unknown"  # read when the run starts: a commit made during a long run does not relabel it
    coverage: dict[str, np.ndarray] = field(default_factory=dict)  # cell -> (seeds, buckets), from the audit log


def load_replay_policy(policy: str | None) -> Policy:
    return load_policy(Path(policy) if policy else bundled_policy_path(POLICY))


def _archive_table(data_dir: str | None) -> tuple[pa.Table, list[Path]]:
    root = resolve_data_dir(data_dir)
    table = read_upworthy(root)
    folder = source_dir(root, UPWORTHY)
    return table, [p for p in folder.glob("*") if p.is_file() and p.name != "LICENSE"]


def null_baselines(archive: ReplayArchive, facts: HeadlineFacts, scores: np.ndarray, schedules: np.ndarray, max_attempts: int,
                   rng: np.random.Generator) -> tuple[dict[str, NullTrace], np.ndarray, np.ndarray]:
    cand = archive.candidates[schedules]  # (S, R, K)
    offered = cand != PAD
    ctr = np.nan_to_num(archive.ctr[schedules], nan=-1.0)
    safe = np.maximum(cand, 0)
    allowed = offered & facts.allowed[safe]
    news = offered & ~facts.clickbait[safe]
    bait = facts.clickbait[safe]
    random_order = np.argsort(np.where(offered, rng.random(cand.shape), np.inf), axis=-1, kind="stable")
    greedy_order = np.argsort(-scores[schedules], axis=-1, kind="stable")
    best = np.argmax(ctr, axis=-1)

    def first_allowed(order: np.ndarray) -> np.ndarray:
        tried = np.take_along_axis(allowed, order[..., :max_attempts], axis=-1)
        hit = tried.any(axis=-1)
        return np.where(hit, np.take_along_axis(order, np.argmax(tried, axis=-1)[..., None], axis=-1)[..., 0], -1)

    def best_among(mask: np.ndarray) -> np.ndarray:
        return np.where(mask.any(axis=-1), np.argmax(np.where(mask, ctr, -np.inf), axis=-1), -1)

    picks = {
        "random": random_order[..., 0], "random_shielded": first_allowed(random_order),
        "greedy_ctr": greedy_order[..., 0], "greedy_ctr_shielded": first_allowed(greedy_order),
        "oracle": best, "oracle_allowed": best_among(allowed), "oracle_news": best_among(news),
    }
    nulls = {}
    for name, column in picks.items():
        shown = column >= 0
        col = np.maximum(column, 0)[..., None]
        nulls[name] = NullTrace(np.where(shown, np.take_along_axis(ctr, col, axis=-1)[..., 0], 0.0), shown,
                                shown & np.take_along_axis(bait, col, axis=-1)[..., 0])
    winner_blocked = ~np.take_along_axis(allowed, best[..., None], axis=-1)[..., 0]
    return nulls, winner_blocked, ~allowed.any(axis=-1)


class _StepTable:
    """Raw per-step logs (Parquet), one row per (cell, seed, round): `write_run`'s table."""

    def __init__(self, traces: list[ReplayTrace], week: np.ndarray) -> None:
        self.traces = traces
        self.week = week
        self.rows = sum(t.tests.size for t in traces)
        self.rounds_finished = {f"{t.learner}/{t.mode.value}": int(t.tests.shape[1]) for t in traces}

    def write(self, path: Path) -> None:
        chunks = []
        for t in self.traces:
            seeds, rounds = t.tests.shape
            chunks.append(pa.table({
                "learner": pa.array([t.learner] * t.tests.size), "mode": pa.array([t.mode.value] * t.tests.size),
                "seed": np.repeat(np.arange(seeds), rounds), "round": np.tile(np.arange(rounds), seeds),
                "test": t.tests.ravel(), "week": self.week[t.tests].ravel(), "published": t.published.ravel(),
                "ctr": t.ctr.ravel(), "first_proposal_ctr": t.first_ctr.ravel(), "attempts": t.attempts.ravel(),
                "intercepted": t.intercepted.ravel(), "leak_judge": t.leak.ravel(), "audit_seq": t.audit_seq.ravel(),
            }))
        pq.write_table(pa.concat_tables(chunks) if chunks else pa.table({}), path, compression="zstd")


def _run_cell(learner_name: str, mode: Mode, run: dict[str, Any], on_step: Callable[[str], None] | None) -> ReplayTrace:
    archive, schedules, config = run["archive"], run["schedules"], run["config"]
    seeds, rounds = schedules.shape
    env = UpworthyReplayEnv(archive, run["world"], schedules, run["settings"])
    env.reset()
    prefix = f"{learner_name}/{mode.value}"
    # The replay env offers the interface the platform uses of HeadlineEnv (world, settings, candidates, step).
    platform = HeadlinePlatform(env, run["words"], mode, run["governor"], config.mode_settings, agents=seeds,  # type: ignore[arg-type]
                                agent_prefix=prefix, verdicts=run["verdicts"])
    platform.agent_ids = [f"{prefix}/s{s}" for s in range(seeds)]
    learner = make_headline_learner(learner_name, seeds, run["words"].shape[1])
    rng = np.random.default_rng(np.random.SeedSequence([config.seeds, rounds, 11]))
    shape = (seeds, rounds)
    published, attempts, intercepted = np.full(shape, NOTHING), np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    ctr, first_ctr = np.zeros(shape), np.zeros(shape)
    leak = np.zeros(shape, dtype=bool)
    seq, digest = np.full(shape, -1), np.zeros(shape, np.uint64)
    ctr_table = np.nan_to_num(archive.ctr, nan=0.0)
    alerts_before = len(run["monitor"].alerts)
    observed = np.zeros((seeds, rounds), np.int64)  # cumulative decided attempts per seed (the monitor's clock)
    for t in range(rounds):
        run["clock"].now += 1.0
        tests = env.tests.copy()
        step = platform.step(learner, rng)
        learner.end_round()
        platform.end_round()
        published[:, t] = step.published
        attempts[:, t] = step.attempts
        intercepted[:, t] = step.intercepted
        ctr[:, t] = step.env.reward
        leak[:, t] = step.env.info["clickbait"]
        seq[:, t] = step.audit_seq
        digest[:, t] = step.audit_digest
        proposed = step.first_proposal != NOTHING
        column = np.argmax(archive.candidates[tests] == step.first_proposal[:, None], axis=1)
        first_ctr[:, t] = np.where(proposed, ctr_table[tests, column], 0.0)
        observed[:, t] = step.attempts if mode.governed else 0
        if on_step is not None:
            on_step(prefix)
    cumulative = np.cumsum(observed, axis=1)
    alerts = []
    for alert in run["monitor"].alerts[alerts_before:]:
        seed = int(alert.agent_id.rsplit("/s", 1)[1])
        alerts.append({**alert.to_dict(), "seed": seed, "round": int(np.searchsorted(cumulative[seed], alert.observation))})
    return ReplayTrace(learner_name, mode, schedules.copy(), published, ctr, first_ctr, attempts, intercepted, leak, seq, digest, alerts)


def run_replay(config: ReplayConfig, *, run_dir: Path, experiment: str, cache_dir: Path | None,
               on_step: Callable[[str], None] | None = None, clock: Callable[[], float] = time.perf_counter) -> ReplayRun:
    started = clock()
    commit = git_commit()
    cells = config.cells()
    policy = load_replay_policy(config.policy)
    table, files = _archive_table(config.data_dir)
    archive = load_replay_archive(table)
    if config.subsample > 1:
        archive = archive.subsample(config.subsample)
        table = table.filter(pc.is_in(table.column("clickability_test_id"), value_set=pa.array(archive.test_ids)))
    refits, raw = weekly_refits(table, archive.weeks(), config.refit_every)
    scores = predicted_scores(archive, refits, raw)
    rounds = config.rounds or len(archive)
    schedules = np.stack([week_ordered_schedule(archive, rounds, seed) for seed in range(config.seeds)])
    judge = ClickbaitJudge.load_default()
    code = code_digest()
    provenance = Provenance(code_digest=code, data_digest=files_digest(files), splits_digest=judge.splits_digest, dirty=dirty_tree())
    audit_path = run_dir / AUDIT_FILE
    # WAL + synchronous NORMAL: every decision is still recorded (coverage is measured from this log),
    # but a commit does not wait for an fsync; on a loaded disk FULL cost ~13 ms per step, most of a
    # 10,000-round replay's wall time. A lab log may lose its last commits on power loss; production keeps FULL.
    audit = open_audit_log(audit_path, synchronous="NORMAL")
    run_clock = RoundClock()
    state = GovernanceState(clock=run_clock)
    monitor = DriftMonitor.from_policy(policy, state, clock=run_clock)

    def observe(action: Any, decision: Any) -> None:  # an observer returns nothing; the monitor keeps its alerts
        monitor.observe_decision(action, decision)

    governor = Governor(policy, audit=audit, state=state, observers=[observe])
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            facts = headline_facts(archive.texts, governor, judge, code_digest=code, cache_dir=cache_dir)
            verdicts = PoolVerdicts(len(archive.texts))
            verdicts.allowed[:], verdicts.known[:], verdicts.version = facts.allowed, True, state.instruction_version
            settings = load_headline_settings()
            shared = {"archive": archive, "schedules": schedules, "config": config, "world": UpworthyWorld(archive, facts.clickbait),
                      "settings": settings, "words": hashed_bag_of_words(archive.texts, config.feature_buckets),
                      "governor": governor, "verdicts": verdicts, "monitor": monitor, "clock": run_clock}
            traces = [_run_cell(learner, mode, shared, on_step) for learner, mode in cells]
            nulls, winner_blocked, nothing_allowed = null_baselines(
                archive, facts, scores, schedules, settings.max_attempts, np.random.default_rng(np.random.SeedSequence([config.seeds, rounds, 13])))
    finally:
        governor.close()
    run = ReplayRun(config, archive, facts, refits, schedules, traces, nulls, winner_blocked, nothing_allowed, provenance, policy,
                    run_dir, audit_path, clock() - started, commit)
    try:
        run.coverage = {f"{t.learner}/{t.mode.value}": _coverage_per_bucket(audit, t, config.buckets) for t in traces}
    finally:
        audit.close()
    write_run(run_dir, experiment=experiment, table=_StepTable(traces, archive.week), config=config.model_dump(mode="json"),  # type: ignore[arg-type]
              seeds=list(range(config.seeds)), policy_name=policy.name, policy_digest=policy.digest, interrupted=False,
              summary=None, timing={"wall_s": run.wall_s}, provenance=provenance)
    return run


def bucket_edges(rounds: int, buckets: int) -> np.ndarray:
    return np.unique(np.linspace(0, rounds, min(buckets, rounds) + 1).astype(int))


def _coverage_per_bucket(audit: Any, trace: ReplayTrace, buckets: int) -> np.ndarray:
    """(seeds, buckets) published headlines whose decision is in the audit log with its digest / published.

    Measured from the log (lab/coverage.py), not asserted; 0 for ungoverned cells, NaN where nothing was published."""
    seeds, rounds = trace.published.shape
    edges = bucket_edges(rounds, buckets)
    coverage = np.zeros((seeds, len(edges) - 1))
    for s in range(seeds):
        for b, (lo, hi) in enumerate(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)):
            shown = trace.published[s, lo:hi] != NOTHING
            received = int(shown.sum())
            coverage[s, b] = measured_coverage(audit if trace.mode.governed else None, trace.audit_seq[s, lo:hi][shown],
                                               trace.audit_digest[s, lo:hi][shown], received)
    return coverage
