"""CLI and API refuse the same inputs (issue 12, item 3): one line and exit 2, or a 400 with a string detail."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from service_helpers import AUTH

from tractatus.cli.errors import run_cli
from tractatus.cli.main import app
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


def run_cli_with(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    monkeypatch.setattr(sys, "argv", ["tractatus", *argv])
    code = run_cli(app)
    return code, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_api_refuses_with_a_400_and_one_line(client, name: str) -> None:  # type: ignore[no-untyped-def]
    body, phrase = REFUSED[name]
    response = client.post("/api/v1/decide", content=body.encode(), headers={**AUTH, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, str) and "\n" not in detail and phrase in detail


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_cli_refuses_a_jsonl_line_with_exit_2(name: str, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    body, phrase = REFUSED[name]
    path = tmp_path / "in.jsonl"
    path.write_text(body + "\n", encoding="utf-8")
    code, err = run_cli_with(["check", "--no-audit", "--jsonl", str(path)], monkeypatch, capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and phrase in err


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
