"""`tractatus check`: input forms, JSON contract and one-line errors, through the real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

TRACTATUS = [sys.executable, "-m", "tractatus.cli"]


def run(args: list[str], tmp_path: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {"TRACTATUS_AUDIT_DB": str(tmp_path / "audit.db"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([*TRACTATUS, *args], input=stdin, capture_output=True, env=env, cwd=tmp_path, timeout=120)


def decisions(result: subprocess.CompletedProcess[bytes]) -> list[dict]:
    assert result.returncode == 0, result.stderr.decode()
    return [json.loads(line) for line in result.stdout.decode().splitlines()]


def test_done_criteria_examples(tmp_path: Path) -> None:
    email = decisions(run(["check", "--json", "Contact me at john.doe@example.com"], tmp_path))[0]
    clickbait = decisions(run(["check", "--json", "You WON'T BELIEVE what happened next!!!"], tmp_path))[0]
    report = decisions(run(["check", "--json", "The quarterly report is attached."], tmp_path))[0]
    assert email["verdict"] not in ("allow", "warn")
    assert clickbait["verdict"] not in ("allow", "warn")
    assert report["verdict"] == "allow"
    for finding in email["findings"] + clickbait["findings"]:
        assert {"category", "severity", "rule_id"} <= finding.keys()
        assert "detector" in finding or "service" in finding or "source" in finding


def test_jsonl_keeps_input_order_and_defaults_kind(tmp_path: Path) -> None:
    lines = [{"text": "The quarterly report is attached."}, {"text": "mail me: jane@example.org"}, {"text": "Meeting at 3pm."}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    out = decisions(run(["check", "--json", "--jsonl", str(path)], tmp_path))
    assert [d["verdict"] == "allow" for d in out] == [True, False, True]


def test_stdin_text_and_json_action(tmp_path: Path) -> None:
    text = decisions(run(["check", "--json"], tmp_path, stdin=b"The quarterly report is attached."))[0]
    assert text["verdict"] == "allow"
    action = json.dumps({"kind": "tool_call", "tool": "no_such_tool", "arguments": {}}).encode()
    tool = decisions(run(["check", "--json", "-"], tmp_path, stdin=action))[0]
    assert tool["verdict"] == "block"


def test_decisions_are_audited(tmp_path: Path) -> None:
    decisions(run(["check", "--json", "hello"], tmp_path))
    out = decisions(run(["check", "--json", "hello again"], tmp_path))
    assert out[0]["audit_seq"] is not None and out[0]["audit_seq"] >= 2


@pytest.mark.parametrize(
    ("setup", "args", "expected"),
    [
        (lambda p: None, ["check", "--jsonl", "missing.jsonl"], "missing.jsonl: cannot read"),
        (lambda p: (p / "bad.jsonl").write_text('{"text": "ok"}\n{not json}\n'), ["check", "--jsonl", "bad.jsonl"], "line 2: invalid JSON"),
        (lambda p: (p / "utf.jsonl").write_bytes(b'{"text": "\xff"}\n'), ["check", "--jsonl", "utf.jsonl"], "line 1: invalid UTF-8"),
        (lambda p: (p / "field.jsonl").write_text('{"text": "x", "colour": 1}\n'), ["check", "--jsonl", "field.jsonl"], "unknown field"),
        (lambda p: (p / "big.jsonl").write_text(json.dumps({"text": "a" * (2 * 1024 * 1024)}) + "\n"), ["check", "--jsonl", "big.jsonl"], "limit"),
        (lambda p: (p / "arr.jsonl").write_text("[1,2]\n"), ["check", "--jsonl", "arr.jsonl"], "expected a JSON object"),
        (lambda p: None, ["check", "--policy", "nope.yaml", "hi"], "nope.yaml: cannot read policy file"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, setup, args: list[str], expected: str) -> None:
    setup(tmp_path)
    result = run(args, tmp_path)
    assert result.returncode != 0
    err = result.stderr.decode().strip()
    assert expected in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_ten_megabytes_on_stdin_is_refused(tmp_path: Path) -> None:
    result = run(["check", "--json"], tmp_path, stdin=b"a" * (10 * 1024 * 1024))
    assert result.returncode == 2
    assert "limit" in result.stderr.decode()


def test_invalid_utf8_on_stdin(tmp_path: Path) -> None:
    result = run(["check"], tmp_path, stdin=b"abc\xfe\xff")
    assert result.returncode == 2
    assert "invalid UTF-8 at byte 3" in result.stderr.decode()


def test_policy_validate_names_file_line_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: x\nlimits: {max_text_bytes: 10, check_timeout_ms: 1, cache_entries: 0}\n"
                   "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}\nbogus: 1\n")
    result = run(["policy", "validate", str(bad)], tmp_path)
    assert result.returncode == 2
    assert result.stderr.decode().strip() == f"error: {bad}:5: bogus: unknown field"
