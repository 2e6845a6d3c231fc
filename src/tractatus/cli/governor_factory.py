"""Build a Governor for a CLI command: policy, audit log and escalation queue from options."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tractatus.governance.governor import Governor
from tractatus.governance.policy import bundled_policy_path, load_policy


@contextmanager
def open_governor(policy: Path | None, *, audit_db: str | None, audit: bool = True) -> Iterator[Governor]:
    """A governor for `policy` (default: policies/default.yaml), auditing to `audit_db`.

    `audit_db` is a path or SQLAlchemy URL; None falls back to TRACTATUS_AUDIT_DB and then to
    .tractatus/audit.db under the working directory (see governance.audit.open_audit_log).
    """
    loaded = load_policy(policy if policy is not None else bundled_policy_path("default"))
    if not audit:
        with Governor(loaded) as governor:
            yield governor
        return
    from tractatus.governance.audit import open_audit_log
    from tractatus.governance.escalation import EscalationQueue

    log = open_audit_log(audit_db)
    try:
        with Governor(loaded, audit=log, escalations=EscalationQueue(log)) as governor:
            yield governor
    finally:
        log.close()
