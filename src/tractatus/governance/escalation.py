"""The human escalation queue: escalated actions wait here until a person approves or denies them.

It lives in the audit log's database, in its own table. What is stored is the action *redacted*
with the decision's findings (never its raw text), the decision's verdict, rule ids and findings,
and later the reviewer's decision.

The table is in the chain: submitting, approving and denying are audit entries
(`escalation.submitted`, `escalation.approved`, `escalation.denied`) written in the SAME
transaction as the table change (`AuditLog.append_within`), so neither exists without the other.
`cross_check` compares every row with its entries and names any that disagree: a status, reviewer
or note changed in the table alone (`update escalations set status='approved'`) is found.

A decision is taken exactly once: the status moves pending -> approved|denied in one conditional
UPDATE, so two reviewers racing on the same id cannot both win.
"""

from __future__ import annotations

import builtins  # `list` is also a method of EscalationQueue
import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
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

from tractatus.governance.actions import Action, Decision, Verdict, canonical_json, sha256_hex
from tractatus.governance.audit import AuditLog, audit_entries, event_row, redacted_findings
from tractatus.governance.errors import AuditError, InputError, IntegrityError, NotFoundError
from tractatus.governance.redact import redact_for_storage

Clock = Callable[[], float]

PENDING, APPROVED, DENIED = "pending", "approved", "denied"
STATUSES = (PENDING, APPROVED, DENIED)
MAX_NOTE_CHARS = 2000
SUBMITTED = "escalation.submitted"
EVENT_KINDS = (SUBMITTED, f"escalation.{APPROVED}", f"escalation.{DENIED}")

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
    try:
        return _parse_row(row._mapping)
    except (TypeError, ValueError, AttributeError):  # json.JSONDecodeError is a ValueError
        raise IntegrityError(
            f"escalation {row._mapping.get('id')!r} is malformed (altered); run `tractatus audit verify`"
        ) from None


def _parse_row(m: Mapping[str, Any]) -> Escalation:
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


@dataclass(frozen=True, slots=True)
class Disagreement:
    """An escalation row that its audit entries do not back."""

    escalation_id: int
    problem: str

    def __str__(self) -> str:
        return f"escalation {self.escalation_id} {self.problem}"


def _submitted_payload(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What the submission entry records of a row: every column fixed at submission, the long
    texts by digest (the redacted text is in the table; the chain needs only to pin it)."""
    return {
        "escalation_id": row["id"],
        "created_us": row["created_us"],
        "action_kind": row["action_kind"],
        "tool": row["tool"],
        "action_digest": row["action_digest"],
        "policy_digest": row["policy_digest"],
        "verdict": row["verdict"],
        "rule_ids": row["rule_ids"],
        "findings_sha256": sha256_hex(row["findings"]),
        "redacted_text_sha256": sha256_hex(row["redacted_text"]),
    }


def _decided_payload(row: Mapping[Any, Any]) -> dict[str, Any]:
    return {
        "escalation_id": row["id"],
        "status": row["status"],
        "reviewer": row["reviewer"],
        "note": row["note"],
        "decided_us": row["decided_us"],
        "action_digest": row["action_digest"],
        "policy_digest": row["policy_digest"],
        "rule_ids": [r for r in row["rule_ids"].split(",") if r],
    }


def _disagreement(
    row: Mapping[Any, Any], submitted: list[dict[str, Any]], decided: list[tuple[int, str, dict[str, Any]]]
) -> str | None:
    """Why a row disagrees with its audit entries, or None when they agree."""
    if len(submitted) != 1:
        return "has no submission entry in the audit log" if not submitted else "was submitted twice in the audit log"
    try:
        expected = _submitted_payload(row)
    except (TypeError, AttributeError):
        return "has a malformed row (altered)"
    changed = sorted(k for k, v in expected.items() if submitted[0].get(k) != v)
    if changed:
        return f"differs from its submission entry in {', '.join(changed)}"
    status = row["status"]
    if status == PENDING:
        if decided:
            seq, logged, payload = decided[0]
            return f"is pending, but audit entry {seq} records it {logged} by {payload.get('reviewer')!r}"
        return None
    if not decided:
        return f"is {status} by {row['reviewer']!r}, but the audit log records no decision (it is pending there)"
    if len(decided) > 1:
        return f"was decided {len(decided)} times in the audit log"
    seq, logged, payload = decided[0]
    if (status, row["reviewer"], row["note"], row["decided_us"]) != (
        logged, payload.get("reviewer"), payload.get("note"), payload.get("decided_us")
    ):
        return (
            f"is {status} by {row['reviewer']!r}, but audit entry {seq} records it {logged} by {payload.get('reviewer')!r}"
        )
    if row["audit_seq"] != seq:
        return f"names audit entry {row['audit_seq']}, but its decision is entry {seq}"
    return None


def _decision_is_audited(conn: Connection, row: Mapping[Any, Any]) -> bool:
    """Whether the audit entry a decided row names records this very decision."""
    if row["audit_seq"] is None:
        return False
    entry = conn.execute(
        select(audit_entries.c.kind, audit_entries.c.payload).where(audit_entries.c.seq == row["audit_seq"])
    ).first()
    if entry is None or entry.kind != f"escalation.{row['status']}":
        return False
    try:
        payload = json.loads(entry.payload)
    except ValueError:
        return False
    return bool(payload.get("escalation_id") == row["id"] and payload.get("reviewer") == row["reviewer"])


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

    # -- submitting --------------------------------------------------------------------------
    def submit(self, action: Action, decision: Decision) -> int:
        """Queue an escalated action (stored redacted) and return its id."""
        return self.submit_many([(action, decision)])[0]

    def submit_many(self, entries: Sequence[tuple[Action, Decision]]) -> list[int]:
        """Queue a batch of escalated actions in ONE transaction, each with its audit entry."""
        from tractatus.governance.actions import action_text  # the text the findings' spans index

        rows: builtins.list[dict[str, Any]] = []
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
                    "redacted_text": redact_for_storage(text, decision.findings),
                    "status": PENDING,
                }
            )
        if not rows:
            return []
        ids: list[int] = []

        def insert_rows(conn: Connection, _first_seq: int) -> list[Any]:
            events = []
            # One INSERT per row so every dialect hands back its id (RETURNING is not universal).
            for row in rows:
                key = conn.execute(insert(escalations).values(**row)).inserted_primary_key
                assert key is not None
                ids.append(int(key[0]))
                events.append(event_row(SUBMITTED, row["agent_id"], _submitted_payload({"id": ids[-1], **row})))
            return events

        try:
            self.audit.append_within(insert_rows)
        except AuditError as exc:
            raise AuditError(f"cannot queue escalation: {exc}") from None
        return list(ids)

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
        decided_us = self._now_us()

        def decide(conn: Connection, seq: int) -> list[Any]:
            changed = conn.execute(
                update(escalations)
                .where(c.id == number, c.status == PENDING)
                .values(status=status, reviewer=reviewer, note=note, decided_us=decided_us, audit_seq=seq)
            ).rowcount
            row = conn.execute(select(escalations).where(c.id == number)).first()
            if row is None:
                raise NotFoundError(f"no escalation with id {number}")
            if changed != 1:  # rolls back: nothing is written, nothing is audited
                if not _decision_is_audited(conn, row._mapping):
                    raise IntegrityError(
                        f"escalation {number} is marked {row.status} by {row.reviewer}, but the audit log does not "
                        "record that decision (altered); run `tractatus audit verify`"
                    )
                raise InputError(f"escalation {number} was already {row.status} by {row.reviewer}")
            return [event_row(f"escalation.{status}", row.agent_id, _decided_payload(row._mapping))]

        self.audit.append_within(decide)
        return self.get(number)

    # -- cross-checking with the audit log -----------------------------------------------------
    def cross_check(self, *, limit: int = 20) -> builtins.list[Disagreement]:
        """Every row against its audit entries: the first `limit` rows that disagree, by id.

        A row must have exactly one `escalation.submitted` entry recording what was queued, and,
        once decided, exactly one decision entry recording status, reviewer and note, at the seq
        the row names. An entry whose row is gone is named too.
        """
        submitted: dict[int, list[dict[str, Any]]] = {}
        decided: dict[int, list[tuple[int, str, dict[str, Any]]]] = {}
        for entry in self.audit.iter_entries(kinds=EVENT_KINDS):
            number = entry.payload.get("escalation_id")
            if not isinstance(number, int):
                continue
            if entry.kind == SUBMITTED:
                submitted.setdefault(number, []).append(entry.payload)
            else:
                decided.setdefault(number, []).append((entry.seq, entry.kind.split(".", 1)[1], entry.payload))
        found: builtins.list[Disagreement] = []
        with self._engine.connect() as conn:
            rows = conn.execute(select(escalations).order_by(escalations.c.id))
            seen: set[int] = set()
            for row in rows:
                seen.add(row.id)
                problem = _disagreement(row._mapping, submitted.get(row.id, []), decided.get(row.id, []))
                if problem is not None:
                    found.append(Disagreement(row.id, problem))
        for number in sorted((set(submitted) | set(decided)) - seen):
            found.append(Disagreement(number, "is in the audit log but its row is missing from the escalations table"))
        return sorted(found, key=lambda d: d.escalation_id)[:limit]

    def _now_us(self) -> int:
        return round(self._clock() * 1_000_000)
