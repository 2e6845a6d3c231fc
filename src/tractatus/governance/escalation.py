"""The human escalation queue: escalated actions wait here until a person approves or denies them.

It lives in the audit log's database, in its own table. What is stored is the action *redacted*
with the decision's findings (never its raw text), the decision's verdict, rule ids and findings,
and later the reviewer's decision. Every approval or denial is appended to the audit log as an
event, so the chain records who decided what.

A decision is taken exactly once: the status moves pending -> approved|denied in one conditional
UPDATE, so two reviewers racing on the same id cannot both win. The audit event is appended right
after; should the process die between the two, the next queue opened on the database appends the
missing event (`_reconcile`), so no decided escalation stays unaudited.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from tractatus.governance.actions import Action, Decision, Verdict, canonical_json
from tractatus.governance.audit import AuditLog, redacted_findings
from tractatus.governance.errors import AuditError, InputError, NotFoundError
from tractatus.governance.redact import redact

Clock = Callable[[], float]

PENDING, APPROVED, DENIED = "pending", "approved", "denied"
STATUSES = (PENDING, APPROVED, DENIED)
MAX_NOTE_CHARS = 2000

metadata = MetaData()
escalations = Table(
    "escalations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_us", BigInteger, nullable=False),
    Column("agent_id", String(256), nullable=False),
    Column("action_kind", String(64), nullable=False),
    Column("tool", String(256)),
    Column("action_digest", String(64), nullable=False),
    Column("policy_digest", String(64), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("rule_ids", Text, nullable=False),
    Column("findings", Text, nullable=False),
    Column("redacted_text", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reviewer", String(256)),
    Column("note", Text),
    Column("decided_us", BigInteger),
    Column("audit_seq", BigInteger),  # the audit event recording the decision; NULL while pending
)


@dataclass(frozen=True, slots=True)
class Escalation:
    id: int
    created: float
    agent_id: str
    action_kind: str
    tool: str | None
    action_digest: str
    policy_digest: str
    verdict: str
    rule_ids: tuple[str, ...]
    findings: list[dict[str, Any]]
    redacted_text: str
    status: str
    reviewer: str | None
    note: str | None
    decided: float | None
    audit_seq: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "agent_id": self.agent_id,
            "action_kind": self.action_kind,
            "tool": self.tool,
            "action_digest": self.action_digest,
            "policy_digest": self.policy_digest,
            "verdict": self.verdict,
            "rule_ids": list(self.rule_ids),
            "findings": self.findings,
            "redacted_text": self.redacted_text,
            "status": self.status,
            "reviewer": self.reviewer,
            "note": self.note,
            "decided": self.decided,
            "audit_seq": self.audit_seq,
        }


def _from_row(row: Any) -> Escalation:
    m = row._mapping
    return Escalation(
        id=m["id"],
        created=m["created_us"] / 1_000_000,
        agent_id=m["agent_id"],
        action_kind=m["action_kind"],
        tool=m["tool"],
        action_digest=m["action_digest"],
        policy_digest=m["policy_digest"],
        verdict=m["verdict"],
        rule_ids=tuple(r for r in m["rule_ids"].split(",") if r),
        findings=json.loads(m["findings"]),
        redacted_text=m["redacted_text"],
        status=m["status"],
        reviewer=m["reviewer"],
        note=m["note"],
        decided=m["decided_us"] / 1_000_000 if m["decided_us"] is not None else None,
        audit_seq=m["audit_seq"],
    )


def parse_escalation_id(value: int | str) -> int:
    """Ids are positive integers; accept them as typed on a command line ("7")."""
    if isinstance(value, bool):
        raise InputError(f"invalid escalation id {value!r}")
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.isdigit():
            raise InputError(f"invalid escalation id {value!r}: expected a positive integer")
        number = int(text)
    if number < 1:
        raise InputError(f"invalid escalation id {value!r}: expected a positive integer")
    return number


class EscalationQueue:
    """Escalated actions awaiting a person, stored beside the audit log it reports to."""

    def __init__(self, audit: AuditLog, *, clock: Clock = time.time) -> None:
        self.audit = audit
        self._engine = audit.engine
        self._clock = clock
        try:
            metadata.create_all(self._engine)
        except SQLAlchemyError as exc:
            raise AuditError(f"audit database {audit.location}: cannot create the escalation table ({exc})") from None
        self._reconcile()

    # -- submitting --------------------------------------------------------------------------
    def submit(self, action: Action, decision: Decision) -> int:
        """Queue an escalated action (stored redacted) and return its id."""
        return self.submit_many([(action, decision)])[0]

    def submit_many(self, entries: Sequence[tuple[Action, Decision]]) -> list[int]:
        from tractatus.governance.actions import action_text  # the text the findings' spans index

        rows = []
        now = self._now_us()
        for action, decision in entries:
            if decision.verdict != Verdict.ESCALATE:
                raise InputError(f"only escalated decisions can be queued, not {decision.verdict.label}")
            text = action_text(action)
            rows.append(
                {
                    "created_us": now,
                    "agent_id": action.agent_id,
                    "action_kind": action.kind,
                    "tool": action.tool,
                    "action_digest": decision.action_digest,
                    "policy_digest": decision.policy_digest,
                    "verdict": decision.verdict.label,
                    "rule_ids": f",{','.join(decision.rule_ids)}," if decision.rule_ids else "",
                    "findings": canonical_json(redacted_findings(text, decision.findings)),
                    "redacted_text": redact(text, decision.findings),
                    "status": PENDING,
                }
            )
        if not rows:
            return []
        try:
            with self._engine.begin() as conn:
                # One INSERT per row so every dialect hands back its id (RETURNING is not universal).
                ids = []
                for row in rows:
                    key = conn.execute(insert(escalations).values(**row)).inserted_primary_key
                    assert key is not None
                    ids.append(int(key[0]))
                return ids
        except SQLAlchemyError as exc:
            raise AuditError(f"audit database {self.audit.location}: cannot queue escalation ({exc})") from None

    # -- reading -----------------------------------------------------------------------------
    def list(self, status: str | None = PENDING, *, limit: int = 100) -> list[Escalation]:
        """Escalations with `status` (None = all), oldest first."""
        if status is not None and status not in STATUSES:
            raise InputError(f"unknown escalation status {status!r}; expected one of {', '.join(STATUSES)}")
        if limit < 1:
            raise InputError(f"limit must be positive, got {limit}")
        stmt = select(escalations).order_by(escalations.c.id).limit(limit)
        if status is not None:
            stmt = stmt.where(escalations.c.status == status)
        with self._engine.connect() as conn:
            return [_from_row(row) for row in conn.execute(stmt)]

    def get(self, escalation_id: int | str) -> Escalation:
        number = parse_escalation_id(escalation_id)
        with self._engine.connect() as conn:
            row = conn.execute(select(escalations).where(escalations.c.id == number)).first()
        if row is None:
            raise NotFoundError(f"no escalation with id {number}")
        return _from_row(row)

    def counts(self) -> dict[str, int]:
        with self._engine.connect() as conn:
            rows = conn.execute(select(escalations.c.status, func.count()).group_by(escalations.c.status)).all()
        return {status: 0 for status in STATUSES} | {status: int(n) for status, n in rows}

    # -- deciding ----------------------------------------------------------------------------
    def approve(self, escalation_id: int | str, reviewer: str, note: str = "") -> Escalation:
        return self._decide(escalation_id, APPROVED, reviewer, note)

    def deny(self, escalation_id: int | str, reviewer: str, note: str = "") -> Escalation:
        return self._decide(escalation_id, DENIED, reviewer, note)

    def _decide(self, escalation_id: int | str, status: str, reviewer: str, note: str) -> Escalation:
        number = parse_escalation_id(escalation_id)
        reviewer = (reviewer or "").strip()
        if not reviewer or len(reviewer) > 256:
            raise InputError("a reviewer name (1 to 256 characters) is required")
        if len(note) > MAX_NOTE_CHARS:
            raise InputError(f"note is longer than {MAX_NOTE_CHARS} characters")
        c = escalations.c
        with self._engine.begin() as conn:
            changed = conn.execute(
                update(escalations)
                .where(c.id == number, c.status == PENDING)
                .values(status=status, reviewer=reviewer, note=note, decided_us=self._now_us())
            ).rowcount
        if changed != 1:
            current = self.get(number)  # raises NotFoundError for an unknown id
            raise InputError(f"escalation {number} was already {current.status} by {current.reviewer}")
        return self._audit_decision(self.get(number))

    def _audit_decision(self, item: Escalation) -> Escalation:
        seq = self.audit.append_event(
            f"escalation.{item.status}",
            item.agent_id,
            {
                "escalation_id": item.id,
                "status": item.status,
                "reviewer": item.reviewer,
                "note": item.note,
                "action_digest": item.action_digest,
                "policy_digest": item.policy_digest,
                "rule_ids": list(item.rule_ids),
            },
        )
        with self._engine.begin() as conn:
            conn.execute(update(escalations).where(escalations.c.id == item.id).values(audit_seq=seq))
        return self.get(item.id)

    def _reconcile(self) -> None:
        """Audit decisions whose event was lost to a crash between the UPDATE and the append."""
        c = escalations.c
        with self._engine.connect() as conn:
            rows = conn.execute(select(escalations).where(c.status != PENDING, c.audit_seq.is_(None))).all()
        for row in rows:
            self._audit_decision(_from_row(row))

    def _now_us(self) -> int:
        return round(self._clock() * 1_000_000)
