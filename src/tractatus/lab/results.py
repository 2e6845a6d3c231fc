"""Result files: tidy per-round, per-agent rows in Parquet, and a manifest, under runs/<id>/.

runs/<id>/
  results.parquet   one row per (setting, mode, seed, round, agent): see COLUMNS
  manifest.json     configuration, seeds, policy digest, package versions, git commit, status
  summary.json      the command's summary (what --json printed)
  timing.json       wall-clock times (kept out of the manifest so equal runs have equal manifests)
  audit.db          the governed runs' audit log (SQLite)

Same configuration and seed give byte-identical results.parquet and manifest.json.
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.errors import InputError, NotFoundError
from tractatus.lab.training import RoundRecord

RESULTS_FILE = "results.parquet"
MANIFEST_FILE = "manifest.json"
SUMMARY_FILE = "summary.json"
TIMING_FILE = "timing.json"
AUDIT_FILE = "audit.db"

COUNT_COLUMNS = (
    "published",
    "attempted_violations",
    "executed_violations",
    "intercepted",
    "intercepted_violations",
    "over_blocked",
    "flagged",
    "fallbacks",
)
PACKAGES = ("tractatus", "numpy", "pyarrow", "pydantic", "matplotlib", "sqlalchemy", "agentlightning")


class RunManifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    experiment: str
    status: str = Field(description="complete | interrupted")
    config: dict[str, Any]
    seeds: list[int]
    policy_name: str | None
    policy_digest: str | None
    package_versions: dict[str, str]
    python: str
    git_commit: str
    rows: int
    rounds_finished: dict[str, int] = Field(description="'setting/mode/seed' -> rounds written")
    provenance: dict[str, Any] | None = Field(
        default=None, description="code digest, data digest, splits digest, dirty tree (lab/provenance.py)"
    )


class ResultTable:
    """Accumulates rounds as they finish; `write` turns them into one tidy Parquet table."""

    def __init__(self, strategy_labels: tuple[str, ...]) -> None:
        self.strategy_labels = strategy_labels
        self._chunks: list[dict[str, np.ndarray]] = []
        self.rounds_finished: dict[str, int] = {}

    def add(self, setting: str, mode: str, learner: str, seed: int, record: RoundRecord) -> None:
        n = len(record.engagement)
        chunk: dict[str, Any] = {
            "setting": np.full(n, setting, dtype=object),
            "mode": np.full(n, mode, dtype=object),
            "learner": np.full(n, learner, dtype=object),
            "seed": np.full(n, seed, dtype=np.int64),
            "round": np.full(n, record.round, dtype=np.int64),
            "agent": np.arange(n, dtype=np.int64),
            "engagement": record.engagement,
            "learner_reward": record.learner_reward,
            "lagrange_lambda": record.lagrange_lambda,
        }
        for name in COUNT_COLUMNS:
            chunk[name] = getattr(record, name).astype(np.int64)
        for i, label in enumerate(self.strategy_labels):
            chunk[f"strategy_{label}"] = record.strategy_counts[:, i].astype(np.int64)
        self._chunks.append(chunk)
        key = f"{setting}/{mode}/{seed}"
        self.rounds_finished[key] = self.rounds_finished.get(key, 0) + 1

    @property
    def rows(self) -> int:
        return sum(len(c["agent"]) for c in self._chunks)

    def to_arrow(self) -> pa.Table:
        if not self._chunks:
            return pa.table({})
        columns = {name: np.concatenate([c[name] for c in self._chunks]) for name in self._chunks[0]}
        return pa.table({name: pa.array(values) for name, values in columns.items()})

    def write(self, path: Path) -> None:
        # No statistics timestamps or writer-dependent metadata vary between equal runs.
        pq.write_table(self.to_arrow(), path, compression="zstd")


def read_results(run_dir: Path) -> pa.Table:
    path = run_dir / RESULTS_FILE
    if not path.is_file():
        raise NotFoundError(f"{run_dir}: no {RESULTS_FILE} (is this a run directory?)")
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"{path}: cannot read results ({exc})") from None


def read_manifest(run_dir: Path) -> RunManifest:
    path = run_dir / MANIFEST_FILE
    if not path.is_file():
        raise NotFoundError(f"{run_dir}: no {MANIFEST_FILE} (is this a run directory?)")
    try:
        return RunManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{path}: invalid manifest ({str(exc).splitlines()[0]})") from None


def new_run_dir(root: Path, experiment: str, *, clock: Callable[[], float] = time.time) -> Path:
    """A fresh runs/<experiment>-<UTC time>[-k] directory."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(clock()))
    base = root / f"{experiment}-{stamp}"
    candidate, k = base, 1
    while candidate.exists():
        k += 1
        candidate = base.with_name(f"{base.name}-{k}")
    try:
        candidate.mkdir(parents=True)
    except OSError as exc:
        raise InputError(f"--out {root}: cannot create a run directory ({exc.strerror or exc})") from None
    return candidate


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_commit() -> str:
    """The commit of the source tree the package runs from, or "unknown" outside a checkout."""
    source = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=source, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def write_run(
    run_dir: Path,
    *,
    experiment: str,
    table: ResultTable,
    config: dict[str, Any],
    seeds: list[int],
    policy_name: str | None,
    policy_digest: str | None,
    interrupted: bool,
    summary: dict[str, Any] | None,
    timing: dict[str, float],
    provenance: Any = None,
) -> RunManifest:
    """`provenance`: a lab.provenance.Provenance; computed here (code only, no data) when not given."""
    from tractatus.lab.provenance import Provenance, code_digest, dirty_tree
    from tractatus.data.splits import load_splits

    if provenance is None:
        provenance = Provenance(code_digest=code_digest(), data_digest=None, splits_digest=load_splits().digest, dirty=dirty_tree())
    table.write(run_dir / RESULTS_FILE)
    manifest = RunManifest(
        experiment=experiment,
        status="interrupted" if interrupted else "complete",
        config=config,
        seeds=seeds,
        policy_name=policy_name,
        policy_digest=policy_digest,
        package_versions=package_versions(),
        python=platform.python_version(),
        git_commit=git_commit(),
        rows=table.rows,
        rounds_finished=table.rounds_finished,
        provenance=provenance.model_dump(mode="json"),
    )
    (run_dir / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
    if summary is not None:
        (run_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    (run_dir / TIMING_FILE).write_text(json.dumps(timing, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest
