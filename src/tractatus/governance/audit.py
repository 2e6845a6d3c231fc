"""The tamper-evident audit log: every decision, hash-chained, durable before it is returned.

Each entry stores what was decided about an action, never the action's raw text: the action's
digest, the verdict, the findings (their evidence and messages with every flagged span masked),
the policy digest, the time and the agent. Entries form a plain hash chain:

    hash = sha256(prev_hash || canonical_entry([seq, time_us, agent_id, kind, action_digest,
                                                verdict, rule_ids, findings, payload, policy_digest]))

Appending costs the same at entry 10 and entry 10,000,000: the writer reads the head row by its
primary key and hashes only the new entries. There is no Merkle tree to rebuild (the Microsoft
toolkit's Merkle log stalls for 860 ms at 65,537 entries). `verify()` streams the table once and
names the first entry whose hash or link does not hold.

Writes are group-committed: concurrent callers queue their batches, one of them (the leader)
writes everything queued in one transaction and one fsync, and each caller returns only once
its own entries are committed. See `audit_store` for the durability argument.

What a plain chain cannot show on its own: truncation of the newest entries, a wiped or dropped
table, a rolled-back head. Signed checkpoints of the head, kept apart from the log, show them
(`checkpoint`: the log signs every N entries or T seconds when given a key), and
`integrity.verify_log` checks the chain against them and the escalations table against the chain.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _json_string
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from tractatus.governance.actions import Action, Decision, Finding, Verdict, canonical_json, sha256_hex
from tractatus.governance.audit_store import WRITE_OPTION, describe, is_sqlite, open_engine, resolve_location
from tractatus.governance.errors import AuditError, InputError, IntegrityError, NotFoundError, TractatusError

if TYPE_CHECKING:
    from tractatus.governance.checkpoint import AutoCheckpointer, CheckpointSettings

Clock = Callable[[], float]
_log = logging.getLogger("tractatus.audit")

GENESIS_HASH = "0" * 64
# verify() uses every core from this many entries on (below it, process start-up costs more).
PARALLEL_VERIFY_MIN = 200_000
DECISION_KIND = "decision"
# Advisory lock key PostgreSQL writers serialize on ("tractatu" in ASCII, as a 63-bit integer).
_PG_LOCK_KEY = 0x7472616374617475 >> 1

_VERDICT_LABELS = {verdict: verdict.label for verdict in Verdict}  # .label costs 3 us per call here

metadata = MetaData()
audit_entries = Table(
    "audit_entries",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("time_us", BigInteger, nullable=False),  # injected clock, integer microseconds
    Column("agent_id", String(256), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("action_digest", String(64)),
    Column("verdict", String(16)),
    # ",rule.a,rule.b," so that a rule can be found with LIKE '%,rule.a,%' without a join table
    # (a second table would double the rows written per decision).
    Column("rule_ids", Text, nullable=False),
    Column("findings", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("policy_digest", String(64)),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_entries_agent", audit_entries.c.agent_id)
Index("ix_audit_entries_verdict", audit_entries.c.verdict)
Index("ix_audit_entries_time", audit_entries.c.time_us)

_Row = tuple[Any, ...]  # (agent_id, kind, action_digest, verdict, rule_ids, findings, payload, policy_digest)

_CHAIN_COLUMNS = (
    audit_entries.c.seq,
    audit_entries.c.time_us,
    audit_entries.c.agent_id,
    audit_entries.c.kind,
    audit_entries.c.action_digest,
    audit_entries.c.verdict,
    audit_entries.c.rule_ids,
    audit_entries.c.findings,
    audit_entries.c.payload,
    audit_entries.c.policy_digest,
    audit_entries.c.prev_hash,
    audit_entries.c.hash,
)


def canonical_entry(fields: Sequence[Any]) -> str:
    """The entry's canonical form, in the fixed column order of `_CHAIN_COLUMNS[:10]`.

    Hand-written rather than `canonical_json` because verify() runs it a million times and JSON
    re-escapes the stored findings text on every call (5x slower on the benchmark machine).
    Every text field is length-prefixed and a nullable one is "-" when NULL, so no field's
    content can imitate a field boundary: distinct entries have distinct canonical forms.
    Time is integer microseconds: repr() of a float alone costs 1.5 us here.
    """
    seq, at, agent, kind, action_digest, verdict, rule_ids, findings, payload, policy_digest = fields
    return (
        f"{seq:d};{at:d};{len(agent)}:{agent};{len(kind)}:{kind};"
        f"{'-' if action_digest is None else action_digest};{'-' if verdict is None else verdict};"
        f"{len(rule_ids)}:{rule_ids};{len(findings)}:{findings};{len(payload)}:{payload};"
        f"{'-' if policy_digest is None else policy_digest}"
    )


def entry_hash(prev_hash: str, fields: Sequence[Any]) -> str:
    """The chain link: sha256 of the previous hash followed by the entry's canonical form."""
    return sha256_hex(prev_hash + canonical_entry(fields))


# -- what gets stored -------------------------------------------------------------------------


def _mask_raw_values(value: str | None, raw_values: Mapping[str, str]) -> str | None:
    if not value or not raw_values:
        return value
    for raw, placeholder in raw_values.items():
        if raw in value:
            value = value.replace(raw, placeholder)
    return value


def redacted_findings(action_text: str, findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Findings as stored: evidence and message with the raw text of every flagged span masked.

    Detectors already put redacted evidence in their findings; this is the second line of
    defence, so that a detector that forgets cannot leak personal data into the stored record.
    Spans index `action_text` (the text the checks saw), the same way `redact` uses them.
    """
    findings = tuple(findings)
    raw_values: dict[str, str] = {}
    for f in findings:
        if f.span is not None and f.span.end > f.span.start:
            raw = action_text[f.span.start : f.span.end]
            # Very short spans ("!!") would mask ordinary words in messages; they are not PII.
            if len(raw.strip()) >= 3:
                raw_values.setdefault(raw, f"[{f.category.upper()}]")
    out = []
    for f in findings:
        item = f.to_dict()
        item["evidence"] = _mask_raw_values(f.evidence, raw_values)
        item["message"] = _mask_raw_values(f.message, raw_values)
        out.append(item)
    return out


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditEntry:
    seq: int
    time: float
    agent_id: str
    kind: str
    action_digest: str | None
    verdict: str | None
    rule_ids: tuple[str, ...]
    findings: list[dict[str, Any]]
    payload: dict[str, Any]
    policy_digest: str | None
    prev_hash: str
    hash: str

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> AuditEntry:
        try:
            return cls._from_row(row)
        except (TypeError, ValueError, AttributeError):  # json.JSONDecodeError is a ValueError
            raise IntegrityError(f"audit entry {row[0]!r} is malformed (altered); run `tractatus audit verify`") from None

    @classmethod
    def _from_row(cls, row: Sequence[Any]) -> AuditEntry:
        (seq, at, agent_id, kind, action_digest, verdict, rule_ids, findings, payload, policy_digest, prev, digest) = row
        if type(at) is not int:
            raise TypeError("time is not an integer")
        return cls(
            seq=seq,
            time=at / 1_000_000,
            agent_id=agent_id,
            kind=kind,
            action_digest=action_digest,
            verdict=verdict,
            rule_ids=tuple(r for r in rule_ids.split(",") if r),
            findings=json.loads(findings),
            payload=json.loads(payload),
            policy_digest=policy_digest,
            prev_hash=prev,
            hash=digest,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "agent_id": self.agent_id,
            "kind": self.kind,
            "action_digest": self.action_digest,
            "verdict": self.verdict,
            "rule_ids": list(self.rule_ids),
            "findings": self.findings,
            "payload": self.payload,
            "policy_digest": self.policy_digest,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    ok: bool
    entries_checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_hash: str | None = None  # anchor this elsewhere to detect truncation of the newest entries
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries_checked": self.entries_checked,
            "first_broken_seq": self.first_broken_seq,
            "reason": self.reason,
            "head_hash": self.head_hash,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class AuditStats:
    entries: int
    by_kind: dict[str, int]
    by_verdict: dict[str, int]
    by_rule: dict[str, int]
    by_agent: dict[str, int]
    first_time: float | None
    last_time: float | None
    head_seq: int
    head_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "by_kind": self.by_kind,
            "by_verdict": self.by_verdict,
            "by_rule": self.by_rule,
            "by_agent": self.by_agent,
            "first_time": self.first_time,
            "last_time": self.last_time,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
        }


# -- group commit -----------------------------------------------------------------------------


# Runs inside the transaction that appends a batch, before its entries are hashed, and is given
# the seq its first entry will get: it may write to other tables of the same database and returns
# the rows to append. What it writes commits or rolls back with the entries, so a table row and
# the audit entry that records it cannot exist one without the other.
WithinTransaction = Callable[[Connection, int], list["_Row"]]


@dataclass(slots=True)
class _Pending:
    """One caller's batch waiting for the leader: rows without seq/time/hash yet."""

    rows: list[_Row]
    within: WithinTransaction | None = None
    seqs: list[int] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass(slots=True)
class _Head:
    seq: int = 0
    hash: str = GENESIS_HASH


@dataclass(slots=True)
class _Writer:
    """Leader election for group commit: whoever finds no write in progress writes for everyone."""

    cond: threading.Condition = field(default_factory=threading.Condition)
    pending: list[_Pending] = field(default_factory=list)
    writing: bool = False


class AuditLog:
    """A hash-chained, group-committed audit log on SQLite (default) or PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        *,
        location: str = "",
        clock: Clock = time.time,
        checkpointer: AutoCheckpointer | None = None,
    ) -> None:
        self.engine = engine
        self.location = location or describe(str(engine.url))
        self._clock = clock
        # Signs the head every N entries or T seconds (see `checkpoint`); None: nobody anchors it.
        self.checkpointer = checkpointer
        self._stop_anchoring = threading.Event()
        self._writer = _Writer()
        self._closed = False
        names = ", ".join(c.name for c in _CHAIN_COLUMNS)
        self._sqlite_insert = f"INSERT INTO audit_entries ({names}) VALUES ({', '.join('?' * len(_CHAIN_COLUMNS))})"
        try:
            metadata.create_all(engine)
            self._conn = engine.connect().execution_options(**{WRITE_OPTION: True})
            with self._conn.begin():
                self._head = self._read_head(self._conn)
        except SQLAlchemyError as exc:
            raise AuditError(f"audit database {self.location}: cannot open ({_reason(exc)})") from None
        if checkpointer is not None:
            # The T-seconds bound must hold while the log is quiet too, not only on the next append.
            threading.Thread(target=self._anchor_periodically, name="tractatus-audit-anchor", daemon=True).start()

    def _anchor_periodically(self) -> None:
        assert self.checkpointer is not None
        while not self._stop_anchoring.wait(self.checkpointer.settings.every_seconds):
            w = self._writer
            with w.cond:
                while w.writing:
                    w.cond.wait()
                if self._closed:
                    return
                w.writing = True  # hold the writer's place: a checkpoint never races an append
            try:
                self.checkpointer.after_append(self)
            except Exception as exc:  # the next append fails closed on the same refusal
                _log.error("audit checkpoint failed: %s", exc)
            finally:
                with w.cond:
                    w.writing = False
                    w.cond.notify_all()

    # -- appending ---------------------------------------------------------------------------
    def append_decisions(self, entries: Sequence[tuple[Action, Decision]]) -> list[int]:
        """Append decisions; returns their sequence numbers once they are committed to disk."""
        from tractatus.governance.actions import action_text  # the text the checks' spans index

        rows: list[_Row] = []
        for action, decision in entries:
            rule_ids = decision.rule_ids
            findings = (
                canonical_json(redacted_findings(action_text(action), decision.findings)) if decision.findings else "[]"
            )
            rows.append(
                (
                    action.agent_id,
                    DECISION_KIND,
                    decision.action_digest,
                    _VERDICT_LABELS[decision.verdict],
                    f",{','.join(rule_ids)}," if rule_ids else "",
                    findings,
                    _decision_payload(action, decision),
                    decision.policy_digest,
                )
            )
        return self._append(rows)

    def append_event(self, kind: str, agent_id: str, payload: Mapping[str, Any]) -> int:
        """Append a non-decision event (escalation approved, reward overridden, drift alert...)."""
        return self._append([event_row(kind, agent_id, payload)])[0]

    def append_within(self, within: WithinTransaction) -> list[int]:
        """Append the rows `within(conn, first_seq)` returns, in the transaction it ran in.

        For records kept in another table that must not change without the chain knowing
        (escalations): the table write and its audit entries commit together or not at all.
        An error `within` raises rolls back both and reaches the caller as it is. Such a batch
        is committed on its own, never grouped with other callers' entries.
        """
        return self._append([], within)

    def _append(self, rows: list[_Row], within: WithinTransaction | None = None) -> list[int]:
        if not rows and within is None:
            return []
        mine = _Pending(rows, within)
        w = self._writer
        with w.cond:
            if self._closed:
                raise AuditError(f"audit log {self.location} is closed")
            w.pending.append(mine)
            while w.writing and not mine.done:
                w.cond.wait()
            if not mine.done:
                # Leader: take everything queued so far (our batch included) and write it.
                w.writing = True
                batch, w.pending = w.pending, []
            else:
                batch = []
        if batch:
            try:
                self._write(batch)
            finally:
                with w.cond:
                    w.writing = False
                    w.cond.notify_all()
        if isinstance(mine.error, TractatusError):
            raise mine.error  # the caller's own refusal (e.g. an escalation decided already)
        if mine.error is not None or mine.seqs is None:
            reason = _reason(mine.error) if mine.error is not None else "interrupted"
            raise AuditError(f"audit database {self.location}: append failed ({reason})") from None
        return mine.seqs

    def _write(self, batch: list[_Pending]) -> None:
        """Write the plain batches in one transaction, each `within` batch in one of its own.

        Sequence numbers are handed to callers only after COMMIT returned: a caller never sees
        a seq that is not durable. A due checkpoint is signed once the entries are committed.
        """
        plain = [p for p in batch if p.within is None]
        groups = ([plain] if plain else []) + [[p] for p in batch if p.within is not None]
        try:
            for group in groups:
                self._commit(group)
            if self.checkpointer is not None and any(p.error is None for p in batch):
                self.checkpointer.after_append(self)
        except Exception as exc:  # a checkpoint refused: the log no longer matches its anchor
            for pending in batch:
                pending.error = pending.error or exc
        finally:
            for pending in batch:
                pending.done = True

    def _commit(self, group: list[_Pending]) -> None:
        conn = self._conn
        assigned: list[list[int]] = []
        try:
            with conn.begin():
                if not is_sqlite(self.engine):
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
                # One primary-key lookup, O(log n): another process may have appended since our
                # last write. The table itself is never re-read.
                head = self._read_head(conn)
                seq, prev = head.seq, head.hash
                now = round(self._clock() * 1_000_000)
                out: list[tuple[Any, ...]] = []
                for pending in group:
                    if pending.within is not None:
                        pending.rows = pending.within(conn, seq + 1)
                    seqs = []
                    for row in pending.rows:
                        seq += 1
                        fields = (seq, now, *row)
                        digest = entry_hash(prev, fields)
                        out.append((*fields, prev, digest))
                        prev = digest
                        seqs.append(seq)
                    assigned.append(seqs)
                if out:
                    self._insert(conn, out)
            self._head = _Head(seq, prev)
            for pending, seqs in zip(group, assigned, strict=True):
                pending.seqs = seqs
        except Exception as exc:
            for pending in group:
                pending.error = exc
            try:
                conn.rollback()
            except SQLAlchemyError:
                pass

    def _insert(self, conn: Connection, rows: list[tuple[Any, ...]]) -> None:
        if is_sqlite(self.engine):
            # Positional executemany straight to the driver: Core's per-row dict processing
            # cost a third of the append budget on the benchmark machine.
            conn.exec_driver_sql(self._sqlite_insert, rows)
        else:
            names = [c.name for c in _CHAIN_COLUMNS]
            conn.execute(insert(audit_entries), [dict(zip(names, r, strict=True)) for r in rows])

    @staticmethod
    def _read_head(conn: Connection) -> _Head:
        row = conn.execute(
            select(audit_entries.c.seq, audit_entries.c.hash).order_by(audit_entries.c.seq.desc()).limit(1)
        ).first()
        return _Head(row[0], row[1]) if row is not None else _Head()

    # -- reading -----------------------------------------------------------------------------
    @property
    def head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry this process wrote or saw on open."""
        return self._head.seq, self._head.hash

    def stored_head(self) -> tuple[int, str]:
        """(seq, hash) of the newest entry in the database now, whoever wrote it."""
        with self._reader() as conn:
            head = self._read_head(conn)
        return head.seq, head.hash

    def hashes_at(self, seqs: Iterable[int]) -> dict[int, str]:
        """The stored hash of each of these entries that exists (checkpoint checks)."""
        wanted = sorted(set(seqs))
        found: dict[int, str] = {}
        with self._reader() as conn:
            for i in range(0, len(wanted), 500):
                part = wanted[i : i + 500]
                rows = conn.execute(
                    select(audit_entries.c.seq, audit_entries.c.hash).where(audit_entries.c.seq.in_(part))
                ).all()
                found.update({int(seq): digest for seq, digest in rows})
        return found

    def verify(
        self,
        *,
        workers: int | None = None,
        on_progress: Callable[[int], None] | None = None,
        chunk: int = 20_000,
    ) -> VerifyReport:
        """Walk the chain and name the first entry that does not hold.

        Each entry's hash depends only on its own row (it stores prev_hash), so the content
        checks split into seq ranges verified by worker processes in parallel; the links
        between ranges are checked here. `workers` defaults to the CPU count for logs above
        `PARALLEL_VERIFY_MIN` entries (1,000,000 entries need 2 cores to stay under 10 s on
        the benchmark machine) and to 1 otherwise.
        """
        started = time.perf_counter()
        try:
            with self._reader() as conn:
                total, max_seq = conn.execute(select(func.count(), func.max(audit_entries.c.seq))).one()
        except SQLAlchemyError as exc:
            raise AuditError(f"audit database {self.location}: cannot read ({_reason(exc)})") from None
        if workers is None:
            workers = (os.cpu_count() or 1) if total >= PARALLEL_VERIFY_MIN else 1
        workers = max(1, min(workers, total // 1000 or 1))
        url = self.engine.url.render_as_string(hide_password=False)
        if workers == 1:
            parts = [_verify_range(url, None, None, chunk, on_progress, self.engine)]
        else:
            step = -(-int(max_seq) // workers)
            bounds = [(None if i == 0 else i * step, None if i == workers - 1 else (i + 1) * step) for i in range(workers)]
            parts = _verify_in_processes(url, bounds, chunk, on_progress)
        return _combine(parts, time.perf_counter() - started)

    def count(self) -> int:
        with self._reader() as conn:
            return int(conn.execute(select(func.count()).select_from(audit_entries)).scalar_one())

    def tail(self, n: int = 10) -> list[AuditEntry]:
        """The newest `n` entries, oldest first."""
        if n < 0:
            raise InputError(f"tail needs a non-negative count, got {n}")
        with self._reader() as conn:
            rows = conn.execute(select(*_CHAIN_COLUMNS).order_by(audit_entries.c.seq.desc()).limit(n)).all()
        return [AuditEntry.from_row(r) for r in reversed(rows)]

    def get(self, seq: int) -> AuditEntry | None:
        with self._reader() as conn:
            row = conn.execute(select(*_CHAIN_COLUMNS).where(audit_entries.c.seq == seq)).first()
        return AuditEntry.from_row(row) if row is not None else None

    def query(
        self,
        *,
        agent: str | None = None,
        verdict: str | None = None,
        rule_id: str | None = None,
        kind: str | None = None,
        since: float | None = None,
        until: float | None = None,
        before_seq: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries matching every filter given, newest first (page with `before_seq`)."""
        if limit < 1 or limit > 10_000:
            raise InputError(f"limit must be between 1 and 10000, got {limit}")
        c = audit_entries.c
        stmt = select(*_CHAIN_COLUMNS)
        if agent is not None:
            stmt = stmt.where(c.agent_id == agent)
        if verdict is not None:
            stmt = stmt.where(c.verdict == verdict.lower())
        if rule_id is not None:
            if "," in rule_id:
                raise InputError(f"invalid rule id {rule_id!r}")
            stmt = stmt.where(c.rule_ids.contains(f",{rule_id},", autoescape=True))
        if kind is not None:
            stmt = stmt.where(c.kind == kind)
        if since is not None:
            stmt = stmt.where(c.time_us >= round(since * 1_000_000))
        if until is not None:
            stmt = stmt.where(c.time_us <= round(until * 1_000_000))
        if before_seq is not None:
            stmt = stmt.where(c.seq < before_seq)
        with self._reader() as conn:
            rows = conn.execute(stmt.order_by(c.seq.desc()).limit(limit)).all()
        return [AuditEntry.from_row(r) for r in rows]

    def stats(self) -> AuditStats:
        c = audit_entries.c
        with self._reader() as conn:
            total, first, last = conn.execute(select(func.count(), func.min(c.time_us), func.max(c.time_us))).one()
            by_kind: dict[str, int] = dict(conn.execute(select(c.kind, func.count()).group_by(c.kind)).all())
            by_verdict: dict[str, int] = dict(
                conn.execute(select(c.verdict, func.count()).where(c.verdict.is_not(None)).group_by(c.verdict)).all()
            )
            by_agent: dict[str, int] = dict(conn.execute(select(c.agent_id, func.count()).group_by(c.agent_id)).all())
            by_rule: dict[str, int] = {}
            # The distinct rule-id sets are few even when entries are many; split them here.
            for rule_ids, n in conn.execute(
                select(c.rule_ids, func.count()).where(c.rule_ids != "").group_by(c.rule_ids)
            ).all():
                for rule in rule_ids.strip(",").split(","):
                    by_rule[rule] = by_rule.get(rule, 0) + n
            head = self._read_head(conn)
        return AuditStats(
            entries=int(total),
            by_kind=by_kind,
            by_verdict=by_verdict,
            by_rule=dict(sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
            by_agent=by_agent,
            first_time=_stored_seconds(first),
            last_time=_stored_seconds(last),
            head_seq=head.seq,
            head_hash=head.hash,
        )

    def iter_entries(self, *, chunk: int = 5_000, kinds: Sequence[str] | None = None) -> Iterator[AuditEntry]:
        """Every entry (of these kinds), oldest first, streamed (exports, cross-checks)."""
        stmt = select(*_CHAIN_COLUMNS).order_by(audit_entries.c.seq)
        if kinds is not None:
            stmt = stmt.where(audit_entries.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(stmt)
            for row in result:
                yield AuditEntry.from_row(row)

    def _reader(self) -> Connection:
        if self._closed:
            raise AuditError(f"audit log {self.location} is closed")
        try:
            return self.engine.connect()
        except SQLAlchemyError as exc:
            raise AuditError(f"audit database {self.location}: cannot read ({_reason(exc)})") from None

    # -- lifecycle ---------------------------------------------------------------------------
    def close(self) -> None:
        self._stop_anchoring.set()
        with self._writer.cond:
            while self._writer.writing:
                self._writer.cond.wait()
            if self._closed:
                return
            if self.checkpointer is not None:
                self.checkpointer.on_close(self)  # anchor the newest entries before leaving
            self._closed = True
        self._conn.close()
        self.engine.dispose()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AuditLog({self.location!r}, head_seq={self._head.seq})"


def event_row(kind: str, agent_id: str, payload: Mapping[str, Any]) -> _Row:
    """The stored form of a non-decision event, for `append_event` and `append_within` callers."""
    if not kind or kind == DECISION_KIND or len(kind) > 64:
        raise InputError(f"invalid audit event kind {kind!r}")
    try:
        body = canonical_json(dict(payload))
    except (TypeError, ValueError) as exc:
        raise InputError(f"audit event payload is not JSON-serializable: {exc}") from None
    return (agent_id, kind, None, None, "", "[]", body, None)


def _decision_payload(action: Action, decision: Decision) -> str:
    """The decision's payload JSON, built by hand: json.dumps of this small dict cost 5 us per
    decision on the benchmark machine, a tenth of the append budget. Keys are in sorted order
    and strings JSON-escaped, so it equals canonical_json of the same dict."""
    tool = "null" if action.tool is None else _json_string(action.tool)
    escalation = "null" if decision.escalation_id is None else _json_string(str(decision.escalation_id))
    modified = "false" if decision.modified_text is None else "true"
    model = "null" if decision.model_digest is None else _json_string(decision.model_digest)
    return (
        f'{{"action_kind":{_json_string(action.kind)},"escalation_id":{escalation},'
        f'"latency_us":{int(decision.latency_us)},"model_digest":{model},"modified":{modified},"tool":{tool}}}'
    )


def _stored_seconds(time_us: Any) -> float | None:
    """A stored time in seconds; a value no writer stores means the table was edited by hand."""
    if time_us is None:
        return None
    if type(time_us) is not int:
        raise IntegrityError(f"audit log holds a non-integer time {time_us!r} (altered); run `tractatus audit verify`")
    return time_us / 1_000_000


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0] if str(exc) else type(exc).__name__


@dataclass(frozen=True, slots=True)
class _RangeResult:
    """What one worker found in a seq range (lo, hi]: the hashes at its ends and its first problem."""

    lo: int | None
    checked: int
    first_prev: str | None  # the stored prev_hash of the range's first row (linked by _combine)
    last_hash: str | None
    problem_seq: int | None = None
    problem: str | None = None
    error: str | None = None


def _verify_range(
    url: str,
    lo: int | None,
    hi: int | None,
    chunk: int,
    on_progress: Callable[[int], None] | None = None,
    engine: Engine | None = None,
) -> _RangeResult:
    """Verify entries with lo < seq <= hi (None = unbounded): contiguous seqs, links, hashes."""
    own_engine = engine is None
    if engine is None:
        engine = create_engine(url)
    c = audit_entries.c
    stmt = select(*_CHAIN_COLUMNS).order_by(c.seq)
    if lo is not None:
        stmt = stmt.where(c.seq > lo)
    if hi is not None:
        stmt = stmt.where(c.seq <= hi)
    expected = (lo or 0) + 1
    first_prev: str | None = None
    prev: str | None = None
    checked = 0
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(stmt)
            for rows in result.partitions():
                for row in rows:
                    seq = row[0]
                    if type(seq) is not int:
                        return _RangeResult(lo, checked, first_prev, prev, expected, f"entry after seq {expected - 1} has a non-integer seq (entry altered)")
                    if seq != expected:
                        missing = f"expected seq {expected}, found {seq}"
                        return _RangeResult(lo, checked, first_prev, prev, min(seq, expected), f"{missing} (entries missing or out of order)")
                    if prev is None:
                        first_prev = prev = row[10]
                    elif row[10] != prev:
                        return _RangeResult(lo, checked, first_prev, prev, seq, "prev_hash does not match the previous entry's hash")
                    try:
                        digest = entry_hash(row[10], row[:10])
                    except (TypeError, ValueError):
                        # A time or seq that is not an integer, a NULL text: no writer stores that.
                        digest = None
                    if digest != row[11]:
                        return _RangeResult(lo, checked, first_prev, prev, seq, "hash does not match the entry's content (entry altered)")
                    prev = row[11]
                    expected += 1
                    checked += 1
                if on_progress is not None:
                    on_progress(checked)
    except SQLAlchemyError as exc:
        return _RangeResult(lo, checked, first_prev, prev, error=_reason(exc))
    finally:
        if own_engine:
            engine.dispose()
    if hi is not None and expected != hi + 1:
        # The range ended early: the rows up to hi are missing (the next range starts after hi).
        return _RangeResult(lo, checked, first_prev, prev, expected, f"expected seq {expected}, found none (entries missing)")
    return _RangeResult(lo, checked, first_prev, prev)


def _verify_in_processes(
    url: str, bounds: Sequence[tuple[int | None, int | None]], chunk: int, on_progress: Callable[[int], None] | None
) -> list[_RangeResult]:
    """Run `_verify_range` for each range in a fresh interpreter, all at once.

    Plain subprocesses rather than multiprocessing: spawn re-imports the caller's __main__
    (breaking scripts without a main guard) and fork is unsafe in a threaded process. The URL
    goes over stdin so that a database password never shows in the process list.
    """
    code = "from tractatus.governance.audit import _verify_worker_main; _verify_worker_main()"
    procs = []
    for lo, hi in bounds:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps({"url": url, "lo": lo, "hi": hi, "chunk": chunk}).encode())
        proc.stdin.close()
        procs.append(proc)
    parts = []
    for proc in procs:
        assert proc.stdout is not None and proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()  # a worker writes one short line to each at most
        proc.wait()
        if proc.returncode != 0:
            last = (err.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise AuditError(f"audit verify worker failed: {last}")
        parts.append(_RangeResult(**json.loads(out)))
        if on_progress is not None:
            on_progress(sum(p.checked for p in parts))
    return parts


def _verify_worker_main() -> None:
    args = json.loads(sys.stdin.read())
    result = _verify_range(args["url"], args["lo"], args["hi"], args["chunk"])
    sys.stdout.write(json.dumps({name: getattr(result, name) for name in _RangeResult.__slots__}))


def _combine(parts: Sequence[_RangeResult], seconds: float) -> VerifyReport:
    """Link the ranges in order and report the first problem of the whole chain."""
    prev, checked = GENESIS_HASH, 0
    for part in parts:
        if part.error is not None:
            raise AuditError(f"audit database: cannot read ({part.error})")
        if part.first_prev is not None and part.first_prev != prev:
            first_seq = (part.lo or 0) + 1
            reason = "prev_hash does not match the previous entry's hash"
            return VerifyReport(False, checked, first_seq, reason, prev, seconds)
        if part.problem_seq is not None:
            return VerifyReport(False, checked + part.checked, part.problem_seq, part.problem, part.last_hash or prev, seconds)
        checked += part.checked
        prev = part.last_hash or prev
    return VerifyReport(True, checked, None, None, prev, seconds)


def open_audit_log(
    location: str | Path | None = None,
    *,
    clock: Clock = time.time,
    must_exist: bool = False,
    synchronous: str = "FULL",
    checkpoints: CheckpointSettings | None = None,
    anchor: bool = True,
) -> AuditLog:
    """Open (creating if needed) the audit log at a path or SQLAlchemy URL.

    None means $TRACTATUS_AUDIT_DB, else `.tractatus/audit.db` under the working directory.
    An unreachable or unwritable location raises AuditError naming it (password hidden).
    `must_exist` (for commands that only read) refuses a SQLite file that is not there yet,
    rather than creating an empty log and reporting on it.
    With a key in `checkpoints` (default: from the environment, see `checkpoint`) the log signs
    its head by itself; `anchor=False` (commands that only read) never signs.
    """
    from tractatus.governance.checkpoint import (
        AutoCheckpointer,
        CheckpointFile,
        CheckpointSettings,
        checkpoints_path,
    )

    resolved = resolve_location(location)
    if must_exist and isinstance(resolved, Path) and not resolved.exists():
        raise NotFoundError(f"no audit log at {resolved}")
    settings = checkpoints if checkpoints is not None else CheckpointSettings.from_env()
    checkpointer = None
    if anchor and settings.key_path is not None:
        path = checkpoints_path(resolved, settings.path)
        checkpointer = AutoCheckpointer(settings, CheckpointFile(path), clock=clock)
    engine = open_engine(resolved, synchronous=synchronous)
    return AuditLog(engine, location=describe(resolved), clock=clock, checkpointer=checkpointer)
