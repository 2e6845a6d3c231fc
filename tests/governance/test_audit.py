"""The audit log: chain, tamper evidence, redaction, durability under SIGKILL, group commit."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Decision, Finding, Severity, Span, Verdict
from tractatus.governance.audit import GENESIS_HASH, AuditLog, open_audit_log
from tractatus.governance.errors import AuditError, InputError, NotFoundError

EMAIL = "john.doe@example.com"


def ticking_clock(start: float = 1_700_000_000.0, step: float = 0.5):
    counter = itertools.count()
    return lambda: start + step * next(counter)


def pii_pair(i: int = 0, agent: str = "agent-1") -> tuple[Action, Decision]:
    action = Action(text=f"Contact me at {EMAIL} about order {i}", agent_id=agent)
    start = action.text.index(EMAIL)
    finding = Finding(
        source="pii",
        source_kind="detector",
        category="email",
        severity=Severity.HIGH,
        rule_id="pii.email",
        # A careless detector: raw value in message and evidence. The log must still not keep it.
        message=f"email address {EMAIL} found",
        span=Span(start, start + len(EMAIL)),
        evidence=EMAIL,
        verdict=Verdict.BLOCK,
    )
    return action, Decision(Verdict.BLOCK, (finding,), "p" * 64, action.digest(), 42.0)


def allow_pair(i: int = 0, agent: str = "agent-2") -> tuple[Action, Decision]:
    action = Action(text=f"The quarterly report {i} is attached.", agent_id=agent)
    return action, Decision(Verdict.ALLOW, (), "p" * 64, action.digest(), 7.0)


@pytest.fixture
def log(tmp_path: Path):
    with open_audit_log(tmp_path / "audit.db", clock=ticking_clock()) as opened:
        yield opened


def test_append_returns_contiguous_seqs_and_the_chain_verifies(log: AuditLog) -> None:
    assert log.append_decisions([pii_pair(0), allow_pair(1)]) == [1, 2]
    assert log.append_event("drift.alert", "agent-1", {"metric": "sensational_share", "value": 0.4}) == 3
    assert log.append_decisions([allow_pair(i) for i in range(3)]) == [4, 5, 6]
    report = log.verify()
    assert report.ok and report.entries_checked == 6 and report.first_broken_seq is None
    entries = log.tail(6)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5, 6]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(entries))
    assert report.head_hash == entries[-1].hash == log.head[1]


def test_entry_holds_digests_decision_and_injected_time(log: AuditLog) -> None:
    action, decision = pii_pair(7)
    log.append_decisions([(action, decision)])
    entry = log.tail(1)[0]
    assert entry.action_digest == action.digest()
    assert entry.verdict == "block" and entry.rule_ids == ("pii.email",)
    assert entry.policy_digest == "p" * 64 and entry.agent_id == "agent-1" and entry.kind == "decision"
    assert entry.time == 1_700_000_000.0  # the injected clock's first tick, to the microsecond
    assert entry.payload["action_kind"] == "message"
    assert entry.findings[0]["category"] == "email" and entry.findings[0]["span"] == {"start": 14, "end": 34}


def test_pii_is_never_stored_raw(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([pii_pair(i) for i in range(5)])
        entry = log.tail(1)[0]
    assert entry.findings[0]["evidence"] == "[EMAIL]"
    assert entry.findings[0]["message"] == "email address [EMAIL] found"
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("audit.db"))
    assert EMAIL.encode() not in raw
    assert b"Contact me at" not in raw  # nor the action text around it


def test_clean_findings_are_kept_as_they_are(log: AuditLog) -> None:
    action = Action(text="You WON'T BELIEVE this!!!", agent_id="a")
    finding = Finding("clickbait", "detector", "curiosity_gap", Severity.MEDIUM, "clickbait.curiosity_gap",
                      "curiosity gap", Span(4, 18), "WON'T BELIEVE", Verdict.BLOCK)
    log.append_decisions([(action, Decision(Verdict.BLOCK, (finding,), "p" * 64, action.digest(), 1.0))])
    stored = log.tail(1)[0].findings[0]
    assert stored["message"] == "curiosity gap"
    assert stored["detector"] == "clickbait" and stored["rule_id"] == "clickbait.curiosity_gap"


def _tamper(path: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(sql, params)


def test_an_altered_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([allow_pair(i) for i in range(20)])
    _tamper(path, "UPDATE audit_entries SET verdict = 'block' WHERE seq = 13")
    with open_audit_log(path) as log:
        report = log.verify()
    assert not report.ok
    assert report.first_broken_seq == 13 and report.entries_checked == 12
    assert "altered" in (report.reason or "")


def test_a_rehashed_row_breaks_the_next_link(tmp_path: Path) -> None:
    """Recomputing the altered row's hash does not help: the next entry's prev_hash names it."""
    from tractatus.governance.audit import entry_hash

    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([allow_pair(i) for i in range(10)])
    with sqlite3.connect(path) as conn:
        row = conn.execute(
            "SELECT seq, time_us, agent_id, kind, action_digest, verdict, rule_ids, findings, payload, policy_digest,"
            " prev_hash FROM audit_entries WHERE seq = 4"
        ).fetchone()
        fields = list(row[:10])
        fields[2] = "someone-else"
        conn.execute("UPDATE audit_entries SET agent_id = ?, hash = ? WHERE seq = 4",
                     ("someone-else", entry_hash(row[10], fields)))
    with open_audit_log(path) as log:
        report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 5)
    assert "prev_hash" in (report.reason or "")


def test_a_deleted_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([allow_pair(i) for i in range(10)])
    _tamper(path, "DELETE FROM audit_entries WHERE seq = 6")
    with open_audit_log(path) as log:
        report = log.verify()
    assert (report.ok, report.first_broken_seq) == (False, 6)
    assert "missing" in (report.reason or "")


def test_parallel_verify_names_the_same_entry_as_serial(tmp_path: Path) -> None:
    """Worker processes verify seq ranges; a break inside a range or at a range boundary is
    named exactly as the one-process walk names it."""
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([allow_pair(i) for i in range(2000)])
        clean = log.verify(workers=2)
        assert clean.ok and clean.entries_checked == 2000
    cases = {
        "altered in the first range": ("UPDATE audit_entries SET findings = '[]', rule_ids = ',x,' WHERE seq = 700", 700),
        "altered in the second range": ("UPDATE audit_entries SET verdict = 'block' WHERE seq = 1999", 1999),
        "first row of the second range gone": ("DELETE FROM audit_entries WHERE seq = 1001", 1001),
    }
    for name, (sql, broken) in cases.items():
        copy = tmp_path / f"{broken}.db"
        shutil.copy(path, copy)
        _tamper(copy, sql)
        with open_audit_log(copy) as log:
            serial, parallel = log.verify(workers=1), log.verify(workers=2)
        assert serial.first_broken_seq == parallel.first_broken_seq == broken, name
        assert serial.entries_checked == parallel.entries_checked == broken - 1, name


def test_reopening_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        log.append_decisions([allow_pair(i) for i in range(3)])
        head = log.head
    with open_audit_log(path) as log:
        assert log.head == head
        assert log.append_decisions([allow_pair(9)]) == [4]
        assert log.verify().ok


def test_two_writers_on_one_file_keep_one_chain(tmp_path: Path) -> None:
    """Another process (here: another AuditLog) appending between our writes is picked up."""
    path = tmp_path / "audit.db"
    with open_audit_log(path) as first, open_audit_log(path) as second:
        for i in range(5):
            first.append_decisions([allow_pair(i)])
            second.append_decisions([pii_pair(i)])
        assert first.count() == 10
        assert first.verify().ok


def test_concurrent_threads_are_group_committed_into_one_valid_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    results: list[list[int]] = []
    errors: list[BaseException] = []
    with open_audit_log(path) as log:
        commits = 0
        original = log._insert

        def counting_insert(conn, rows):  # type: ignore[no-untyped-def]
            nonlocal commits
            commits += 1
            original(conn, rows)

        log._insert = counting_insert  # type: ignore[method-assign]

        def worker(n: int) -> None:
            try:
                for i in range(40):
                    results.append(log.append_decisions([allow_pair(i, agent=f"t{n}")]))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        seqs = sorted(s for batch in results for s in batch)
        assert seqs == list(range(1, 321))
        assert log.verify().ok
        assert log.stats().by_agent == {f"t{n}": 40 for n in range(8)}
        # Group commit: callers that queued while a write was in flight shared its transaction.
        assert commits < 320


def test_sigkill_mid_append_keeps_every_returned_decision(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    script = textwrap.dedent(
        f"""
        import sys
        from tractatus.governance.actions import Action, Decision, Verdict
        from tractatus.governance.audit import open_audit_log
        log = open_audit_log({str(path)!r})
        i = 0
        while True:
            batch = []
            for _ in range(25):
                a = Action(text=f"message {{i}}", agent_id="child")
                batch.append((a, Decision(Verdict.ALLOW, (), "p" * 64, a.digest(), 1.0)))
                i += 1
            for seq in log.append_decisions(batch):
                print(seq, flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    printed: list[int] = []
    for line in proc.stdout:
        printed.append(int(line))
        if len(printed) >= 2000:
            break
    os.kill(proc.pid, signal.SIGKILL)
    rest, _ = proc.communicate(timeout=30)
    printed.extend(int(x) for x in rest.split())
    assert proc.returncode == -signal.SIGKILL
    with open_audit_log(path) as log:
        report = log.verify()
        assert report.ok, report
        stored = {e.seq for e in log.query(agent="child", limit=10_000)}
        assert set(printed) <= stored
        assert report.entries_checked >= len(printed)
        # The restarted log appends after whatever the killed writer committed.
        assert log.append_decisions([allow_pair()]) == [report.entries_checked + 1]


def test_query_tail_and_stats(log: AuditLog) -> None:
    log.append_decisions([pii_pair(i, agent="a") for i in range(3)])
    log.append_decisions([allow_pair(i, agent="b") for i in range(4)])
    log.append_event("escalation.approved", "a", {"escalation_id": 1})
    assert [e.seq for e in log.query(agent="a")] == [8, 3, 2, 1]
    assert [e.seq for e in log.query(verdict="block")] == [3, 2, 1]
    assert [e.seq for e in log.query(rule_id="pii.email", limit=2)] == [3, 2]
    assert [e.seq for e in log.query(rule_id="pii")] == []  # whole rule ids only
    assert [e.seq for e in log.query(kind="escalation.approved")] == [8]
    assert [e.seq for e in log.query(before_seq=3)] == [2, 1]
    # The ticking clock gives each batch one time: 1.7e9, +0.5, +1.0
    assert [e.seq for e in log.query(since=1_700_000_000.5, until=1_700_000_000.5)] == [7, 6, 5, 4]
    assert [e.seq for e in log.tail(2)] == [7, 8]
    stats = log.stats()
    assert stats.entries == 8
    assert stats.by_verdict == {"block": 3, "allow": 4}
    assert stats.by_rule == {"pii.email": 3}
    assert stats.by_agent == {"a": 4, "b": 4}
    assert stats.by_kind == {"decision": 7, "escalation.approved": 1}
    assert (stats.first_time, stats.last_time) == (1_700_000_000.0, 1_700_000_001.0)
    assert log.get(8) is not None and log.get(99) is None


def test_bad_arguments_are_input_errors(log: AuditLog) -> None:
    with pytest.raises(InputError):
        log.append_event("decision", "a", {})
    with pytest.raises(InputError):
        log.append_event("x", "a", {1: "mixed", "key": "types"})  # cannot be canonical JSON
    with pytest.raises(InputError):
        log.query(limit=0)
    with pytest.raises(InputError):
        log.tail(-1)


def test_location_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRACTATUS_AUDIT_DB", raising=False)
    with open_audit_log() as log:
        log.append_decisions([allow_pair()])
    assert (tmp_path / ".tractatus" / "audit.db").is_file()
    monkeypatch.setenv("TRACTATUS_AUDIT_DB", str(tmp_path / "from-env" / "log.db"))
    with open_audit_log() as log:
        log.append_decisions([allow_pair()])
    assert (tmp_path / "from-env" / "log.db").is_file()
    with open_audit_log(f"sqlite:///{tmp_path / 'by-url.db'}") as log:
        assert log.append_decisions([allow_pair()]) == [1]


def test_unusable_locations_fail_with_one_line_naming_them(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(AuditError, match="a-file"):
        open_audit_log(blocker / "audit.db")
    with pytest.raises(AuditError, match="is a directory"):
        open_audit_log(tmp_path)
    with pytest.raises(AuditError) as caught:
        open_audit_log("postgresql+psycopg://auditor:s3cret-pw@127.0.0.1:1/audit?connect_timeout=2")
    message = str(caught.value)
    assert "s3cret-pw" not in message and "127.0.0.1" in message and "\n" not in message
    with pytest.raises(NotFoundError):
        open_audit_log(tmp_path / "missing.db", must_exist=True)


def test_a_closed_log_refuses_appends(tmp_path: Path) -> None:
    log = open_audit_log(tmp_path / "audit.db")
    log.close()
    with pytest.raises(AuditError, match="closed"):
        log.append_decisions([allow_pair()])
