"""A measured run of the governor: what was measured (commit, tree state, data) and its audit log.

The commit and the tree state are read when the run starts, before anything else happens, so a
commit made while a long run is going does not relabel what it measured. The Q3 and Q5 headline
experiments key their result histories by this commit (lab/experiments/headlines_adversarial.py).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from threadpoolctl import threadpool_limits

from tractatus.governance.audit import AuditLog, open_audit_log
from tractatus.lab.provenance import Provenance, run_provenance
from tractatus.lab.results import AUDIT_FILE, git_commit


@dataclass(frozen=True, slots=True)
class MeasuredRun:
    commit: str
    provenance: Provenance
    audit: AuditLog


@contextmanager
def measured_run(run_dir: Path, data_dir: str | None, pool: str | None) -> Iterator[MeasuredRun]:
    provenance = run_provenance(data_dir, pool)
    commit = git_commit()
    run_dir.mkdir(parents=True, exist_ok=True)
    audit = open_audit_log(run_dir / AUDIT_FILE)
    try:
        # One BLAS thread: the machine's cores go to the governor's checks, not to thread contention.
        with threadpool_limits(limits=1, user_api="blas"):
            yield MeasuredRun(commit, provenance, audit)
    finally:
        audit.close()
