"""The audit log and escalation queue on PostgreSQL (skipped unless a server URL is given).

Set TRACTATUS_TEST_PG_URL (or DATABASE_URL) to e.g. postgresql+psycopg://user@127.0.0.1:5432/db.
Each test works in a fresh schema that it drops afterwards; nothing else in the database is touched.
"""

from __future__ import annotations

import os
import threading
import uuid
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from tractatus.governance.actions import Action, Decision, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.errors import InputError
from tractatus.governance.escalation import EscalationQueue

BASE_URL = os.environ.get("TRACTATUS_TEST_PG_URL") or os.environ.get("DATABASE_URL")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not BASE_URL, reason="set TRACTATUS_TEST_PG_URL or DATABASE_URL to a PostgreSQL server"),
]


@pytest.fixture
def pg_url():
    assert BASE_URL is not None
    schema = f"tractatus_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(BASE_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in BASE_URL else "?"
    yield f"{BASE_URL}{separator}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def pair(i: int, verdict: Verdict = Verdict.ALLOW) -> tuple[Action, Decision]:
    action = Action(text=f"message {i}", agent_id=f"agent-{i % 3}")
    return action, Decision(verdict, (), "p" * 64, action.digest(), 1.0)


def test_append_verify_and_tamper(pg_url: str) -> None:
    with open_audit_log(pg_url) as log:
        assert log.append_decisions([pair(i) for i in range(50)]) == list(range(1, 51))
        assert log.verify().ok and log.verify(workers=2).entries_checked == 50
        with log.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entries SET agent_id = 'x' WHERE seq = 17"))
        report = log.verify()
        assert (report.ok, report.first_broken_seq) == (False, 17)


def test_threads_and_two_writers_keep_one_chain(pg_url: str) -> None:
    with open_audit_log(pg_url) as first, open_audit_log(pg_url) as second:
        def work(log, offset):  # type: ignore[no-untyped-def]
            for i in range(30):
                log.append_decisions([pair(offset + i)])

        threads = [threading.Thread(target=work, args=(log, k * 100)) for k, log in enumerate([first, second] * 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert first.count() == 120
        assert first.verify().ok
        assert first.stats().by_verdict == {"allow": 120}


def test_escalation_queue_on_postgres(pg_url: str) -> None:
    with open_audit_log(pg_url) as log:
        queue = EscalationQueue(log)
        action, decision = pair(1, Verdict.ESCALATE)
        eid = queue.submit(action, decision)
        assert queue.approve(eid, "alice").status == "approved"
        with pytest.raises(InputError):
            queue.deny(eid, "bob")
        assert log.tail(1)[0].kind == "escalation.approved"
        assert log.verify().ok


def test_checkpoints_and_escalation_cross_check_on_postgres(pg_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The same anchors as on SQLite: truncation, a wipe, a dropped table and a forged decision are named."""
    from tractatus.governance.checkpoint import (
        CheckpointFile,
        CheckpointSettings,
        generate_key,
        load_verify_key,
    )
    from tractatus.governance.integrity import verify_log

    key = tmp_path / "audit.key"
    generate_key(key)
    file = CheckpointFile(tmp_path / "checkpoints.jsonl")
    settings = CheckpointSettings(key_path=key, path=file.path, every_entries=10)
    with open_audit_log(pg_url, checkpoints=settings) as log:
        queue = EscalationQueue(log)
        queue.submit_many([pair(i, Verdict.ESCALATE) for i in range(2)])
        log.append_decisions([pair(i) for i in range(20)])
        queue.approve(1, "alice")
    public = load_verify_key(key)

    def check(sql: str | None) -> str | None:
        if sql is not None:  # the attacker's write, before anyone opens the log again
            engine = create_engine(pg_url)
            with engine.begin() as conn:
                conn.execute(text(sql))
            engine.dispose()
        with open_audit_log(pg_url, anchor=False) as log:
            return verify_log(log, file, public).problem()

    assert [c.seq for c in file.read()][-1] == 23 and check(None) is None
    problem = check("UPDATE escalations SET status='approved', reviewer='attacker' WHERE id=2")
    assert problem is not None and "escalation 2 is approved by 'attacker'" in problem
    problem = check("DELETE FROM audit_entries WHERE seq > 20")
    assert problem is not None and "entries 21..23 are missing" in problem
    problem = check("DELETE FROM audit_entries")
    assert problem is not None and "the log is empty" in problem
    problem = check("DROP TABLE audit_entries")
    assert problem is not None and "the log is empty" in problem
