"""What the five research experiments share: options, governed training sessions, the grid run.

- `ExperimentOptions`: the lab command contract (--quick, --agents, --rounds, --seeds, --steps,
  --backend, --ray-address, --out, --policy), validated in one place.
- `GovernedSession`: one training cell (lab/training.py) with its own governor, governance state
  (round clock, so windows are in rounds), the Tractatus flow's instructions and a private audit
  log in a temporary directory, so a cell is self-contained and can run on any Ray worker.
- `run_experiment`: runs the (configuration, seed) cells with a backend (backends.py) into a
  resumable run directory `runs/<experiment>-<config digest>/` and writes summary.json and
  manifest.json next to the per-cell files. The same configuration always maps to the same
  directory: rerunning an interrupted command resumes it.
"""

from __future__ import annotations

import contextlib
import json
import platform
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from tractatus.governance.actions import canonical_json, sha256_hex
from tractatus.governance.audit import AuditLog, open_audit_log
from tractatus.governance.checks import CheckFactory
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import DecisionObserver, Governor
from tractatus.governance.policy import Policy, bundled_policy_path, load_policy
from tractatus.governance.quota import QuotaCheck
from tractatus.governance.registry import default_registry
from tractatus.governance.state import GovernanceState
from tractatus.lab.backends import Cell, CellFunction, CellStore, make_backend, run_grid
from tractatus.lab.coverage import measured_coverage
from tractatus.lab.envs.grammar import Grammar
from tractatus.lab.policy_fit import LAB_POLICY, check_policy_fits
from tractatus.lab.provenance import dirty_tree
from tractatus.lab.results import MANIFEST_FILE, SUMMARY_FILE, RunManifest, git_commit, package_versions
from tractatus.lab.runner import RoundClock
from tractatus.lab.stats import estimate
from tractatus.lab.tractatus_flow import run_flow
from tractatus.lab.training import CellConfig, RoundRecord, TrainingCell

RESEARCH_RUNS = Path("runs")


class ExperimentOptions(BaseModel):
    """The lab contract's options, as every research command takes them. None = the experiment's default."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    quick: bool = False
    full: bool = False
    agents: int | None = Field(default=None, ge=1, le=100_000)
    rounds: int | None = Field(default=None, ge=1, le=1_000_000)
    seeds: int | None = Field(default=None, ge=1, le=1_000)
    steps: int | None = Field(default=None, ge=1, le=10_000)
    backend: str = "local"
    ray_address: str | None = None
    out: Path = RESEARCH_RUNS
    policy: str | None = None

    @field_validator("backend")
    @classmethod
    def _backend(cls, value: str) -> str:
        if value not in ("local", "ray"):
            raise ValueError(f"unknown backend {value!r} (expected local or ray)")
        return value

    def pick(self, name: str, default: int) -> int:
        value = getattr(self, name)
        return default if value is None else int(value)


def policy_path(name_or_path: str | None, default: str = LAB_POLICY) -> str:
    """A policy file path: an explicit path, or a bundled policy name (policies/<name>.yaml)."""
    if name_or_path is None:
        return str(bundled_policy_path(default))
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ConfigError(f"--policy: no such policy file {path}")
        return str(path.resolve())
    return str(bundled_policy_path(name_or_path))


def research_registry() -> dict[str, CheckFactory]:
    """The built-in checks plus the quota service (until the services package lists it)."""
    registry = default_registry()
    registry.setdefault(QuotaCheck.name, QuotaCheck)
    return registry


def load_research_policy(path: str) -> Policy:
    policy = load_policy(path, registry=research_registry())
    check_policy_fits(policy)
    return policy


# -- one governed training cell ----------------------------------------------------------------


@dataclass
class GovernedSession:
    """A TrainingCell wired to a governor (or none, for mode none) and a private audit log."""

    cell: TrainingCell
    governor: Governor | None
    audit: AuditLog | None
    clock: RoundClock
    audit_path: Path | None

    def rounds(self) -> Iterator[RoundRecord]:
        for record in self.cell.rounds():
            self.clock.now += 1.0
            yield record

    def coverage(self, records: Sequence[RoundRecord]) -> float:
        """Published articles with a matching audit record / articles received, over `records`."""
        received = int(sum(int(r.published.sum()) for r in records))
        if not records:
            return 0.0
        seqs = np.concatenate([r.audit_seq for r in records])
        digests = np.concatenate([r.audit_digest for r in records])
        return measured_coverage(self.audit, seqs, digests, received)

    def audit_bytes(self) -> int:
        if self.audit_path is None or not self.audit_path.exists():
            return 0
        return sum(p.stat().st_size for p in self.audit_path.parent.glob(self.audit_path.name + "*"))


@contextlib.contextmanager
def governed_session(
    config: CellConfig,
    *,
    policy_file: str | Policy | None,
    grammar: Grammar | None = None,
    observers: Sequence[DecisionObserver] = (),
    state_hook: Callable[[GovernanceState], None] | None = None,
    audit_sync: str = "NORMAL",
) -> Iterator[GovernedSession]:
    """Build a cell (governed if its mode is), run the Tractatus flow first, clean up after.

    `policy_file` is a policy path or an already loaded (e.g. derived) Policy.

    The audit log is synchronous=NORMAL by default in experiments: still a real SQLite log with
    group commit, but not fsynced per batch (a lost tail on power loss would not change the
    measured numbers, and fsync per step would dominate the time the experiments measure).
    """
    clock = RoundClock()
    governor = audit = None
    with tempfile.TemporaryDirectory(prefix="tractatus-cell-") as tmp:
        audit_path = Path(tmp) / "audit.db"
        try:
            if config.mode.governed:
                if policy_file is None:
                    raise ConfigError(f"mode {config.mode.value!r} needs a policy")
                policy = policy_file if isinstance(policy_file, Policy) else load_research_policy(policy_file)
                audit = open_audit_log(audit_path, synchronous=audit_sync)
                flow = run_flow(policy, audit)
                state = GovernanceState(clock=clock)
                state.load_instructions(flow.instructions)
                if state_hook is not None:
                    state_hook(state)
                governor = Governor(policy, audit=audit, state=state, registry=research_registry(), observers=observers)
            cell = TrainingCell(config, governor, agent_prefix=f"{config.mode.value}/s{config.seed}", grammar=grammar)
            yield GovernedSession(cell, governor, audit, clock, audit_path if audit is not None else None)
        finally:
            if governor is not None:
                governor.close()
            if audit is not None:
                audit.close()


def round_series(records: Sequence[RoundRecord]) -> dict[str, list[float]]:
    """Per-round totals over agents (engagement as a mean over agents): compact cell results."""
    return {
        "engagement": [float(r.engagement.mean()) for r in records],
        "learner_reward": [float(r.learner_reward.mean()) for r in records],
        "published": [int(r.published.sum()) for r in records],
        "attempted_violations": [int(r.attempted_violations.sum()) for r in records],
        "executed_violations": [int(r.executed_violations.sum()) for r in records],
        "intercepted": [int(r.intercepted.sum()) for r in records],
        "over_blocked": [int(r.over_blocked.sum()) for r in records],
        "flagged": [int(r.flagged.sum()) for r in records],
    }


# -- aggregation over seeds ----------------------------------------------------------------------


def number(values: Sequence[float]) -> dict[str, Any]:
    """Mean, 95% CI half-width (Student's t over seeds) and the per-seed values: how every number is reported."""
    e = estimate([float(v) for v in values])
    return {"mean": e.mean, "ci95": e.ci95, "per_seed": list(e.values), "n": e.n}


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return data
    window = max(1, min(window, data.size))
    kernel = np.ones(window) / window
    head = np.cumsum(data[: window - 1]) / np.arange(1, window)
    return np.concatenate([head, np.convolve(data, kernel, mode="valid")])


# -- running a grid into a resumable run directory ---------------------------------------------------


ProgressCallback = Callable[[Cell, bool], None]  # (cell, loaded_from_store)


def run_dir_for(out: Path, experiment: str, config: Mapping[str, Any], policy_digest: str | None = None) -> Path:
    """The run directory of this exact configuration under this exact policy: rerunning the command
    resumes it, while a changed policy file (same path, new digest) starts afresh."""
    key = {**dict(config), "policy_digest": policy_digest}
    return Path(out) / f"{experiment}-{sha256_hex(canonical_json(key))[:10]}"


def run_experiment(
    experiment: str,
    *,
    config: Mapping[str, Any],
    cells: Sequence[Cell],
    cell_fn: CellFunction,
    summarize: Callable[[list[Cell], list[dict[str, Any]]], dict[str, Any]],
    options: ExperimentOptions,
    policy_file: str | None,
    progress: ProgressCallback | None = None,
) -> dict[str, Any]:
    """Run (or resume) the grid, summarize, write summary.json + manifest.json; return the summary."""
    policy = load_research_policy(policy_file) if policy_file else None
    run_dir = run_dir_for(options.out, experiment, config, policy.digest if policy else None)
    run_dir.mkdir(parents=True, exist_ok=True)
    store = CellStore(run_dir)
    started = time.perf_counter()
    backend = make_backend(options.backend, address=options.ray_address)
    try:
        results = run_grid(
            cell_fn,
            cells,
            backend=backend,
            store=store,
            on_done=(lambda cell, _result, cached: progress(cell, cached)) if progress is not None else None,
        )
    finally:
        backend.close()
    summary = summarize(list(cells), results)
    summary = {
        "experiment": experiment,
        "backend": options.backend,
        "profile": "quick" if options.quick else "full" if options.full else "default",
        "run_dir": str(run_dir),
        "config": dict(config),
        **summary,
    }
    (run_dir / SUMMARY_FILE).write_text(json.dumps(_finite(summary), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    manifest = RunManifest(
        experiment=experiment,
        status="complete",
        config=dict(config),
        seeds=sorted({cell.seed for cell in cells}),
        policy_name=policy.name if policy else None,
        policy_digest=policy.digest if policy else None,
        package_versions=package_versions(),
        python=platform.python_version(),
        git_commit=git_commit(),
        rows=len(cells),
        rounds_finished={cell.key: 1 for cell in cells},
        provenance={"code_digest": store.code_digest, "dirty": dirty_tree(), "stale_cells_recomputed": sorted(store.stale)},
    )
    (run_dir / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    (run_dir / "timing.json").write_text(json.dumps({"wall_s": time.perf_counter() - started}) + "\n", encoding="utf-8")
    return summary


def run_configured(
    experiment: str,
    config: BaseModel,
    policy: str,
    *,
    make_cells: Callable[[Any, str], list[Cell]],
    cell_fn: CellFunction,
    summarize: Callable[[Any, list[Cell], list[dict[str, Any]]], dict[str, Any]],
    options: ExperimentOptions,
    progress: ProgressCallback | None,
) -> dict[str, Any]:
    """What every experiment's `run` does: its cells for this configuration, run and summarized."""
    return run_experiment(
        experiment,
        config={**config.model_dump(mode="json"), "policy": policy},
        cells=make_cells(config, policy),
        cell_fn=cell_fn,
        summarize=lambda cells, results: summarize(config, cells, results),
        options=options,
        policy_file=policy,
        progress=progress,
    )


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: a number that could not be computed becomes null."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def latest_summary(out: Path, experiment: str) -> dict[str, Any] | None:
    """The most recently written summary of an experiment under `out` (for the research report)."""
    candidates = sorted(Path(out).glob(f"{experiment}-*/{SUMMARY_FILE}"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        return None
    return json.loads(candidates[-1].read_text(encoding="utf-8"))
