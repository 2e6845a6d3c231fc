"""Governance coverage, measured from the audit log rather than asserted.

coverage = published articles whose decision is in the audit log / articles the environment
received. An article counts only if the log holds a decision entry at the sequence number the
governor returned *and* that entry's action digest matches the article's: a record for some
other action does not cover it.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from tractatus.governance.audit import DECISION_KIND, AuditLog, audit_entries


def measured_coverage(audit: AuditLog | None, seqs: np.ndarray, digests: np.ndarray, received: int) -> float:
    """Fraction of the `received` articles with a matching audit record (NaN if none were received)."""
    if received == 0:
        return float("nan")
    if audit is None:
        return 0.0
    have = seqs >= 0
    if not have.any():
        return 0.0
    wanted_seqs = seqs[have]
    wanted_digests = digests[have]
    lo, hi = int(wanted_seqs.min()), int(wanted_seqs.max())
    c = audit_entries.c
    found_seq: list[np.ndarray] = []
    found_digest: list[np.ndarray] = []
    with audit.engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=50_000).execute(
            select(c.seq, c.action_digest).where(c.seq.between(lo, hi), c.kind == DECISION_KIND).order_by(c.seq)
        )
        for rows in result.partitions():
            found_seq.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)))
            found_digest.append(np.fromiter((int(r[1][:16], 16) for r in rows), dtype=np.uint64, count=len(rows)))
    if not found_seq:
        return 0.0
    db_seq = np.concatenate(found_seq)
    db_digest = np.concatenate(found_digest)
    position = np.searchsorted(db_seq, wanted_seqs)
    position = np.minimum(position, len(db_seq) - 1)
    matched = (db_seq[position] == wanted_seqs) & (db_digest[position] == wanted_digests)
    return float(matched.sum()) / received
