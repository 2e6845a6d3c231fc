"""The evaluation harness: every held-out text decided by the real Governor, peers on the same rows.

For each task (clickbait, abuse, PII) the harness
1. decides each held-out text through the Governor under a shipped policy, with the action kind
   the detector exists for (`publish` for headlines, `message` for tweets and PII sentences), and
   measures precision, recall and false-positive rate of the decision (what users get) and of the
   task's own detector's findings, with per-class rates;
2. runs the packaged peers on the same rows (`peers.py`);
3. applies each evasion operator (`evasion.py`) to the positives and measures recall again, and
   the share of caught positives still caught;
4. draws a precision-recall curve for every system with a score (`curves.py`).
It also runs the team's red-team case files, and checks the issue's goals (`goals.py`).

Nothing is tuned here: no threshold is chosen on these rows.
"""

from __future__ import annotations

import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tractatus.data.splits import load_splits
from tractatus.governance.learning.curves import CurveSeries, OperatingPoint, draw_pr_curves
from tractatus.governance.learning.eval_report import (
    EvaluationReport,
    EvasionResult,
    RedTeamResult,
    SystemResult,
    TaskResult,
)
from tractatus.governance.learning.eval_sets import (
    PII_FREE,
    EvalSet,
    abuse_set,
    clickbait_set,
    pii_set,
    red_team_cases,
)
from tractatus.governance.learning.evasion import OPERATORS, apply_operator
from tractatus.governance.learning.goals import check_goals
from tractatus.governance.learning.governed import GovernedRun, Outcome
from tractatus.governance.learning.metrics import BinaryMetrics, Rate, flag_rate
from tractatus.governance.learning.peers import Peer, PeerOutput, peers_for

# Which policy and action kind each task is measured under, and which check is the task's detector.
# `publish` clickbait is measured under both the default policy and the lab's (which blocks at the
# warn score): the two are what a user and the engagement lab get.
TARGETS: dict[str, tuple[tuple[str, str], ...]] = {
    "clickbait": (("default.yaml", "publish"), ("lab-engagement.yaml", "publish")),
    "abuse": (("default.yaml", "message"),),
    "pii": (("default.yaml", "message"),),
}
RED_TEAM_POLICY = "default.yaml"
RED_TEAM_KINDS = {"clickbait": "publish"}  # every other detector's cases are messages

# --quick: this many rows of each label, and this many PII sentences (enough to exercise every path).
QUICK_PER_LABEL = 60
QUICK_PII_N = 120
QUICK_EVASION_ROWS = 30  # positives per system and operator


@dataclass(frozen=True)
class EvalOptions:
    data_dir: Path
    policies_dir: Path
    cases_dir: Path | None  # the red-team case files; None or missing: that table is skipped
    curve_dir: Path | None  # where the PNGs go; None: no curves
    curve_link_base: Path | None = None  # PNG paths in the report are relative to this (the Markdown's folder)
    quick: bool = False
    seed: int = 0
    pii_n: int = 2000
    command: str = "tractatus detectors eval"
    tasks: tuple[str, ...] = ("clickbait", "abuse", "pii")
    peers: bool = True  # run the packaged peers beside the governor
    notes: tuple[str, ...] = field(default=())


@dataclass
class _System:
    name: str
    is_governor: bool
    flags: Callable[[Sequence[str]], list[bool]]
    rows: list[int]  # indices of the held-out rows this system was measured on (all, or a sample)
    evasion_rows: list[int]  # the positive rows its evasion recall is measured on
    outcomes: list[Outcome] | None = None  # governor: one per row in `rows`
    peer_outputs: list[PeerOutput] | None = None  # peer: one per row in `rows`

    def caught(self) -> dict[int, bool]:
        flags = [o.flagged for o in self.outcomes] if self.outcomes is not None else [o.flagged for o in self.peer_outputs or ()]
        return dict(zip(self.rows, flags, strict=True))


def _sample(indices: list[int], cap: int | None, seed: int, salt: str) -> list[int]:
    """At most `cap` of `indices`, chosen by a generator seeded from (seed, salt), in order."""
    if cap is None or len(indices) <= cap:
        return indices
    return sorted(random.Random(f"{seed}\x00{salt}").sample(indices, cap))


def run_evaluation(
    options: EvalOptions,
    *,
    clock: Callable[[], float] = time.perf_counter,
    cpu_clock: Callable[[], float] = time.process_time,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> EvaluationReport:
    started, cpu_started = clock(), cpu_clock()
    commit = _commit(options.policies_dir)  # before anything is written: the curves may be tracked files
    splits = load_splits()
    per_label = QUICK_PER_LABEL if options.quick else None
    pii_n = min(options.pii_n, QUICK_PII_N) if options.quick else options.pii_n
    runs: dict[str, GovernedRun] = {}

    def governed(policy: str) -> GovernedRun:
        if policy not in runs:
            runs[policy] = GovernedRun(options.policies_dir / policy)
        return runs[policy]

    try:
        tasks = []
        for task in options.tasks:
            if task == "clickbait":
                data = clickbait_set(options.data_dir, splits, per_label, options.seed)
            elif task == "abuse":
                data = abuse_set(options.data_dir, splits, per_label, options.seed)
            elif task == "pii":
                data = pii_set(pii_n, options.seed)
            else:
                raise ValueError(f"unknown task {task!r}")
            tasks.append(_run_task(task, data, governed, options))
        red_team: list[RedTeamResult] = []
        if options.cases_dir is not None and options.cases_dir.is_dir():
            red_team = _run_red_team(options.cases_dir, governed(RED_TEAM_POLICY))
        policies = {name: run.digest for name, run in runs.items()}
    finally:
        for run in runs.values():
            run.close()
    return EvaluationReport(
        generated_at=now().strftime("%Y-%m-%d %H:%M UTC"),
        commit=commit,
        command=options.command,
        quick=options.quick,
        seed=options.seed,
        seconds=round(clock() - started, 1),
        cpu_seconds=round(cpu_clock() - cpu_started, 1),
        splits_digest=splits.digest,
        policies=policies,
        tasks=tasks,
        red_team=red_team,
        goals=check_goals(tasks, red_team),
        notes=list(options.notes),
    )


def _run_task(task: str, data: EvalSet, governed: Callable[[str], GovernedRun], options: EvalOptions) -> TaskResult:
    positive = data.positive
    every = list(range(len(data.texts)))
    evasion_cap = QUICK_EVASION_ROWS if options.quick else None
    positives = _sample([i for i in every if positive[i]], evasion_cap, options.seed, f"{task}:evasion")
    systems: list[_System] = []
    for policy, kind in TARGETS[task]:
        run = governed(policy)

        def flags(texts: Sequence[str], run: GovernedRun = run, kind: str = kind) -> list[bool]:
            return [o.flagged for o in run.decide(texts, kind)]

        systems.append(
            _System(f"governor: {policy}, {kind}", True, flags, every, positives, outcomes=run.decide(data.texts, kind))
        )
    peers, not_run = peers_for(task) if options.peers else ([], [])
    for peer in peers:
        rows = _sample(every, peer.max_rows, options.seed, f"{task}:{peer.name}")
        caps = [c for c in (peer.max_evasion_rows, evasion_cap) if c is not None]
        evasion_rows = _sample([i for i in rows if positive[i]], min(caps, default=None), options.seed, f"{task}:{peer.name}:evasion")

        def peer_flags(texts: Sequence[str], peer: Peer = peer) -> list[bool]:
            return [o.flagged for o in peer.run(texts)]

        outputs = peer.run([data.texts[i] for i in rows])
        systems.append(_System(peer.name, False, peer_flags, rows, evasion_rows, peer_outputs=outputs))

    results = [_system_result(task, system, data) for system in systems]
    evasion = _run_evasion(systems, data, options.seed)
    curve = _draw_curve(task, data, positive, systems, results, governed, options)
    return TaskResult(
        task=task, source=data.source, rows=len(data.texts), digest=data.digest,
        labels=dict(sorted(Counter(data.labels).items())), systems=results, evasion=evasion, curve=curve, not_run=not_run,
    )  # fmt: skip


def _system_result(task: str, system: _System, data: EvalSet) -> SystemResult:
    positive = [data.positive[i] for i in system.rows]
    labels = [data.labels[i] for i in system.rows]
    if system.outcomes is not None:
        flagged = [o.flagged for o in system.outcomes]
        own = [o.flagged_by_check(task) for o in system.outcomes]
        detector: BinaryMetrics | None = BinaryMetrics.of(own, positive)
        verdicts = dict(sorted(Counter(o.verdict.label for o in system.outcomes).items()))
        found = [frozenset(c for check, c in o.categories if check == task) for o in system.outcomes]
    else:
        assert system.peer_outputs is not None
        flagged = [o.flagged for o in system.peer_outputs]
        detector, verdicts = None, {}
        found = [o.categories for o in system.peer_outputs]
    if data.categories:  # PII: recall per category present, and the PII-free sentences flagged
        categories = [data.categories[i] for i in system.rows]
        names = sorted({c for cats in data.categories for c in cats})
        per_class = {c: flag_rate(flagged, [c in cats for cats in categories]) for c in names}
        per_class[PII_FREE] = flag_rate(flagged, [not cats for cats in categories])
        typed = {c: flag_rate([c in f for f in found], [c in cats for cats in categories]) for c in names}
    else:
        per_class = {label: flag_rate(flagged, [lab == label for lab in labels]) for label in sorted(set(data.labels))}
        typed = {}
    return SystemResult(
        system=system.name, is_governor=system.is_governor, decision=BinaryMetrics.of(flagged, positive),
        detector=detector, per_class=per_class, typed_recall=typed, verdicts=verdicts,
    )  # fmt: skip


def _run_evasion(systems: list[_System], data: EvalSet, seed: int) -> list[EvasionResult]:
    out = []
    for system in systems:
        caught = system.caught()
        before = [caught[i] for i in system.evasion_rows]
        for operator in OPERATORS:
            after = system.flags([apply_operator(operator, data.texts[i], seed) for i in system.evasion_rows])
            out.append(
                EvasionResult(
                    operator=operator, system=system.name,
                    recall_before=Rate.of(sum(before), len(before)),
                    recall=Rate.of(sum(after), len(after)),
                    retained=flag_rate(after, before),
                )
            )
    return out


def _draw_curve(
    task: str,
    data: EvalSet,
    positive: list[bool],
    systems: list[_System],
    results: list[SystemResult],
    governed: Callable[[str], GovernedRun],
    options: EvalOptions,
) -> str | None:
    if options.curve_dir is None:
        return None
    series = []
    for policy, kind in TARGETS[task]:
        for label, scores in governed(policy).scores(data.texts, kind, task).items():
            series.append(CurveSeries(f"{task} {label} ({policy})", scores))
    for system in systems:
        outputs = system.peer_outputs or []
        scores_or_none = [o.score for o in outputs]
        if len(system.rows) == len(data.texts) and all(s is not None for s in scores_or_none) and len({*scores_or_none}) > 2:
            series.append(CurveSeries(system.name, [float(s) for s in scores_or_none if s is not None]))
    points = [
        OperatingPoint(r.system, r.decision.precision.value, r.decision.recall.value) for r in results
    ]
    path = options.curve_dir / f"pr-{task}.png"
    draw_pr_curves(path, f"{task}: {data.source} ({len(data.texts)} rows)", positive, series, points)
    base = options.curve_link_base
    try:
        return str(path.resolve().relative_to(base.resolve())) if base is not None else str(path)
    except ValueError:
        return str(path)


def _run_red_team(cases_dir: Path, run: GovernedRun) -> list[RedTeamResult]:
    out = []
    for cases in red_team_cases(cases_dir):
        kind = RED_TEAM_KINDS.get(cases.detector, "message")
        outcomes = run.decide(cases.texts, kind, cases.contexts)
        out.append(
            RedTeamResult(
                detector=cases.detector, kind=kind,
                decision=BinaryMetrics.of([o.flagged for o in outcomes], list(cases.expect_flag)),
                detector_only=BinaryMetrics.of([o.flagged_by_check(cases.detector) for o in outcomes], list(cases.expect_flag)),
            )
        )
    return out


def _commit(inside: Path) -> str:
    """The checkout's commit, marked "+dirty" with uncommitted changes; "unknown" outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=inside, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=inside, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head
