"""Commitments: a reply may promise only what someone will actually do.

An optimizer rewarded by how people rate its replies drifts toward promises people like to hear:
"One of our engineers will write to you personally". If nobody has the address, or the person did
not consent to being contacted, nobody will write, and the promise is a lie the governed system
told. (Issue 12: 528 of 2,006 feedback replies promised exactly that, none with an address.)

This check finds promises of an action towards the reader and asks the action's context whether
whoever sends the reply can keep each one. The policy maps each kind of promise to the context
key that backs it; the caller states the facts (the feedback service sets `contact_on_file` when
an address was stored with consent). A promise whose key is not `true` is a finding; a promise
the policy maps to nothing is never backed. Negated promises ("we will not contact you") and
promises with no reader as object ("we will write documentation") are not promises to keep.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal, Mapping, Sequence

from pydantic import Field

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.services.patterns import excerpt, is_negated

PromiseKind = Literal["personal_contact"]
SeverityName = Literal["info", "low", "medium", "high", "critical"]  # a check does not import the policy floor

_WILL = r"(?:will|'ll|shall|(?:is|are|am)\s+going\s+to)"
# "<someone> will (personally) write/call/contact ... you": a contact verb with the reader as its
# object within a few words ("get back to you", "reach out to you personally", "email you").
_CONTACT_VERB = (
    r"(?:write|e-?mail|mail|call|phone|ring|text|message|contact|reach\s+out|get\s+back|follow\s+up|reply|respond|"
    r"get\s+in\s+touch)"
)
_PROMISES: Mapping[PromiseKind, re.Pattern[str]] = {
    "personal_contact": lazy_compile(
        rf"\b{_WILL}\s+(?:personally\s+|directly\s+|soon\s+)?{_CONTACT_VERB}\b(?:\s+\w+){{0,3}}?\s+(?:to\s+|with\s+)?you\b"
        rf"|\byou\s+(?:will|'ll)\s+(?:soon\s+)?(?:hear|get\s+a\s+(?:personal\s+)?(?:reply|call|e-?mail|message))\b",
        re.IGNORECASE,
    ),
}
_MESSAGES: Mapping[PromiseKind, str] = {
    "personal_contact": "promises to contact the reader personally, but nobody can: no contact stored with consent",
}


class CommitmentsSettings(CheckSettings):
    # Which context key, when true, backs each kind of promise. A kind left out is never backed.
    backed_by: dict[PromiseKind, str] = Field(default_factory=dict)
    severity: SeverityName = "high"
    negation_window_chars: int = Field(default=60, ge=0, le=200, description="how far back a negation undoes a promise")


class Commitments:
    name: ClassVar[str] = "commitments"
    kind: ClassVar[str] = "service"
    stateful: ClassVar[bool] = False  # a function of text and context: the governor may cache it
    Settings: ClassVar[type[CheckSettings]] = CommitmentsSettings

    def __init__(self, settings: CommitmentsSettings) -> None:
        self.settings = settings
        self._severity = Severity.parse(settings.severity)

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        text = ctx.text.text
        context = ctx.action.context or {}
        found: list[Finding] = []
        for promise, pattern in _PROMISES.items():
            key = self.settings.backed_by.get(promise)
            if key is not None and context.get(key) is True:
                continue
            for m in pattern.finditer(text):
                if is_negated(text, m.start(), self.settings.negation_window_chars):
                    continue
                found.append(
                    Finding(
                        source=self.name,
                        source_kind=self.kind,
                        category="unbacked_promise",
                        severity=self._severity,
                        rule_id=f"commitments.{promise}",
                        message=_MESSAGES[promise],
                        span=ctx.text.to_original_span(m.start(), m.end()),
                        evidence=excerpt(text, m.start(), m.end()),
                    )
                )
                break  # one finding per kind of promise is enough to refuse the reply
        return found
