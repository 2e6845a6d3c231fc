"""The shared vocabulary of governance: Action, Finding, Decision, Verdict, Severity, Instruction.

These are frozen dataclasses rather than pydantic models because they sit on the hot path
(a governed action must cost microseconds). Pydantic models live at the edges: see
`tractatus.governance.wire` for the JSON forms that cross process boundaries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Annotated, Any, Mapping

from pydantic import AfterValidator


def _parse_level[L: IntEnum](cls: type[L], value: str | int | L) -> L:
    """An ordered level (Verdict, Severity) from itself, its number or its case-insensitive name."""
    if isinstance(value, cls):
        return value
    if isinstance(value, int):
        return cls(value)
    try:
        return cls[value.strip().upper()]
    except KeyError:
        expected = [member.name.lower() for member in cls]
        raise ValueError(f"unknown {cls.__name__.lower()} {value!r}; expected one of {expected}") from None


class Verdict(IntEnum):
    """What happens to an action. The order is severity: the most severe verdict wins."""

    ALLOW = 0
    WARN = 1  # allowed, but flagged
    MODIFY = 2  # allowed only in the redacted form carried by `Decision.modified_text`
    ESCALATE = 3  # a person must decide; not executed until approved
    BLOCK = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Verdict) -> Verdict:
        return _parse_level(cls, value)

    @property
    def executes(self) -> bool:
        """True when the action (possibly modified) may go ahead without a person."""
        return self <= Verdict.MODIFY


class Severity(IntEnum):
    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | int | Severity) -> Severity:
        return _parse_level(cls, value)


class ActionKind(StrEnum):
    """Well-known action kinds. Policies may name others; these are the ones the project emits."""

    MESSAGE = "message"  # text an agent sends to a person or another agent
    TOOL_CALL = "tool_call"  # an agent invokes a tool with arguments
    PUBLISH = "publish"  # content goes out to an audience (the engagement lab)
    RESPONSE = "response"  # a model response on its way back to an agent (the AL proxy)
    FEEDBACK = "feedback"  # text a person submitted (the feedback service)
    TASK = "task"  # a task or objective given to an agent, checked before work starts
    INSTRUCTION = "instruction"  # an instruction to be classified and stored



def _known_kind(value: str) -> str:
    """Policies speak of the action kinds the project emits (ActionKind); a typo would govern nothing."""
    if value not in ActionKind._value2member_map_:
        known = ", ".join(kind.value for kind in ActionKind)
        raise ValueError(f"unknown action kind {value!r} (known: {known})")
    return value


# An action kind as a policy names it: validated against ActionKind (used by the policy model and
# by every check setting that lists kinds, so a typo there is a policy error too).
KindName = Annotated[str, AfterValidator(_known_kind)]

def _freeze(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    if mapping is None:
        return MappingProxyType({})
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping))


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no spaces) used for every digest in the project."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def sha256_hex(data: str | bytes) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Action:
    """Something an agent proposes to do. Governance decides on it before it happens."""

    kind: str = ActionKind.MESSAGE.value
    text: str = ""
    agent_id: str = "anonymous"
    tool: str | None = None
    arguments: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "arguments", _freeze(self.arguments))
        object.__setattr__(self, "context", _freeze(self.context))

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "agent_id": self.agent_id,
            "tool": self.tool,
            "arguments": dict(self.arguments),
            "context": dict(self.context),
        }

    def digest(self) -> str:
        """SHA-256 of a canonical, length-prefixed encoding: identifies the action in the audit log.

        Length prefixes make the encoding unambiguous (no text can shift one field into another);
        arguments and context are canonical JSON, encoded only when present because this runs for
        every decision.
        """
        parts = (
            self.kind,
            self.agent_id,
            "\x00" if self.tool is None else self.tool,
            self.text,
            canonical_json(dict(self.arguments)) if self.arguments else "",
            canonical_json(dict(self.context)) if self.context else "",
        )
        return sha256_hex("".join(f"{len(part)}:{part}" for part in parts))

    def content_key(self) -> tuple[str, str | None, str]:
        """What stateless checks depend on: kind, tool and text (used as the cache key)."""
        return (self.kind, self.tool, self.text)


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range [start, end) in the action's original text."""

    start: int
    end: int

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a detector, service or rule noticed about an action.

    `verdict` is what the check asks for. When it is None the governor maps `severity` to a
    verdict through the policy. `evidence` is a short excerpt for people; detectors of personal
    data must put a redacted form here, never the raw value.
    """

    source: str  # the detector, service or rule set that produced it, e.g. "pii"
    source_kind: str  # "detector" | "service" | "rule" | "engine"
    category: str  # e.g. "email", "curiosity_gap", "parameter_conflict"
    severity: Severity
    rule_id: str  # stable id, e.g. "pii.email"
    message: str
    span: Span | None = None
    evidence: str | None = None
    verdict: Verdict | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            self.source_kind if self.source_kind in ("detector", "service") else "source": self.source,
            "source_kind": self.source_kind,
            "category": self.category,
            "severity": self.severity.label,
            "rule_id": self.rule_id,
            "message": self.message,
            "span": self.span.to_dict() if self.span else None,
            "evidence": self.evidence,
        }
        if self.verdict is not None:
            out["verdict"] = self.verdict.label
        return out


class Decision:
    """The governor's answer for one action. Immutable.

    `modified_text` is set when the verdict is MODIFY: the payload with the offending spans
    redacted. `audit_seq` is the audit log's sequence number once the record is durable.
    `action_digest` is computed from the decided action on first use: a decision on the hot path
    of a learner need not pay for hashing unless something (the audit log, a tool gate) reads it.

    A hand-written slotted class rather than a frozen dataclass: a governed action must cost
    microseconds, and a frozen dataclass's __init__ and `replace` cost several.
    """

    __slots__ = ("_action", "_action_digest", "audit_seq", "escalation_id", "findings", "latency_us",
                 "model_digest", "modified_text", "policy_digest", "verdict")

    verdict: Verdict
    findings: tuple[Finding, ...]
    policy_digest: str
    model_digest: str | None  # digest of the learned models the policy's checks use (None: no model)
    latency_us: float
    modified_text: str | None
    audit_seq: int | None
    escalation_id: str | None
    _action: Action | None
    _action_digest: str | None

    def __init__(
        self,
        verdict: Verdict,
        findings: tuple[Finding, ...],
        policy_digest: str,
        action_digest: str | None = None,
        latency_us: float = 0.0,
        modified_text: str | None = None,
        audit_seq: int | None = None,
        escalation_id: str | None = None,
        *,
        action: Action | None = None,
        model_digest: str | None = None,
    ) -> None:
        if action_digest is None and action is None:
            raise ValueError("a Decision needs its action or the action's digest")
        init = object.__setattr__
        init(self, "verdict", verdict)
        init(self, "findings", findings)
        init(self, "policy_digest", policy_digest)
        init(self, "model_digest", model_digest)
        init(self, "_action_digest", action_digest)
        init(self, "_action", action)
        init(self, "latency_us", latency_us)
        init(self, "modified_text", modified_text)
        init(self, "audit_seq", audit_seq)
        init(self, "escalation_id", escalation_id)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Decision is immutable; use .replace(...)")

    @property
    def action_digest(self) -> str:
        digest = self._action_digest
        if digest is None:
            assert self._action is not None
            digest = self._action.digest()
            object.__setattr__(self, "_action_digest", digest)
        return digest

    def replace(self, **changes: Any) -> Decision:
        fields: dict[str, Any] = {
            "verdict": self.verdict,
            "findings": self.findings,
            "policy_digest": self.policy_digest,
            "model_digest": self.model_digest,
            "action_digest": self._action_digest,
            "latency_us": self.latency_us,
            "modified_text": self.modified_text,
            "audit_seq": self.audit_seq,
            "escalation_id": self.escalation_id,
            "action": self._action,
        }
        fields.update(changes)
        return Decision(**fields)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Decision):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Decision(verdict={self.verdict.label}, rules={list(self.rule_ids)}, audit_seq={self.audit_seq})"

    @property
    def allowed(self) -> bool:
        return self.verdict.executes

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(f.rule_id for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.label,
            "findings": [f.to_dict() for f in self.findings],
            "policy_digest": self.policy_digest,
            "model_digest": self.model_digest,
            "action_digest": self.action_digest,
            "latency_us": round(self.latency_us, 3),
            "modified_text": self.modified_text,
            "audit_seq": self.audit_seq,
            "escalation_id": self.escalation_id,
        }


class Quadrant(StrEnum):
    STRATEGIC = "STRATEGIC"
    OPERATIONAL = "OPERATIONAL"
    TACTICAL = "TACTICAL"
    SYSTEM = "SYSTEM"
    STOCHASTIC = "STOCHASTIC"


class Persistence(StrEnum):
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    VARIABLE = "VARIABLE"


class TemporalScope(StrEnum):
    PERMANENT = "permanent"
    PROJECT = "project"
    SESSION = "session"
    IMMEDIATE = "immediate"


class VerificationLevel(StrEnum):
    MANDATORY = "MANDATORY"
    REQUIRED = "REQUIRED"
    RECOMMENDED = "RECOMMENDED"
    OPTIONAL = "OPTIONAL"


@dataclass(frozen=True, slots=True)
class Instruction:
    """An instruction a person gave, classified so later actions can be checked against it."""

    text: str
    quadrant: Quadrant
    persistence: Persistence
    temporal_scope: TemporalScope
    explicitness: float  # 0..1: how explicitly the instruction states what it wants
    verification: VerificationLevel
    parameters: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    prohibitions: tuple[str, ...] = ()  # things the instruction forbids ("never use X" -> "x")
    source: str = "user"
    id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", _freeze(self.parameters))
        if not self.id:
            object.__setattr__(self, "id", sha256_hex(self.text)[:12])

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "quadrant": self.quadrant.value,
            "persistence": self.persistence.value,
            "temporal_scope": self.temporal_scope.value,
            "explicitness": self.explicitness,
            "verification": self.verification.value,
            "parameters": dict(self.parameters),
            "prohibitions": list(self.prohibitions),
            "source": self.source,
        }


def action_text(action: Action) -> str:
    """The text the content checks see: the action's text plus every string in its arguments."""
    if not action.arguments:
        return action.text
    parts = [action.text] if action.text else []
    _collect_strings(action.arguments, parts)
    return "\n".join(parts)


def _collect_strings(value: Any, out: list[str]) -> None:
    kind = type(value)
    # Exact-type tests first: JSON arguments are str, int, float, bool, None, dict and list, and an
    # ABC isinstance check costs about a microsecond per value on this per-decision path.
    if kind is str:
        out.append(value)
    elif kind is int or kind is float or kind is bool or value is None:
        return
    elif kind is dict or kind is MappingProxyType or isinstance(value, Mapping):
        for item in value.values():
            _collect_strings(item, out)
    elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
        for item in value:
            _collect_strings(item, out)
    elif isinstance(value, str):  # a str subclass (an enum member, say)
        out.append(value)
