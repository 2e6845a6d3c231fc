"""JSON forms of the vocabulary that cross process boundaries (CLI input, API bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tractatus.governance.actions import Action

# The characters Python's str.isspace() (and so str.strip()) treats as blank, spelled out: JSON
# Schema validators outside Python (jsonschema-rs, ECMAScript) read `\s` differently (U+0085 and
# U+001C-U+001F are not space to them), and the schema must say exactly what the validator below does.
# tests/governance/test_wire_schema.py checks this list against str.isspace() over all of Unicode.
WHITESPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A string with something to decide on: at least one character that is not blank, and no NUL.
NOT_BLANK_PATTERN = rf"^[^\x00]*[^\x00{WHITESPACE_CLASS}][^\x00]*$"

# `_has_something_to_decide` as JSON Schema, so the OpenAPI document refuses what the API refuses:
# either a tool that is named, or (no tool, not a tool_call) text that is not blank.
SOMETHING_TO_DECIDE: dict[str, Any] = {
    "anyOf": [
        {"required": ["tool"], "properties": {"tool": {"type": "string", "pattern": NOT_BLANK_PATTERN}}},
        {
            "required": ["text"],
            "properties": {
                "text": {"type": "string", "pattern": NOT_BLANK_PATTERN},
                "kind": {"not": {"const": "tool_call"}},
                "tool": {"type": "null"},
            },
        },
    ]
}


class ActionIn(BaseModel):
    """An action as JSON. Only `text` (or `tool`) is needed; `kind` defaults to message.

    An action with nothing to decide on is refused rather than allowed: text that is empty or
    only whitespace, or a tool call that names no tool. Allowing it would audit "allow" for an
    action nobody could judge (and let a caller probe the policy with blanks).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=SOMETHING_TO_DECIDE)

    kind: str = Field(default="message", min_length=1, max_length=64)
    text: str = ""
    agent_id: str = Field(default="anonymous", min_length=1, max_length=256)
    tool: str | None = Field(default=None, max_length=256)
    arguments: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _has_something_to_decide(self) -> ActionIn:
        if self.kind == "tool_call" or self.tool is not None:
            if self.tool is None or not self.tool.strip():
                raise ValueError('a tool_call needs "tool": the name of the tool it calls')
        elif not self.text.strip():
            raise ValueError('"text" is empty: an action needs text to decide on (or "tool" for a tool call)')
        return self

    def to_action(self) -> Action:
        return Action(
            kind=self.kind,
            text=self.text,
            agent_id=self.agent_id,
            tool=self.tool,
            arguments=self.arguments,
            context=self.context,
        )
