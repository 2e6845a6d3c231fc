"""Escalations are in the chain: submit, approve and deny are audit entries, and the table is
cross-checked against them (the issue's `update escalations set status='approved'` forgery)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Decision, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.checkpoint import CheckpointFile
from tractatus.governance.errors import InputError, IntegrityError
from tractatus.governance.escalation import EscalationQueue
from tractatus.governance.integrity import verify_log


def escalated(i: int) -> tuple[Action, Decision]:
    action = Action(text=f"escalated message {i}", agent_id=f"agent-{i}")
    return action, Decision(Verdict.ESCALATE, (), "p" * 64, action.digest(), 1.0)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        queue = EscalationQueue(log)
        queue.submit_many([escalated(i) for i in range(3)])
        queue.approve(1, "alice", "fine")
        queue.deny(2, "bob")
    return path


def report(path: Path):
    with open_audit_log(path, anchor=False) as log:
        return verify_log(log, CheckpointFile(path.with_name("none.jsonl")), None)


def test_submit_approve_and_deny_are_entries_and_the_table_agrees(db: Path) -> None:
    with open_audit_log(db) as log:
        kinds = [e.kind for e in log.tail(10)]
        queue = EscalationQueue(log)
        assert queue.cross_check() == []
    assert kinds == ["escalation.submitted"] * 3 + ["escalation.approved", "escalation.denied"]
    assert report(db).ok


@pytest.mark.parametrize(
    ("sql", "named_id", "words"),
    [
        ("UPDATE escalations SET status='approved', reviewer='attacker' WHERE id=3", 3, "records no decision"),
        ("UPDATE escalations SET reviewer='attacker' WHERE id=1", 1, "records it approved by 'alice'"),
        ("UPDATE escalations SET status='approved' WHERE id=2", 2, "records it denied"),
        ("UPDATE escalations SET status='pending', reviewer=NULL WHERE id=1", 1, "is pending, but audit entry"),
        ("UPDATE escalations SET redacted_text='harmless' WHERE id=3", 3, "redacted_text_sha256"),
        ("UPDATE escalations SET rule_ids=',nothing,' WHERE id=3", 3, "rule_ids"),
        ("DELETE FROM escalations WHERE id=2", 2, "row is missing"),
        (
            "INSERT INTO escalations (created_us, agent_id, action_kind, action_digest, policy_digest, verdict, rule_ids,"
            " findings, redacted_text, status) VALUES (1, 'x', 'message', 'd', 'p', 'escalate', '', '[]', 't', 'pending')",
            4,
            "no submission entry",
        ),
    ],
)
def test_a_row_changed_in_the_table_alone_is_named(db: Path, sql: str, named_id: int, words: str) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute(sql)
    result = report(db)
    assert not result.ok and result.chain.ok
    assert result.escalations[0].escalation_id == named_id
    problem = result.problem()
    assert problem is not None and f"escalation {named_id} " in problem and words in problem


def test_deciding_a_forged_approval_names_the_forgery_instead_of_crediting_it(db: Path) -> None:
    """Before: `escalations deny` answered "already approved by attacker"."""
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE escalations SET status='approved', reviewer='attacker' WHERE id=3")
    with open_audit_log(db) as log:
        queue = EscalationQueue(log)
        with pytest.raises(IntegrityError, match="marked approved by attacker, but the audit log does not record"):
            queue.deny(3, "carol")
        with pytest.raises(InputError, match="already approved by alice"):  # a real decision still stands
            queue.deny(1, "carol")
    assert "escalation 3 is approved by 'attacker'" in (report(db).problem() or "")


def test_a_failed_decision_writes_nothing(db: Path) -> None:
    with open_audit_log(db) as log:
        before = log.count()
        with pytest.raises(InputError):
            EscalationQueue(log).approve(1, "mallory")
        assert log.count() == before
    assert report(db).ok
