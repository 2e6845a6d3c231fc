"""JSON forms of the vocabulary that cross process boundaries (CLI input, API bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tractatus.governance.actions import Action


class ActionIn(BaseModel):
    """An action as JSON. Only `text` (or `tool`) is needed; `kind` defaults to message.

    An action with nothing to decide on is refused rather than allowed: text that is empty or
    only whitespace, or a tool call that names no tool. Allowing it would audit "allow" for an
    action nobody could judge (and let a caller probe the policy with blanks).
    """

    model_config = ConfigDict(extra="forbid")

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
