"""An action with nothing to decide on is an input error (exit 2, one line), never an allowed decision."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TRACTATUS = [sys.executable, "-m", "tractatus.cli"]


def run(args: list[str], tmp_path: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {"TRACTATUS_AUDIT_DB": str(tmp_path / "audit.db"), "PATH": "/usr/bin:/bin"}
    if "PYTHONPATH" in os.environ:  # a worktree's sources first, as the developer ran pytest
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([*TRACTATUS, *args], input=stdin, capture_output=True, env=env, cwd=tmp_path, timeout=120)


def assert_refused(result: subprocess.CompletedProcess[bytes], phrase: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode == 2, stderr
    assert result.stdout == b""
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert phrase in stderr


@pytest.mark.parametrize(
    ("argument", "phrase"),
    [
        ("  \t ", "the text is empty"),
        ('{"kind": "message"}', '"text" is empty'),
        ('{"kind": "tool_call"}', 'needs "tool"'),
    ],
)
def test_empty_argument_is_refused(tmp_path: Path, argument: str, phrase: str) -> None:
    assert_refused(run(["check", argument], tmp_path), phrase)
    assert not (tmp_path / "audit.db").exists() or b"allow" not in (tmp_path / "audit.db").read_bytes()


def test_empty_stdin_is_refused(tmp_path: Path) -> None:
    assert_refused(run(["check", "-"], tmp_path, stdin=b""), "stdin: nothing to check")


def test_an_empty_jsonl_action_is_refused_with_its_line(tmp_path: Path) -> None:
    result = run(["check", "--jsonl", "-"], tmp_path, stdin=b'{"text": "fine"}\n{"text": ""}\n')
    assert result.returncode == 2
    assert 'stdin: line 2: "text" is empty' in result.stderr.decode()


def test_a_tool_call_needs_no_text(tmp_path: Path) -> None:
    result = run(["check", "--json", '{"kind": "tool_call", "tool": "search", "arguments": {"q": "weather"}}'], tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert b'"verdict": "allow"' in result.stdout
