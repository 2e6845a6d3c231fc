"""The JSON Schema ActionIn publishes says what its validator does (issue 12, item 3)."""

from __future__ import annotations

import re
import sys

import jsonschema_rs
import pytest
from pydantic import ValidationError

from tractatus.governance.wire import NOT_BLANK_PATTERN, WHITESPACE_CLASS, ActionIn


def test_the_whitespace_class_is_exactly_what_str_isspace_calls_blank() -> None:
    blank = re.compile(f"[{WHITESPACE_CLASS}]")
    python = {chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace()}
    spelled = {chr(i) for i in range(sys.maxunicode + 1) if blank.fullmatch(chr(i))}
    assert spelled == python


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"text": "hello"}, True),
        ({"text": " \x85 x"}, True),
        ({"tool": "search", "kind": "tool_call"}, True),
        ({"tool": "search", "text": ""}, True),
        ({}, False),
        ({"text": ""}, False),
        ({"text": " \x85\x1c\u3000"}, False),  # blank to Python, not to `\s` in other engines
        ({"text": "a\x00b"}, False),
        ({"kind": "tool_call", "text": "run it"}, False),
        ({"tool": " "}, False),
    ],
)
def test_the_schema_and_the_validator_agree(body: dict[str, object], valid: bool) -> None:
    """jsonschema-rs (what schemathesis validates with) and pydantic give the same answer."""
    schema = ActionIn.model_json_schema()
    assert jsonschema_rs.validator_for(schema).is_valid(body) is valid
    if "\x00" in str(body.get("text", "")):
        # NUL is refused before pydantic (strict_json), in the CLI and the API alike.
        assert re.search(NOT_BLANK_PATTERN, body["text"]) is None  # type: ignore[arg-type]
        return
    try:
        ActionIn.model_validate(body)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is valid
