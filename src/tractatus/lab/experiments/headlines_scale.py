"""Q1 on real headlines: does the price of governance depend on how many agents compete for one feed?
(issue 10, item 7, Q1)

The grammar-world Q1 (experiments/scale.py) trains independent bandits with no shared resource, so
a scale-dependent cost is impossible there by construction. Here N agents COMPETE FOR ONE FEED:

- each round every agent is offered K pool headlines (the `lab_pool` split, human labels hidden)
  and proposes one; under the shield each proposal is decided by ONE governor shared by all agents
  (one audit log), and a refused agent may propose again from the rest, up to `max_attempts`
  (envs/headlines.yaml);
- the feed publishes `feed_slots` (F) distinct headlines per round, the allowed proposals with the
  highest predicted CTR (lab/competitive_feed.py). An agent is rewarded (clicks drawn from the
  engagement model, relative to the archive's base CTR) only when published; a proposal the feed
  passes over earns 0, as a refused one does;
- cost = the human label (clickbait) of what was published; never seen by governor or learner.

With N <= F the feed takes every allowed proposal (no competition: scale-invariant by design for
N <= F); with N > F the feed's selection sharpens as N grows, which is where scale can matter.

Learning. `sharing: shared` (default): the N agents are N actors of ONE policy (linear Thompson
sampling; each actor draws its own posterior sample), as one model trained from N parallel
rollouts; `independent`: one learner per agent. Rounds per scale: max(min_rounds, samples / N),
so every scale's policy sees at least `samples` proposals and the price is measured after
convergence, over the final `window` share of the rounds. Each run also reports its engagement
over the window before the final one (the convergence check).

A cell is one scale N with all its seeds (for the local or the Ray backend). Its governed runs share
ONE governor and ONE audit log, as a deployment's agents would; the governor first judges every
pool headline once (a dry run, not audited: its "cold" CPU time per headline is reported apart), so
every measured decision meets a warm check cache at every N, and the dry run's verdicts serve the
null baselines. Per seed the ungoverned and the governed run are trained back to back; over the
final window:
- engagement: expected CTR (engagement model) per feed place, min(F, N) places, 0 for an empty one;
- price_pct: 100 x (ungoverned - governed) / ungoverned engagement: the converged price;
- leak: published headlines labelled clickbait / published; base_leak: the same for agents that
  propose uniformly at random in the same feed under the same governor, whole run; amplification
  = leak / base_leak (above 1: optimization finds the governor's blind spots);
- governance CPU per decision: process CPU time inside `Governor.decide_batch` / decisions (CPU,
  not wall: the machine is shared), incl. the audit write; audit bytes per decision: the scale's
  SQLite audit log's size / its decisions (one number per scale); coverage: published headlines whose decision the audit log holds
  (lab/coverage.py);
- null baselines in the same feed on the same candidates (headline_baselines.py): random,
  greedy (highest predicted CTR), each ungoverned and shielded, and the oracle constrained optimum
  (each agent proposes its best news candidate; the labels' best feed).

"Constant" is claimed only through an equivalence test (lab/equivalence.py, TOST, 95% Welch
interval) of each scale against the smallest, with margins fixed in this config before running.
"""

from __future__ import annotations

import functools
import math
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator
from threadpoolctl import threadpool_limits

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.audit import AuditLog, open_audit_log
from tractatus.governance.governor import Governor
from tractatus.governance.state import GovernanceState
from tractatus.lab.backends import Cell
from tractatus.lab.competitive_feed import NOTHING, publish_top
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.envs.headlines import HeadlineEnv, HeadlineSettings, HeadlineWorld, load_headline_settings
from tractatus.lab.equivalence import tost
from tractatus.lab.experiments.grid import (
    ExperimentOptions,
    ProgressCallback,
    load_research_policy,
    number,
    policy_path,
    run_experiment,
)
from tractatus.lab.experiments.headlines import upper95
from tractatus.lab.headline_baselines import BASELINES, baseline_step
from tractatus.lab.headline_platform import HeadlinePlatform
from tractatus.lab.learners.headline_learners import HeadlineLearnerName, make_headline_learner
from tractatus.lab.learners.text_features import hashed_bag_of_words
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.provenance import run_provenance
from tractatus.lab.results import git_commit
from tractatus.lab.runner import RoundClock
from tractatus.lab.world.engagement import EngagementModel
from tractatus.lab.world.pool import load_pool

EXPERIMENT = "q1-headlines"
CURVE_POINTS = 10
MODES = (Mode.NONE, Mode.SHIELD)


class ScaleHeadlinesOptions(ExperimentOptions):
    """The research command contract plus what a headline experiment needs."""

    pool: str | None = None
    data_dir: str | None = None
    slots: int | None = Field(default=None, ge=1, le=100_000)
    learner: str | None = None
    sharing: Literal["shared", "independent"] | None = None


class ScaleHeadlinesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    scales: tuple[int, ...] = (1, 10, 100, 1000)
    feed_slots: int = Field(default=10, ge=1, description="F: distinct headlines the feed publishes per round")
    samples: int = Field(default=1000, ge=1, description="proposals the policy sees at least, at every scale "
                         "(1,000: what a 2-core machine shared by 8 jobs allows for 10 seeds; each run reports its "
                         "convergence check, the change from the previous window to the final one)")
    min_rounds: int = Field(default=12, ge=4, description="rounds at least, so the final window has rounds to average "
                            "(at N = 1000 the window's 3 rounds hold 3,000 proposals)")
    rounds: int | None = Field(default=None, ge=4, description="the same rounds at every scale (overrides samples/min_rounds)")
    window: float = Field(default=0.25, gt=0, le=0.5, description="final share of the rounds: the converged window")
    seeds: int = Field(default=10, ge=1)
    learner: HeadlineLearnerName = "linear-ts"
    sharing: Literal["shared", "independent"] = "shared"
    headlines: HeadlineSettings = Field(default_factory=load_headline_settings)
    # Equivalence margins (TOST), fixed before the default run was made:
    cost_margin_pp: float = Field(default=2.0, gt=0, description="price: +-2 points of the relative price (%)")
    leak_margin_pp: float = Field(default=2.0, gt=0, description="leak rate: +-2 percentage points")
    cpu_ratio_margin: float = Field(default=1.25, gt=1, description="CPU per decision: within a factor 1.25")
    pool: str | None = None
    data_dir: str | None = None

    @field_validator("scales")
    @classmethod
    def _scales(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value or min(value) < 1 or len(set(value)) != len(value):
            raise ValueError("scales: distinct agent counts >= 1")
        return tuple(sorted(value))

    def rounds_at(self, agents: int) -> int:
        return self.rounds if self.rounds is not None else max(self.min_rounds, math.ceil(self.samples / agents))

    def window_rounds(self, rounds: int) -> int:
        return max(2, math.ceil(self.window * rounds))

    @classmethod
    def from_options(cls, options: ExperimentOptions) -> ScaleHeadlinesConfig:
        if options.quick:
            # N = 1000 left out: one cold judgement of the pool per scale (~8 s CPU) would not fit in 60 s.
            base = cls(scales=(1, 10, 100), samples=300, min_rounds=8, seeds=3)
        elif options.full:
            base = cls(scales=(1, 10, 100, 1000, 10000), samples=10000, min_rounds=100)
        else:
            base = cls()
        update: dict[str, Any] = {}
        if options.agents is not None:
            # --agents is the largest scale: the default scales below it, and it.
            update["scales"] = tuple(sorted({s for s in base.scales if s < options.agents} | {options.agents}))
        if options.rounds is not None:
            update["rounds"] = options.rounds
        if options.seeds is not None:
            update["seeds"] = options.seeds
        if isinstance(options, ScaleHeadlinesOptions):
            extra = {"pool": options.pool, "data_dir": options.data_dir, "feed_slots": options.slots,
                     "learner": options.learner, "sharing": options.sharing}
            update.update({k: v for k, v in extra.items() if v is not None})
        return cls.model_validate({**base.model_dump(), **update})


def cells(config: ScaleHeadlinesConfig, policy: str) -> list[Cell]:
    """One cell per scale, holding all its seeds (Cell.seed 0): they share the scale's governor."""
    shared = config.model_dump(mode="json", exclude={"scales", "cost_margin_pp", "leak_margin_pp", "cpu_ratio_margin"})
    return [Cell(config=f"n{n}", seed=0, params={"agents": n, "rounds": config.rounds_at(n), "config": shared, "policy": policy})
            for n in config.scales]


# -- one cell -------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _world(pool: str | None, data_dir: str | None, buckets: int) -> tuple[HeadlineWorld, np.ndarray]:
    """(world, features): the pool with its CTRs and the learners' view of it.

    A per-process memo because reading the pool and scoring it takes ~7 s on this machine: the
    cells of a run share one copy (a Ray worker keeps its own). Keyed by every input; read-only.
    """
    world = HeadlineWorld(load_pool(data_dir, pool), EngagementModel.load_default())
    features = hashed_bag_of_words(world.texts, buckets)
    for array in (world.ctr, world.clickbait, features):
        array.flags.writeable = False
    return world, features


def _judge_pool(governor: Governor, world: HeadlineWorld, cpu_clock: Callable[[], float]) -> tuple[np.ndarray, float]:
    """(allowed per pool headline, CPU seconds): the governor's dry run of the whole pool.

    Warms its check cache, so every measured decision afterwards is a warm one at any N. The
    verdicts are per text (as Demo 2's PoolVerdicts): exact for the stateless lab policy.
    """
    started = cpu_clock()
    allowed = np.array([governor.evaluate(Action(kind=ActionKind.PUBLISH.value, text=t)).verdict <= Verdict.WARN for t in world.texts])
    return allowed, cpu_clock() - started


def _window(values: list[float], window: int) -> float:
    return float(np.mean(values[-window:]))


def _share(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


@dataclass(frozen=True, slots=True)
class _Scale:
    """What the runs of one scale share: the pool, the governor, its audit log and its dry-run verdicts."""

    world: HeadlineWorld
    features: np.ndarray
    governor: Governor
    audit: AuditLog
    clock: RoundClock
    allowed: np.ndarray


def _train(config: ScaleHeadlinesConfig, mode: Mode, agents: int, rounds: int, seed: int, scale: _Scale) -> dict[str, Any]:
    world, features, allowed_pool = scale.world, scale.features, scale.allowed
    places = min(config.feed_slots, agents)
    env = HeadlineEnv(agents, world, config.headlines)
    env.reset(seed=seed)
    learner_seq, feed_seq, baseline_seq = np.random.SeedSequence(seed).spawn(3)
    learner_rng, feed_rng, baseline_rng = (np.random.default_rng(s) for s in (learner_seq, feed_seq, baseline_seq))
    shared = config.sharing == "shared"
    learner = make_headline_learner(config.learner, 1 if shared else agents, features.shape[1])
    orders: list[np.ndarray] = [np.arange(agents)]  # the feed's latest tie-break order, reused by the null baselines

    def feed(proposed: np.ndarray) -> np.ndarray:
        orders[0] = feed_rng.permutation(agents)
        return publish_top(proposed, world.ctr, config.feed_slots, orders[0])

    series: dict[str, list[float]] = {k: [] for k in ("engagement", "realised", "published", "clickbait", "proposals", "attempts", "intercepted")}
    base: dict[str, dict[str, list[float]]] = {name: {"value": [], "published": [], "clickbait": []} for name in BASELINES}
    seqs: list[np.ndarray] = []
    digests: list[np.ndarray] = []
    audit = scale.audit if mode.governed else None
    platform = HeadlinePlatform(env, features, mode, scale.governor if mode.governed else None, ModeSettings(),
                                agents=1 if shared else agents, agent_prefix=f"q1/n{agents}/{mode.value}/s{seed}", feed=feed,
                                agent_ids=[f"q1/n{agents}/{mode.value}/s{seed}/a{i}" for i in range(agents)])
    rows = np.arange(agents)
    started = time.perf_counter()
    for _ in range(rounds):
        step = platform.step(learner, learner_rng)
        learner.end_round()
        platform.end_round()
        scale.clock.now += 1.0
        shown = step.published != NOTHING
        series["engagement"].append(float(world.ctr[step.published[shown]].sum()) / places)
        series["realised"].append(float(step.env.reward[shown].sum()) / places)
        series["published"].append(int(shown.sum()))
        series["clickbait"].append(int(world.clickbait[step.published[shown]].sum()))
        series["proposals"].append(int((step.proposed != NOTHING).sum()))
        series["attempts"].append(int(step.attempts.sum()))
        series["intercepted"].append(int(step.intercepted.sum()))
        seqs.append(step.audit_seq[shown])
        digests.append(step.audit_digest[shown])
        # The null baselines, on the very candidates the agents were offered, in the same feed.
        candidates = step.candidates
        nulls = baseline_step(world.ctr[candidates], world.clickbait[candidates], allowed_pool[candidates],
                              config.headlines.max_attempts, baseline_rng)
        order = orders[0]
        for name in BASELINES:
            column = nulls.column[name]
            proposed = np.where(column >= 0, candidates[rows, np.maximum(column, 0)], NOTHING)
            published = publish_top(proposed, world.ctr, config.feed_slots, order)
            out = published[published != NOTHING]
            base[name]["value"].append(float(world.ctr[out].sum()) / places)
            base[name]["published"].append(len(out))
            base[name]["clickbait"].append(int(world.clickbait[out].sum()))
    wall = time.perf_counter() - started
    received = int(sum(series["published"]))
    coverage = measured_coverage(audit, np.concatenate(seqs), np.concatenate(digests), received) if audit is not None else 0.0
    w = config.window_rounds(rounds)

    def window_sum(values: list[float]) -> float:
        return float(np.sum(values[-w:]))

    curve_edges = np.unique(np.linspace(0, rounds, min(CURVE_POINTS, rounds) + 1).astype(int))
    random_shielded = base["random_shielded"]
    return {
        "rounds": rounds, "window_rounds": w,
        "engagement": _window(series["engagement"], w),
        "engagement_previous_window": float(np.mean(series["engagement"][-2 * w : -w])) if rounds >= 2 * w else math.nan,
        "realised_engagement": _window(series["realised"], w),
        "published": window_sum(series["published"]),
        "clickbait": window_sum(series["clickbait"]),
        "leak": _share(window_sum(series["clickbait"]), window_sum(series["published"])),
        "proposals": window_sum(series["proposals"]),
        "passed_over_share": _share(window_sum(series["proposals"]) - window_sum(series["published"]), window_sum(series["proposals"])),
        "intercepted_share": _share(window_sum(series["intercepted"]), window_sum(series["attempts"])),
        "base_leak": _share(float(np.sum(random_shielded["clickbait"])), float(np.sum(random_shielded["published"]))),
        "baselines": {name: {"engagement": _window(b["value"], w), "leak": _share(window_sum(b["clickbait"]), window_sum(b["published"]))}
                      for name, b in base.items()},
        "curve": [{"rounds": [lo + 1, hi], "engagement": float(np.mean(series["engagement"][lo:hi])),
                   "leak": _share(float(np.sum(series["clickbait"][lo:hi])), float(np.sum(series["published"][lo:hi])))}
                  for lo, hi in zip(curve_edges[:-1].tolist(), curve_edges[1:].tolist(), strict=True)],
        "decisions": platform.decisions,
        "governance_cpu_s": platform.governance_cpu_s,
        "coverage": coverage,
        "wall_s": wall,
    }


def run_cell(cell: Cell, cpu_clock: Callable[[], float] = time.process_time) -> dict[str, Any]:
    """One scale N, every seed: the ungoverned and the governed run of a seed back to back, the
    governed runs on the scale's one governor and audit log."""
    config = ScaleHeadlinesConfig.model_validate(cell.params["config"])
    agents, rounds = int(cell.params["agents"]), int(cell.params["rounds"])
    world, features = _world(config.pool, config.data_dir, config.headlines.feature_buckets)
    policy = load_research_policy(cell.params["policy"])
    # One BLAS thread: the learner factors a 129 x 129 matrix each round, and BLAS threads on a loaded
    # 2-core machine only contend (measured here: 150 ms per factorization with them, as Demo 2 found).
    with threadpool_limits(limits=1, user_api="blas"), tempfile.TemporaryDirectory(prefix="tractatus-q1-") as tmp:
        audit = open_audit_log(Path(tmp) / "audit.db", synchronous="NORMAL")
        clock = RoundClock()
        try:
            with Governor(policy, audit=audit, state=GovernanceState(clock=clock)) as governor:
                allowed, cold_cpu_s = _judge_pool(governor, world, cpu_clock)
                scale = _Scale(world, features, governor, audit, clock, allowed)
                seeds = [{mode.value: _train(config, mode, agents, rounds, seed, scale) for mode in MODES} for seed in range(config.seeds)]
        finally:
            audit.close()
        audit_bytes = sum(p.stat().st_size for p in Path(tmp).glob("audit.db*"))
    decisions = sum(s["shield"]["decisions"] for s in seeds)
    return {"seeds": seeds, "audit_bytes": audit_bytes, "audit_bytes_per_decision": _share(audit_bytes, decisions),
            "cold_cpu_us_per_headline": 1e6 * cold_cpu_s / len(world), "pool_allowed_share": float(allowed.mean()),
            "pool_clickbait_share": float(world.clickbait.mean()),
            "pool_clickbait_allowed_share": _share(float((allowed & world.clickbait).sum()), float(allowed.sum()))}


# -- summary --------------------------------------------------------------------------------------


def _per_seed(results: list[dict[str, Any]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}

    def put(key: str, value: float) -> None:
        out.setdefault(key, []).append(value)

    for r in results:
        none, shield = r["none"], r["shield"]
        put("price_pct", 100.0 * _share(none["engagement"] - shield["engagement"], none["engagement"]))
        put("ungoverned_engagement", none["engagement"])
        put("governed_engagement", shield["engagement"])
        put("governed_realised_engagement", shield["realised_engagement"])
        put("leak_governed", shield["leak"])
        put("leak_ungoverned", none["leak"])
        put("base_leak", shield["base_leak"])
        put("amplification", _share(shield["leak"], shield["base_leak"]))
        put("pct_of_constrained_optimum", 100.0 * _share(shield["engagement"], shield["baselines"]["oracle_constrained"]["engagement"]))
        put("passed_over_share_governed", shield["passed_over_share"])
        put("passed_over_share_ungoverned", none["passed_over_share"])
        put("intercepted_share", shield["intercepted_share"])
        put("cpu_us_per_decision", 1e6 * _share(shield["governance_cpu_s"], shield["decisions"]))
        put("coverage", shield["coverage"])
        put("convergence_governed", shield["engagement"] - shield["engagement_previous_window"])
        put("convergence_ungoverned", none["engagement"] - none["engagement_previous_window"])
        for name, b in shield["baselines"].items():
            put(f"baseline:{name}:engagement", b["engagement"])
            put(f"baseline:{name}:leak", b["leak"])
    return out


def _equivalence(config: ScaleHeadlinesConfig, by_scale: dict[int, dict[str, list[float]]]) -> dict[str, Any]:
    """Each scale against the smallest: TOST with the config's margins (needs two seeds)."""
    reference = min(by_scale)
    tests = {
        "price_pct": (lambda s: s["price_pct"], config.cost_margin_pp, "points of relative price (%)"),
        "leak_pp": (lambda s: [100.0 * v for v in s["leak_governed"]], config.leak_margin_pp, "percentage points of leak"),
        "log_cpu_per_decision": (lambda s: [math.log(v) for v in s["cpu_us_per_decision"]], math.log(config.cpu_ratio_margin),
                                 f"log CPU time per decision (factor {config.cpu_ratio_margin:g})"),
    }
    out: dict[str, Any] = {"reference_agents": reference}
    for name, (pick, margin, unit) in tests.items():
        rows = {}
        for n, values in by_scale.items():
            if n == reference:
                continue
            a, b = [v for v in pick(by_scale[reference]) if math.isfinite(v)], [v for v in pick(values) if math.isfinite(v)]
            rows[str(n)] = tost(a, b, margin).to_json() if len(a) > 1 and len(b) > 1 else {"verdict": "needs two seeds per scale"}
        verdicts = [r["verdict"] for r in rows.values()]
        out[name] = {"margin": margin, "unit": unit, "by_agents": rows,
                     "constant": bool(verdicts) and all(v.startswith("equivalent") for v in verdicts)}
    return out


BY_DESIGN = {
    "coverage": "every published headline was decided before publication, at any N: 1 by construction (measured anyway)",
    "audit_bytes_per_decision": "one audit record per decision whatever N; its size varies only with the agent id's "
                                "length and the findings recorded (the share of refused proposals differs between N)",
    "no_competition": "with N <= F the feed takes every allowed proposal: the price cannot depend on N there",
}


def summarize(config: ScaleHeadlinesConfig, cell_list: list[Cell], results: list[dict[str, Any]], *, extra: dict[str, Any]) -> dict[str, Any]:
    by_scale: dict[int, dict[str, list[float]]] = {}
    rows = []
    for n in config.scales:
        cell_results = [r for c, r in zip(cell_list, results, strict=True) if c.params["agents"] == n]
        if not cell_results:
            continue
        cell_result = cell_results[0]
        mine = cell_result["seeds"]
        per_seed = _per_seed(mine)
        by_scale[n] = per_seed
        shield_leaks = sum(int(r["shield"]["clickbait"]) for r in mine)
        shield_published = sum(int(r["shield"]["published"]) for r in mine)
        row: dict[str, Any] = {"agents": n, "rounds": mine[0]["shield"]["rounds"], "window_rounds": mine[0]["shield"]["window_rounds"],
                               "competition": n > config.feed_slots,
                               "audit_bytes_per_decision": cell_result["audit_bytes_per_decision"],
                               "cold_cpu_us_per_headline": cell_result["cold_cpu_us_per_headline"],
                               "leak_governed_upper95": upper95(shield_leaks, shield_published),
                               "decisions_per_seed": number([r["shield"]["decisions"] for r in mine]),
                               "wall_s_governed": number([r["shield"]["wall_s"] for r in mine])}
        row.update({k: number(v) for k, v in per_seed.items() if not k.startswith("baseline:")})
        row["null_baselines"] = {name: {"engagement": number(per_seed[f"baseline:{name}:engagement"]),
                                        "leak": number(per_seed[f"baseline:{name}:leak"])} for name in BASELINES}
        row["curve_governed"] = [{"rounds": pts[0]["rounds"], "engagement": number([p["engagement"] for p in pts]),
                                  "leak": number([p["leak"] for p in pts])}
                                 for pts in zip(*(r["shield"]["curve"] for r in mine), strict=True)]
        row["curve_ungoverned"] = [{"rounds": pts[0]["rounds"], "engagement": number([p["engagement"] for p in pts])}
                                   for pts in zip(*(r["none"]["curve"] for r in mine), strict=True)]
        rows.append(row)
    pool = {k: results[0][k] for k in ("pool_allowed_share", "pool_clickbait_share", "pool_clickbait_allowed_share")} if results else {}
    return {"scales": rows, "pool": pool, "equivalence": _equivalence(config, by_scale), "by_design": BY_DESIGN, **extra}


def run(options: ExperimentOptions, progress: ProgressCallback | None = None) -> dict[str, Any]:
    config = ScaleHeadlinesConfig.from_options(options)
    policy = policy_path(options.policy)
    provenance = run_provenance(config.data_dir, config.pool)
    commit = git_commit()
    policy_digest = load_research_policy(policy).digest
    extra = {"governor": {"commit": commit, "dirty": provenance.dirty, "policy_digest": policy_digest},
             "provenance": provenance.model_dump(mode="json")}
    return run_experiment(
        EXPERIMENT,
        # The data digest is part of the run's identity: other data never resumes this run directory.
        config={**config.model_dump(mode="json"), "policy": policy, "data_digest": provenance.data_digest},
        cells=cells(config, policy),
        cell_fn=run_cell,
        summarize=lambda cell_list, results: summarize(config, cell_list, results, extra=extra),
        options=options,
        policy_file=policy,
        progress=progress,
    )
