"""CLI and API refuse the same inputs (issue 12, item 3): one line and exit 2, or a 400 with a string detail."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from service_helpers import AUTH

from tractatus.cli.errors import run_cli
from tractatus.cli.main import app
from tractatus.governance.policy import bundled_policy_path
from tractatus.governance.strict_json import MAX_DEPTH, MAX_NUMBER_CHARS

DEEP = 1000  # past MAX_DEPTH, and small enough for the API's body-size limit

REFUSED: dict[str, tuple[str, str]] = {
    # name: (JSON line, phrase the one-line error must contain)
    "duplicate key": ('{"text":"hello","text":"Contact me at a@b.com"}', "duplicate key 'text'"),
    "NaN": ('{"text":"hello","agent_id":NaN}', "NaN is not a JSON number"),
    "Infinity": ('{"text":"hello","agent_id":-Infinity}', "-Infinity is not a JSON number"),
    "NUL": ('{"text":"a\\u0000b"}', "NUL character"),
    "lone surrogate": ('{"text":"a\\ud800b"}', "lone UTF-16 surrogate"),
    "deep nesting": ('{"text":"a","x":' + "[" * DEEP + "]" * DEEP + "}", f"nested deeper than {MAX_DEPTH}"),
    "huge integer": ('{"text":"a","x":' + "7" * 4301 + "}", f"{MAX_NUMBER_CHARS}-character limit"),
}


# Bodies both ways in must take alike: the same verdict from the same policy.
ACCEPTED: dict[str, str] = {
    "plain text": '{"text":"Thanks, the parcel arrived.","agent_id":"a"}',
    "an e-mail address": '{"text":"Write to me at someone@example.org","agent_id":"a"}',
    "non-ASCII and astral text": '{"text":"Merci \\u00e0 vous \\ud83d\\ude00","agent_id":"a"}',
    "nesting inside the limit": '{"text":"hello","context":{"a":' + "[" * 20 + "]" * 20 + "}}",
}
# Refused by the action's own rules (pydantic) rather than by the JSON reading: 422 in the API.
REFUSED_ACTIONS: dict[str, tuple[str, str]] = {
    "blank text": ('{"text":" \\u0085\\u3000"}', '"text" is empty'),
    "a tool call without a tool": ('{"kind":"tool_call","text":"run it"}', 'a tool_call needs "tool"'),
    "an unknown field": ('{"text":"hello","txet":"x"}', "unknown field"),
}


def run_cli_full(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tractatus", *argv])
    code = run_cli(app)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_cli_with(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code, _, err = run_cli_full(argv, monkeypatch, capsys)
    return code, err


@pytest.mark.parametrize("name", ["duplicate key", "NaN", "lone surrogate", "huge integer"])
def test_the_cli_refuses_a_json_argument_with_exit_2(name: str, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    body, phrase = REFUSED[name]
    code, err = run_cli_with(["check", "--no-audit", body], monkeypatch, capsys)
    assert code == 2 and phrase in err and err.count("\n") == 1


def test_nesting_100k_deep_is_an_input_error_not_an_internal_one(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text":"a","x":' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    code, err = run_cli_with(["check", "--no-audit", "--jsonl", str(path)], monkeypatch, capsys)
    assert code == 2 and "nested deeper" in err


def test_plain_text_with_a_lone_surrogate_is_refused(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    # An argv byte that is not UTF-8 arrives as a lone surrogate (surrogateescape).
    code, err = run_cli_with(["check", "--no-audit", "caf\udce9 menu"], monkeypatch, capsys)
    assert code == 2 and "lone UTF-16 surrogate" in err


def test_ordinary_json_and_text_still_pass(client, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    ok = client.post("/api/v1/decide", json={"text": "Thanks, the parcel arrived.", "agent_id": "a"}, headers=AUTH)
    assert ok.status_code == 200 and ok.json()["verdict"] == "allow"
    code, _ = run_cli_with(["check", "--no-audit", '{"text":"Thanks, the parcel arrived.","agent_id":"a"}'], monkeypatch, capsys)
    assert code == 0


@pytest.mark.parametrize("name", sorted([*REFUSED, *REFUSED_ACTIONS, *ACCEPTED]))
def test_the_cli_and_the_api_answer_the_same_input_alike(  # type: ignore[no-untyped-def]
    client, name: str, tmp_path: Path, monkeypatch, capsys
) -> None:
    """One input, both ways in, the same policy: both refuse it in one line (exit 2; a 4xx), with
    the same reason, or both decide it, with the same verdict."""
    body, phrase = REFUSED.get(name) or REFUSED_ACTIONS.get(name) or (ACCEPTED[name], "")
    response = client.post("/api/v1/decide", content=body.encode(), headers={**AUTH, "Content-Type": "application/json"})
    path = tmp_path / "in.jsonl"
    path.write_text(body + "\n", encoding="utf-8")
    policy = str(bundled_policy_path("service"))
    argv = ["check", "--no-audit", "--json", "--policy", policy, "--jsonl", str(path)]
    code, out, err = run_cli_full(argv, monkeypatch, capsys)
    if name in ACCEPTED:
        assert response.status_code == 200, response.text
        assert code == 0 and err == ""
        assert json.loads(out)["verdict"] == response.json()["verdict"]
        return
    detail = response.json()["detail"]
    assert response.status_code == (400 if name in REFUSED else 422), detail
    assert code == 2 and err.count("\n") == 1 and "\n" not in detail
    assert phrase in detail and phrase in err
    if name in REFUSED:  # the same reader: word for word after the location
        assert detail.removeprefix("body: ") == err.strip().split(": line 1: ", 1)[1]

