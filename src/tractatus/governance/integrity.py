"""`audit verify` in full: the chain, the signed checkpoints, and the escalations table.

Three questions, each answered by its own module:
- does every entry hold and link to the one before (`AuditLog.verify`)?
- is every entry a checkpoint signed still there with the signed hash (`checkpoint`)? This is
  what catches truncation, a wiped or dropped table, a 0-byte file and a rolled-back head;
- does every escalation row agree with its audit entries (`EscalationQueue.cross_check`)?
The report is ok only when all three are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tractatus.governance.audit import AuditLog, VerifyReport
from tractatus.governance.checkpoint import CheckpointFile, CheckpointReport, verify_checkpoints
from tractatus.governance.escalation import Disagreement, EscalationQueue


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    chain: VerifyReport
    checkpoints: CheckpointReport
    escalations: tuple[Disagreement, ...]

    @property
    def ok(self) -> bool:
        return self.chain.ok and self.checkpoints.ok and not self.escalations

    def problem(self) -> str | None:
        """The first thing that does not hold, as one line."""
        if not self.chain.ok:
            return (
                f"audit chain broken at entry {self.chain.first_broken_seq}: {self.chain.reason} "
                f"({self.chain.entries_checked} entries before it verified)"
            )
        if not self.checkpoints.ok:
            return f"audit log does not match its checkpoints: {self.checkpoints.problem}"
        if self.escalations:
            more = f" (and {len(self.escalations) - 1} more)" if len(self.escalations) > 1 else ""
            return f"escalations table disagrees with the audit log: {self.escalations[0]}{more}"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.chain.to_dict(),
            "ok": self.ok,
            "problem": self.problem(),
            "checkpoints": self.checkpoints.to_dict(),
            "escalations": [{"id": d.escalation_id, "problem": d.problem} for d in self.escalations],
        }


def verify_log(
    log: AuditLog,
    checkpoints: CheckpointFile,
    public_key: Ed25519PublicKey | None,
    *,
    workers: int | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> IntegrityReport:
    chain = log.verify(workers=workers, on_progress=on_progress)
    anchored = verify_checkpoints(log, checkpoints, public_key)
    # A broken chain is reported first; cross-checking rows against entries that may themselves
    # be altered would only add noise.
    disagreements = tuple(EscalationQueue(log).cross_check()) if chain.ok else ()
    return IntegrityReport(chain, anchored, disagreements)
