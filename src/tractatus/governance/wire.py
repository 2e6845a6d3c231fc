"""JSON forms of the vocabulary that cross process boundaries (CLI input, API bodies)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tractatus.governance.actions import Action


class ActionIn(BaseModel):
    """An action as JSON. Only `text` (or `tool`) is needed; `kind` defaults to message."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(default="message", min_length=1, max_length=64)
    text: str = ""
    agent_id: str = Field(default="anonymous", min_length=1, max_length=256)
    tool: str | None = Field(default=None, max_length=256)
    arguments: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)

    def to_action(self) -> Action:
        return Action(
            kind=self.kind,
            text=self.text,
            agent_id=self.agent_id,
            tool=self.tool,
            arguments=self.arguments,
            context=self.context,
        )
