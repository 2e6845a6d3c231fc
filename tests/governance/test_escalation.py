"""The escalation queue: stored redacted, decided once, every decision audited."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import event

from tractatus.governance.actions import Action, Decision, Finding, Severity, Span, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.errors import InputError, NotFoundError
from tractatus.governance.escalation import EscalationQueue
from tractatus.governance.governor import Governor
from tractatus.governance.policy import parse_policy

PHONE = "+1 415 555 0134"


def escalated(agent: str = "agent-7") -> tuple[Action, Decision]:
    action = Action(text=f"Call the customer at {PHONE} and promise zero risk", agent_id=agent)
    start = action.text.index(PHONE)
    findings = (
        Finding("pii", "detector", "phone", Severity.HIGH, "pii.phone", "phone number", Span(start, start + len(PHONE)),
                "[PHONE]", Verdict.BLOCK),
        Finding("boundary_enforcer", "service", "absolute_assurance", Severity.HIGH, "boundary.absolute_assurance",
                "absolute assurance needs a person", Span(action.text.index("zero risk"), len(action.text)), "zero risk",
                Verdict.ESCALATE),
    )
    return action, Decision(Verdict.ESCALATE, findings, "p" * 64, action.digest(), 10.0)


@pytest.fixture
def setup(tmp_path: Path):
    log = open_audit_log(tmp_path / "audit.db")
    yield log, EscalationQueue(log)
    log.close()


def test_submitted_actions_are_stored_redacted_and_pending(setup, tmp_path: Path) -> None:
    log, queue = setup
    first = queue.submit(*escalated())
    second = queue.submit(*escalated("agent-8"))
    assert (first, second) == (1, 2)
    items = queue.list()
    assert [i.id for i in items] == [1, 2] and all(i.status == "pending" for i in items)
    item = queue.get("1")
    assert item.redacted_text == "Call the customer at [PHONE] and promise [ABSOLUTE_ASSURANCE]"
    assert item.rule_ids == ("pii.phone", "boundary.absolute_assurance")
    assert item.agent_id == "agent-7" and item.verdict == "escalate"
    log.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("audit.db"))
    assert PHONE.encode() not in raw


def test_approval_and_denial_are_audited_events(setup) -> None:
    log, queue = setup
    a, b = queue.submit(*escalated()), queue.submit(*escalated())
    approved = queue.approve(a, "alice", "customer asked for a call")
    denied = queue.deny(str(b), "bob")
    assert (approved.status, approved.reviewer, approved.note) == ("approved", "alice", "customer asked for a call")
    assert (denied.status, denied.reviewer) == ("denied", "bob")
    assert queue.list() == []
    assert [i.id for i in queue.list("approved")] == [a]
    assert [i.id for i in queue.list(None)] == [a, b]
    assert queue.counts() == {"pending": 0, "approved": 1, "denied": 1}
    events = {e.kind: e for e in log.tail(10)}
    assert events["escalation.approved"].payload["reviewer"] == "alice"
    assert events["escalation.approved"].payload["escalation_id"] == a
    assert events["escalation.denied"].seq == denied.audit_seq
    assert log.verify().ok


def test_deciding_twice_or_an_unknown_id_fails(setup) -> None:
    _, queue = setup
    eid = queue.submit(*escalated())
    queue.approve(eid, "alice")
    with pytest.raises(InputError, match="already approved by alice"):
        queue.approve(eid, "carol")
    with pytest.raises(InputError, match="already approved"):
        queue.deny(eid, "carol")
    with pytest.raises(NotFoundError):
        queue.approve(999, "alice")
    with pytest.raises(InputError):
        queue.get("abc")
    with pytest.raises(InputError):
        queue.get(0)
    with pytest.raises(InputError):
        queue.approve(eid, "   ")
    with pytest.raises(InputError):
        queue.list("maybe")


def test_only_escalations_are_queued(setup) -> None:
    _, queue = setup
    action = Action(text="hello")
    with pytest.raises(InputError):
        queue.submit(action, Decision(Verdict.BLOCK, (), "p" * 64, action.digest(), 1.0))


def test_racing_reviewers_one_wins(setup) -> None:
    log, queue = setup
    eid = queue.submit(*escalated())
    outcomes: list[str] = []

    def review(name: str) -> None:
        try:
            queue.approve(eid, name)
            outcomes.append("won")
        except InputError:
            outcomes.append("lost")

    threads = [threading.Thread(target=review, args=(f"r{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["lost"] * 5 + ["won"]
    assert [e.kind for e in log.tail(10)].count("escalation.approved") == 1


def test_a_status_changed_in_the_table_alone_is_not_legitimised_on_reopen(tmp_path: Path) -> None:
    """The old queue 'reconciled' a decided row without an audit entry by appending one: a forged
    approval got its audit entry for free. Decisions are now atomic with their entry, so such a row
    can only be forged, and it stays unaudited and named by cross_check."""
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        eid = EscalationQueue(log).submit(*escalated())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE escalations SET status='approved', reviewer='attacker', decided_us=1 WHERE id=?", (eid,))
    with open_audit_log(path) as log:
        queue = EscalationQueue(log)
        assert queue.get(eid).audit_seq is None
        assert [e.kind for e in log.tail(10)].count("escalation.approved") == 0
        problems = queue.cross_check()
    assert [p.escalation_id for p in problems] == [eid]
    assert "approved by 'attacker'" in str(problems[0]) and "records no decision" in str(problems[0])


def shell_escalating_policy():  # type: ignore[no-untyped-def]
    return parse_policy(
        "version: 1\nname: esc\nlimits: {max_text_bytes: 1000, check_timeout_ms: 100, cache_entries: 0}\n"
        "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}\n"
        "tools: {unknown: block, known: {shell.exec: escalate, search: allow}}\n",
        registry={},
    )


def test_the_governor_queues_escalations_and_audits_their_ids(tmp_path: Path) -> None:
    policy = shell_escalating_policy()
    with open_audit_log(tmp_path / "audit.db") as log:
        queue = EscalationQueue(log)
        with Governor(policy, audit=log, escalations=queue, registry={}) as governor:
            shell = Action(kind="tool_call", tool="shell.exec", arguments={"command": "ls /srv"}, agent_id="ops")
            search = Action(kind="tool_call", tool="search", arguments={"q": "weather"}, agent_id="ops")
            d_shell, d_search = governor.decide_batch([shell, search])
        assert d_shell.verdict == Verdict.ESCALATE and d_shell.escalation_id is not None
        assert d_search.verdict == Verdict.ALLOW and d_search.escalation_id is None
        queued = queue.get(d_shell.escalation_id)
        assert queued.action_digest == shell.digest() and queued.tool == "shell.exec"
        entry = log.get(d_shell.audit_seq)
        assert entry is not None and entry.payload["escalation_id"] == str(queued.id)


def test_a_batch_of_escalations_is_one_transaction(tmp_path: Path) -> None:
    """One BEGIN for a batch's escalations (was one fsynced transaction per escalation)."""
    with open_audit_log(tmp_path / "audit.db") as log:
        queue = EscalationQueue(log)
        begins: list[int] = []
        event.listen(log.engine, "begin", lambda conn: begins.append(1))
        with Governor(shell_escalating_policy(), audit=log, escalations=queue, registry={}) as governor:
            actions = [Action(kind="tool_call", tool="shell.exec", arguments={"n": i}, agent_id="ops") for i in range(5)]
            decisions = governor.decide_batch(actions)
        assert [d.escalation_id for d in decisions] == ["1", "2", "3", "4", "5"]
        # one transaction for the five escalations (with their entries), one for the decisions
        assert len(begins) == 2
        assert queue.cross_check() == []
