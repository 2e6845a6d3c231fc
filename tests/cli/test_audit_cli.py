"""`tractatus audit ...` and `tractatus escalations ...` through the root app and its error mapping."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tractatus.cli.errors import EXIT_CODES, run_cli
from tractatus.cli.main import app
from tractatus.governance.actions import Action, Decision, Finding, Severity, Span, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.errors import InputError, IntegrityError, NotFoundError
from tractatus.governance.escalation import EscalationQueue


def invoke(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tractatus", *args])
    code = run_cli(app)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    with open_audit_log(path) as log:
        queue = EscalationQueue(log)
        for i in range(5):
            action = Action(text=f"ordinary message {i}", agent_id="writer")
            log.append_decisions([(action, Decision(Verdict.ALLOW, (), "p" * 64, action.digest(), 3.0))])
        action = Action(text="Email jane@example.org now", agent_id="mailer")
        finding = Finding("pii", "detector", "email", Severity.HIGH, "pii.email", "email", Span(6, 22), "[EMAIL]",
                          Verdict.ESCALATE)
        decision = Decision(Verdict.ESCALATE, (finding,), "p" * 64, action.digest(), 3.0)
        queue.submit(action, decision)
        log.append_decisions([(action, decision)])
    return path


def test_verify_ok_in_both_forms(db: Path, monkeypatch, capsys) -> None:
    code, out, _ = invoke(["audit", "verify", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == 0 and "7 entries verified" in out and "not anchored" in out
    code, out, _ = invoke(["audit", "verify", "--audit-db", str(db), "--json"], monkeypatch, capsys)
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["entries_checked"] == 7


def test_verify_names_the_first_broken_entry(db: Path, monkeypatch, capsys) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_entries SET verdict='allow' WHERE seq=6")
    monkeypatch.setenv("TRACTATUS_AUDIT_DB", str(db))  # the environment variable works like --audit-db
    code, out, err = invoke(["audit", "verify", "--json"], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError]
    assert json.loads(out)["first_broken_seq"] == 6
    assert err.strip().count("\n") == 0 and "entry 6" in err and "Traceback" not in err


def test_tail_and_stats(db: Path, monkeypatch, capsys) -> None:
    code, out, _ = invoke(["audit", "tail", "-n", "2", "--json", "--audit-db", str(db)], monkeypatch, capsys)
    entries = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [e["seq"] for e in entries] == [6, 7]
    assert entries[1]["verdict"] == "escalate" and entries[1]["rule_ids"] == ["pii.email"]
    code, out, _ = invoke(["audit", "tail", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == 0 and "mailer" in out and "pii.email" in out
    code, out, _ = invoke(["audit", "stats", "--json", "--audit-db", str(db)], monkeypatch, capsys)
    stats = json.loads(out)
    assert stats["entries"] == 7 and stats["by_verdict"] == {"allow": 5, "escalate": 1}
    assert stats["by_agent"] == {"writer": 5, "mailer": 2}  # the submission entry is the second
    code, out, _ = invoke(["audit", "stats", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == 0 and "7 entries" in out and "by verdict" in out


def test_escalations_list_approve_deny(db: Path, monkeypatch, capsys) -> None:
    base = ["--audit-db", str(db)]
    code, out, _ = invoke(["escalations", "list", "--json", *base], monkeypatch, capsys)
    items = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [i["id"] for i in items] == [1]
    assert items[0]["redacted_text"] == "Email [EMAIL] now"
    code, out, _ = invoke(["escalations", "list", *base], monkeypatch, capsys)
    assert code == 0 and "[EMAIL]" in out and "jane" not in out
    code, out, _ = invoke(["escalations", "approve", "1", "--reviewer", "alice", "--note", "ok", *base], monkeypatch, capsys)
    assert code == 0 and "approved escalation 1 by alice" in out
    code, out, err = invoke(["escalations", "deny", "1", "--reviewer", "bob", *base], monkeypatch, capsys)
    assert code == EXIT_CODES[InputError] and "already approved by alice" in err and out == ""
    code, _, err = invoke(["escalations", "approve", "42", "--reviewer", "bob", *base], monkeypatch, capsys)
    assert code == EXIT_CODES[NotFoundError] and "no escalation with id 42" in err
    code, _, err = invoke(["escalations", "approve", "x1", "--reviewer", "bob", *base], monkeypatch, capsys)
    assert code == EXIT_CODES[InputError] and "invalid escalation id" in err
    code, out, _ = invoke(["escalations", "list", *base], monkeypatch, capsys)
    assert code == 0 and "no pending escalations" in out
    code, out, _ = invoke(["audit", "tail", "-n", "1", "--json", *base], monkeypatch, capsys)
    event = json.loads(out)
    assert event["kind"] == "escalation.approved" and event["payload"]["reviewer"] == "alice"


def test_bad_input_is_one_line_and_non_zero(db: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = invoke(["audit", "tail", "--audit-db", str(tmp_path / "nope.db")], monkeypatch, capsys)
    assert code == EXIT_CODES[NotFoundError] and err.startswith("error: no audit log at")
    code, _, err = invoke(["audit", "tail", "-n", "0", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[InputError] and err.count("\n") == 1
    code, _, err = invoke(["escalations", "list", "--status", "maybe", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[InputError] and "unknown escalation status" in err
    code, _, err = invoke(["audit", "stats", "--audit-db", "postgresql+psycopg://u:hunter2@127.0.0.1:1/x"], monkeypatch, capsys)
    assert code != 0 and "hunter2" not in err and err.count("\n") == 1


def test_the_installed_entry_point_exits_non_zero_on_a_broken_chain(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM audit_entries WHERE seq=3")
    result = subprocess.run(
        [sys.executable, "-m", "tractatus.cli", "audit", "verify", "--audit-db", str(db)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == EXIT_CODES[IntegrityError]
    assert result.stderr.startswith("error: audit chain broken at entry 3") and "Traceback" not in result.stderr


def test_keygen_checkpoint_and_verify_catch_a_wiped_log(db: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    key = tmp_path / "secret" / "audit.key"
    base = ["--audit-db", str(db)]
    code, out, _ = invoke(["audit", "keygen", str(key)], monkeypatch, capsys)
    assert code == 0 and key.exists() and Path(f"{key}.pub").exists()
    code, out, _ = invoke(["audit", "checkpoint", "--key", str(key), *base], monkeypatch, capsys)
    assert code == 0 and out.startswith("checkpoint seq 7 head ")
    assert Path(f"{db}.checkpoints.jsonl").read_text().count("\n") == 1
    code, out, _ = invoke(["audit", "verify", "--key", f"{key}.pub", *base], monkeypatch, capsys)
    assert code == 0 and "1 checkpoints hold up to seq 7, signatures verified" in out
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM audit_entries")
    code, out, err = invoke(["audit", "verify", "--key", f"{key}.pub", *base], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError] and out == ""
    assert "the log is empty but checkpoint line 1" in err and "entries 1..7 are missing" in err and err.count("\n") == 1
    # without --key the checkpoint still catches it; the signing command needs a key
    code, _, err = invoke(["audit", "verify", "--json", *base], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError]
    code, _, err = invoke(["audit", "checkpoint", *base], monkeypatch, capsys)
    assert code == 2 and "a signing key is needed" in err
    code, _, err = invoke(["audit", "keygen", str(key)], monkeypatch, capsys)
    assert code == 2 and "refusing to replace" in err


def test_a_forged_escalation_decision_fails_verify(db: Path, monkeypatch, capsys) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE escalations SET status='approved', reviewer='attacker'")
    code, _, err = invoke(["audit", "verify", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError]
    assert "escalation 1 is approved by 'attacker', but the audit log records no decision" in err


def test_verify_on_a_row_with_a_non_integer_time_names_it(db: Path, monkeypatch, capsys) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE audit_entries SET time_us='soon' WHERE seq=2")
    code, _, err = invoke(["audit", "verify", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError] and "audit chain broken at entry 2" in err and "internal" not in err
    code, _, err = invoke(["audit", "tail", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError] and "entry 2 is malformed" in err
    code, _, err = invoke(["audit", "stats", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError] and "non-integer time 'soon'" in err
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE escalations SET created_us='soon'")
    code, _, err = invoke(["escalations", "list", "--audit-db", str(db)], monkeypatch, capsys)
    assert code == EXIT_CODES[IntegrityError] and "escalation 1 is malformed" in err
