"""Signed checkpoints: truncation, a wipe, a dropped table, a 0-byte file and a rolled-back head are
named instead of verifying as "ok" (issue 12, item 1)."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Decision, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.checkpoint import (
    CheckpointFile,
    CheckpointSettings,
    generate_key,
    load_signing_key,
    load_verify_key,
    public_key_path,
    sign_head,
)
from tractatus.governance.errors import ConfigError, InputError, IntegrityError
from tractatus.governance.integrity import verify_log


def pair(i: int) -> tuple[Action, Decision]:
    action = Action(text=f"message {i}", agent_id="writer")
    return action, Decision(Verdict.ALLOW, (), "p" * 64, action.digest(), 1.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "audit.key"
    generate_key(path)
    return path


@pytest.fixture
def db(tmp_path: Path, key: Path) -> Path:
    """12 entries, checkpoints signed at seq 10 (every 5 entries, batches of 2) and 12 (on close)."""
    path = tmp_path / "audit.db"
    settings = CheckpointSettings(key_path=key, every_entries=5, every_seconds=3600)
    with open_audit_log(path, checkpoints=settings) as log:
        for i in range(6):
            log.append_decisions([pair(2 * i), pair(2 * i + 1)])
    return path


def checkpoints_of(db: Path) -> CheckpointFile:
    return CheckpointFile(db.with_name(db.name + ".checkpoints.jsonl"))


def verify(db: Path, key: Path | None):
    with open_audit_log(db, anchor=False) as log:
        return verify_log(log, checkpoints_of(db), load_verify_key(public_key_path(key)) if key else None)


def test_the_log_signs_its_head_every_n_entries_and_on_close(db: Path, key: Path) -> None:
    assert [c.seq for c in checkpoints_of(db).read()] == [6, 12]
    result = verify(db, key)
    assert result.ok and result.checkpoints.latest_seq == 12 and result.checkpoints.signatures_checked


def test_the_time_bound_signs_a_quiet_log(tmp_path: Path, key: Path) -> None:
    clock = Clock()
    settings = CheckpointSettings(key_path=key, every_entries=1000, every_seconds=30)
    path = tmp_path / "audit.db"
    log = open_audit_log(path, checkpoints=settings, clock=clock)
    log.append_decisions([pair(0)])
    assert checkpoints_of(path).read() == []
    clock.now += 31
    log.append_decisions([pair(1)])
    assert [c.seq for c in checkpoints_of(path).read()] == [2]
    log.close()


def test_a_quiet_log_is_signed_by_the_timer_without_another_append(tmp_path: Path, key: Path) -> None:
    settings = CheckpointSettings(key_path=key, every_entries=1000, every_seconds=0.2)
    path = tmp_path / "audit.db"
    with open_audit_log(path, checkpoints=settings) as log:
        log.append_decisions([pair(0), pair(1)])
        deadline = time.monotonic() + 10
        while not checkpoints_of(path).read() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [c.seq for c in checkpoints_of(path).read()] == [2]
        time.sleep(0.5)  # nothing new: the timer signs nothing more
        assert len(checkpoints_of(path).read()) == 1


def sql(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.mark.parametrize(
    ("tamper", "words", "first_bad"),
    [
        (lambda db: sql(db, "DELETE FROM audit_entries WHERE seq > 9"), "entries 10..12 are missing", 10),
        (lambda db: sql(db, "DELETE FROM audit_entries"), "the log is empty but checkpoint", 1),
        (lambda db: sql(db, "DROP TABLE audit_entries"), "the log is empty but checkpoint", 1),
        (lambda db: db.write_bytes(b""), "the log is empty but checkpoint", 1),
    ],
    ids=["truncated", "wiped", "dropped", "zero-bytes"],
)
def test_truncation_wipe_drop_and_empty_file_are_named(db: Path, key: Path, tamper, words: str, first_bad: int) -> None:
    assert verify(db, key).ok
    tamper(db)
    result = verify(db, key)
    assert result.chain.ok  # what is left still chains: only the checkpoint shows the gap
    assert not result.ok and result.checkpoints.first_bad_seq == first_bad
    assert words in (result.problem() or "")


def test_a_rolled_back_head_is_named(db: Path, key: Path) -> None:
    """Delete the newest rows, then append: the chain holds, the checkpoint at seq 12 does not."""
    sql(db, "DELETE FROM audit_entries WHERE seq > 4")
    with open_audit_log(db, anchor=False) as log:
        log.append_decisions([pair(100 + i) for i in range(8)])  # seqs 5..12 again, other content
        assert log.verify().ok
    result = verify(db, key)
    assert not result.ok
    assert "entry 6 differs from the signed hash" in (result.problem() or "")
    assert "entries after seq 0" in (result.problem() or "")


def test_the_writer_refuses_to_sign_a_rewritten_history(db: Path, key: Path) -> None:
    sql(db, "DELETE FROM audit_entries WHERE seq > 4")
    settings = CheckpointSettings(key_path=key, every_entries=1, every_seconds=3600)
    # Fail closed: an append the log cannot anchor is an error, and the governor blocks on it.
    with open_audit_log(db, checkpoints=settings) as log, pytest.raises(IntegrityError, match="refusing to sign: entry 12"):
        log.append_decisions([pair(99)])
    with open_audit_log(db, anchor=False) as log, pytest.raises(IntegrityError, match="refusing to sign"):
        sign_head(log, load_signing_key(key), checkpoints_of(db))
    assert [c.seq for c in checkpoints_of(db).read()] == [6, 12]


def test_a_forged_or_altered_checkpoint_is_named(db: Path, key: Path, tmp_path: Path) -> None:
    file = checkpoints_of(db)
    lines = file.path.read_text().splitlines()
    body = json.loads(lines[1])
    body["seq"] = 11
    file.path.write_text(lines[0] + "\n" + json.dumps(body) + "\n")
    result = verify(db, key)
    assert not result.ok and "line 2: signature does not verify" in (result.problem() or "")
    other = tmp_path / "other.key"
    generate_key(other)
    with open_audit_log(db, anchor=False) as log:
        assert not verify_log(log, file, load_verify_key(other)).ok
    file.path.write_text("not json\n")
    with pytest.raises(IntegrityError, match="line 1 is not a checkpoint"):
        verify(db, key)


def test_without_a_key_the_checkpoints_still_catch_truncation(db: Path) -> None:
    sql(db, "DELETE FROM audit_entries WHERE seq > 11")
    result = verify(db, None)
    assert not result.ok and not result.checkpoints.signatures_checked and "entry 12 is missing" in (result.problem() or "")


def test_keys_and_settings_fail_with_one_line(tmp_path: Path, key: Path) -> None:
    with pytest.raises(InputError, match="refusing to replace"):
        generate_key(key)
    assert key.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ConfigError, match="not found"):
        load_signing_key(tmp_path / "missing.key")
    with pytest.raises(ConfigError, match="not an unencrypted PEM private key"):
        load_signing_key(public_key_path(key))
    assert load_verify_key(key) is not None  # the private key file verifies too
    with pytest.raises(ConfigError, match="every_entries"):
        CheckpointSettings.from_env({"TRACTATUS_AUDIT_CHECKPOINT_EVERY": "0"})
    env = CheckpointSettings.from_env({"TRACTATUS_AUDIT_KEY": str(key), "TRACTATUS_AUDIT_CHECKPOINT_SECONDS": "5"})
    assert env.key_path == key and env.every_seconds == 5.0 and env.every_entries == 10_000


def test_a_non_integer_time_is_a_named_broken_entry_not_an_internal_error(db: Path) -> None:
    sql(db, "UPDATE audit_entries SET time_us='1.5' WHERE seq=3")
    result = verify(db, None)
    assert not result.chain.ok and result.chain.first_broken_seq == 3
    with open_audit_log(db, anchor=False) as log, pytest.raises(IntegrityError, match="entry 3 is malformed"):
        log.tail(12)
