"""CrossReferenceValidator: does a proposed action contradict an instruction a person gave?

Two kinds of contradiction:

- **parameter conflict**: the instruction says "use port 27027" and the action connects to
  27017, whether through its arguments ({"port": 27017}) or its text
  ("mongodb://localhost:27017"). Both sides are read by `services.parameters`. A parameter
  stated for a named service ("port 27027 for MongoDB") is not applied to an action that names
  only other services (an https:// call to port 8443).
- **prohibition violation**: the instruction says "never use X" and the action uses X (X in its
  text, arguments or tool name, on word boundaries, inflections allowed). A prohibited
  parameter ("never use port 27017") is compared as a parameter, so "mongodb://h:27017" uses it.

A prohibition that names a detector category ("no clickbait", "no personal data") is judged by
that detector, not by the word: "no clickbait" is violated by a clickbait headline, not by a
text that mentions the word "clickbait". The settings map such terms to detector names. How the
detector is reached (the choice the design left open, documented here):

- as a check, the validator runs the detector instance the governor built for the same policy,
  handed over by `bind_checks` once every check is built, on the same normalized text;
- through the domain API, the caller may pass detector findings it already has (`findings=`),
  or bind detectors itself;
- a prohibition whose detector is not available (or raises) cannot be verified, and governance
  fails closed: it counts as violated, and a critical one asks for the settings'
  `unverifiable_verdict` (block or escalate).

Severity follows the instruction's persistence (settings.severity_by_persistence). Any CRITICAL
conflict rejects the action, with a clarification question for the person; WARNING conflicts
make the status "warning"; MINOR ones are reported but approved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Hashable, Iterable, Literal, Mapping, Sequence

from pydantic import Field, field_validator

from tractatus.governance.actions import (
    Action,
    Finding,
    Instruction,
    Persistence,
    Severity,
    Span,
    Verdict,
    action_text,
)
from tractatus.governance.checks import Check, CheckContext, CheckSettings
from tractatus.governance.normalize import NormalizedText, normalize
from tractatus.governance.services import parameters, prohibitions
from tractatus.governance.services.patterns import excerpt, original_span
from tractatus.governance.state import GovernanceState


class ConflictSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    WARNING = "WARNING"
    MINOR = "MINOR"


class ValidationStatus(StrEnum):
    APPROVED = "approved"
    WARNING = "warning"
    REJECTED = "rejected"


ConflictKind = Literal["parameter_conflict", "prohibition_violation", "prohibition_unverifiable"]
_SEVERITY_ORDER = {ConflictSeverity.MINOR: 0, ConflictSeverity.WARNING: 1, ConflictSeverity.CRITICAL: 2}


class CrossReferenceSettings(CheckSettings):
    severity_by_persistence: dict[Persistence, ConflictSeverity]
    finding_severity: dict[ConflictSeverity, Literal["info", "low", "medium", "high", "critical"]]
    rejected_verdicts: dict[Literal["parameter_conflict", "prohibition_violation"], Literal["warn", "escalate", "block"]]
    detector_prohibitions: dict[str, str] = Field(description="prohibited term -> detector check that judges it")
    unverifiable_verdict: Literal["block", "escalate"]

    @field_validator("severity_by_persistence")
    @classmethod
    def _every_persistence(cls, value: dict[Persistence, ConflictSeverity]) -> dict[Persistence, ConflictSeverity]:
        missing = [p.value for p in Persistence if p not in value]
        if missing:
            raise ValueError(f"must map every persistence level; missing: {', '.join(missing)}")
        return value

    @field_validator("finding_severity")
    @classmethod
    def _every_severity(cls, value: dict[ConflictSeverity, str]) -> dict[ConflictSeverity, str]:
        missing = [s.value for s in ConflictSeverity if s not in value]
        if missing:
            raise ValueError(f"must map every conflict severity; missing: {', '.join(missing)}")
        return value

    @field_validator("detector_prohibitions")
    @classmethod
    def _lower_terms(cls, value: dict[str, str]) -> dict[str, str]:
        return {" ".join(term.lower().split()): detector for term, detector in value.items()}


@dataclass(frozen=True, slots=True)
class Conflict:
    instruction_id: str
    instruction_text: str
    kind: ConflictKind
    severity: ConflictSeverity
    subject: str  # the parameter ("port") or the prohibited thing ("mongodb")
    expected: Any  # the instructed value, or "not <thing>"
    actual: Any  # what the action does
    span: tuple[int, int] | None = None  # in the text examined (normalized), when the text shows it

    def describe(self) -> str:
        if self.kind == "parameter_conflict":
            return f"instruction says {self.subject} {self.expected}, the action uses {self.actual}"
        if self.kind == "prohibition_violation":
            return f"instruction forbids {self.subject!r}, the action does it ({self.actual})"
        return f"instruction forbids {self.subject!r}, which needs the {self.actual!r} detector to verify"

    def to_dict(self) -> dict[str, Any]:
        return {
            "instruction_id": self.instruction_id,
            "instruction_text": self.instruction_text,
            "kind": self.kind,
            "severity": self.severity.value,
            "subject": self.subject,
            "expected": self.expected,
            "actual": self.actual,
            "description": self.describe(),
        }


@dataclass(frozen=True, slots=True)
class ValidationResult:
    status: ValidationStatus
    severity: ConflictSeverity | None  # the worst conflict's severity; None when there is none
    conflicts: tuple[Conflict, ...] = ()
    question: str | None = None  # for the person, when rejected
    checked_instructions: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "severity": self.severity.value if self.severity else None,
            "conflicts": [c.to_dict() for c in self.conflicts],
            "question": self.question,
            "checked_instructions": self.checked_instructions,
        }


class _ActionView:
    """What the validator reads from one action, each part computed once and only when needed."""

    __slots__ = ("_params", "_targets", "ctx", "haystack", "keys", "lowered", "text")

    def __init__(self, ctx: CheckContext, keys: frozenset[str]) -> None:
        self.ctx = ctx
        self.keys = keys  # the parameters any instruction names: only these are read from the text
        self.text = ctx.text.text
        # The tool name counts too: "never use MongoDB" forbids calling tool "mongodb.insert".
        self.haystack = f"{self.text}\n{ctx.action.tool}" if ctx.action.tool else self.text
        self.lowered = self.haystack.lower()
        self._params: parameters.Parameters | None = None
        self._targets: frozenset[str] | None = None

    def targets(self) -> frozenset[str]:
        if self._targets is None:
            self._targets = parameters.targets(self.haystack)
        return self._targets

    def params(self) -> parameters.Parameters:
        if self._params is None:
            self._params = parameters.merge(
                parameters.extract_from_arguments(self.ctx.action.arguments),
                parameters.extract_from_text(self.text, self.keys),
            )
        return self._params


class CrossReferenceValidator:
    name: ClassVar[str] = "cross_reference_validator"
    kind: ClassVar[str] = "service"
    # Reads the instruction history in GovernanceState, and arguments (ports as numbers) that the
    # governor's content cache key does not cover: never cached.
    stateful: ClassVar[bool] = True
    Settings: ClassVar[type[CheckSettings]] = CrossReferenceSettings

    def __init__(self, settings: CrossReferenceSettings, *, detectors: Mapping[str, Check] | None = None) -> None:
        self.settings = settings
        self._detectors: dict[str, Check] = dict(detectors or {})
        # Compiled once per prohibited term; bounded by the instructions this validator has seen.
        self._term_patterns: dict[str, tuple[str, re.Pattern[str]]] = {}
        self._term_parameters: dict[str, parameters.Parameters] = {}
        self._instruction_targets: dict[str, frozenset[str]] = {}

    def cache_token(self, state: GovernanceState) -> Hashable:
        """Results depend on the action and the instruction history only: the governor may cache
        them until the history changes (this is what makes million-action lab runs affordable)."""
        return state.instruction_version

    def bind_checks(self, checks: Mapping[str, Check | None]) -> None:
        """Receive the other checks built for the same policy, to judge detector-backed prohibitions."""
        wanted = set(self.settings.detector_prohibitions.values())
        self._detectors.update({name: check for name, check in checks.items() if name in wanted and check is not None})

    # -- domain API ------------------------------------------------------------------------
    def validate(
        self, action: Action, instructions: Iterable[Instruction], *, findings: Sequence[Finding] | None = None
    ) -> ValidationResult:
        """Check `action` against `instructions`.

        `findings`: detector findings already produced for this action; when given, they judge
        detector-backed prohibitions ("no clickbait") instead of running the detector here.
        """
        text = action_text(action)  # what the governor's checks see: text plus argument strings
        ctx = CheckContext(action=action, text=normalize(text), state=GovernanceState())
        return self._validate(ctx, tuple(instructions), findings)

    def _validate(
        self, ctx: CheckContext, instructions: tuple[Instruction, ...], prior: Sequence[Finding] | None
    ) -> ValidationResult:
        if not instructions:
            return ValidationResult(ValidationStatus.APPROVED, None)
        keys = frozenset(
            key
            for instruction in instructions
            for key in (*instruction.parameters, *(k for t in instruction.prohibitions for k in self._forbidden_parameters(t)))
        )
        view = _ActionView(ctx, keys)
        detector_verdicts: dict[str, bool | None] = {}  # each detector runs at most once per action
        conflicts: list[Conflict] = []
        for instruction in instructions:
            severity = self.settings.severity_by_persistence[instruction.persistence]
            if instruction.parameters:
                differing = list(parameters.conflicts(instruction.parameters, view.params()))
                # Whether the instruction applies is asked only on a difference (rarely): it scans the text.
                if differing and self._applies(instruction, view):
                    conflicts.extend(
                        Conflict(instruction.id, instruction.text, "parameter_conflict", severity, key, expected, actual)
                        for key, expected, actual in differing
                    )
            for term in instruction.prohibitions:
                found = self._prohibition(term, view, prior, detector_verdicts)
                if found is not None:
                    kind, actual, span = found
                    conflicts.append(Conflict(instruction.id, instruction.text, kind, severity, term, f"no {term}", actual, span))
        return self._result(conflicts, len(instructions))

    def _prohibition(
        self, term: str, view: _ActionView, prior: Sequence[Finding] | None, detector_verdicts: dict[str, bool | None]
    ) -> tuple[ConflictKind, str, tuple[int, int] | None] | None:
        """How the action does the prohibited `term`, or None when it does not."""
        detector = self.settings.detector_prohibitions.get(term)
        if detector is not None:  # "no clickbait": the detector judges
            if detector not in detector_verdicts:
                detector_verdicts[detector] = self._detector_flags(detector, view.ctx, prior)
            flagged = detector_verdicts[detector]
            if flagged is None:
                return "prohibition_unverifiable", detector, None
            return ("prohibition_violation", f"{detector} detector", None) if flagged else None
        forbidden = self._forbidden_parameters(term)
        if forbidden:  # "never use port 27017": compared as parameters, however the action states them
            for key, values in forbidden.items():
                for value in view.params().get(key, ()):
                    if any(parameters.compatible(key, f, value) for f in values):
                        return "prohibition_violation", f"{key} {value}", None
            return None
        anchor, pattern = self._pattern(term)
        match = pattern.search(view.haystack) if anchor in view.lowered else None
        if match is None:
            return None
        span = (match.start(), match.end()) if match.end() <= len(view.text) else None  # None: in the tool name
        return "prohibition_violation", excerpt(view.haystack, match.start(), match.end()), span

    def _applies(self, instruction: Instruction, view: _ActionView) -> bool:
        """An instruction's parameters bind an action unless the action is plainly about another
        service: it names services, and none of those the instruction names."""
        wanted = self._instruction_targets.get(instruction.id)
        if wanted is None:
            wanted = self._instruction_targets[instruction.id] = parameters.targets(instruction.text)
        if not wanted:
            return True
        named = view.targets()
        return not named or not named.isdisjoint(wanted)

    def _forbidden_parameters(self, term: str) -> parameters.Parameters:
        found = self._term_parameters.get(term)
        if found is None:
            found = self._term_parameters[term] = parameters.extract_from_text(term)
        return found

    def _pattern(self, term: str) -> tuple[str, re.Pattern[str]]:
        """The term's regex, and a substring every match contains (tested first: a substring
        search is ~50x cheaper than the regex on a 1 KB message)."""
        compiled = self._term_patterns.get(term)
        if compiled is None:
            compiled = self._term_patterns[term] = (prohibitions.term_anchor(term), prohibitions.term_pattern(term))
        return compiled

    def _detector_flags(self, detector: str, ctx: CheckContext, prior: Sequence[Finding] | None) -> bool | None:
        """True/False when the named detector finds something; None when it cannot be consulted."""
        if prior is not None:
            return any(f.source == detector and f.severity > Severity.INFO for f in prior)
        check = self._detectors.get(detector)
        if check is None:
            return None
        try:
            return any(f.severity > Severity.INFO for f in check.evaluate(ctx))
        except Exception:  # a failing detector cannot clear the action: fail closed
            return None

    @staticmethod
    def _result(conflicts: list[Conflict], checked: int) -> ValidationResult:
        if not conflicts:
            return ValidationResult(ValidationStatus.APPROVED, None, (), None, checked)
        worst = max((c.severity for c in conflicts), key=_SEVERITY_ORDER.__getitem__)
        status = {
            ConflictSeverity.CRITICAL: ValidationStatus.REJECTED,
            ConflictSeverity.WARNING: ValidationStatus.WARNING,
            ConflictSeverity.MINOR: ValidationStatus.APPROVED,
        }[worst]
        question = None
        if status == ValidationStatus.REJECTED:
            critical = [c for c in conflicts if c.severity == ConflictSeverity.CRITICAL]
            question = _clarification(critical)
        return ValidationResult(status, worst, tuple(conflicts), question, checked)

    # -- Check interface -------------------------------------------------------------------
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        result = self._validate(ctx, ctx.state.instructions, None)
        return tuple(self._finding(c, ctx.text, result.question) for c in result.conflicts)

    def _finding(self, conflict: Conflict, ntext: NormalizedText, question: str | None) -> Finding:
        severity = Severity.parse(self.settings.finding_severity[conflict.severity])
        verdict: Verdict | None = None  # below CRITICAL, the policy maps the severity
        if conflict.severity == ConflictSeverity.CRITICAL:
            if conflict.kind == "prohibition_unverifiable":
                verdict = Verdict.parse(self.settings.unverifiable_verdict)
            else:
                verdict = Verdict.parse(self.settings.rejected_verdicts[conflict.kind])
        message = conflict.describe()
        if question and conflict.severity == ConflictSeverity.CRITICAL:
            message = f"{message}. {question}"
        span: Span | None = original_span(ntext, *conflict.span) if conflict.span else None
        return Finding(
            source=self.name,
            source_kind=self.kind,
            category=conflict.kind,
            severity=severity,
            rule_id=f"cross_reference.{conflict.kind}",
            message=message,
            span=span,
            evidence=f"instruction {conflict.instruction_id}: {excerpt(conflict.instruction_text, 0, len(conflict.instruction_text))}",
            verdict=verdict,
        )


def _clarification(conflicts: Sequence[Conflict]) -> str:
    """One question that lets the person resolve every critical conflict."""
    first = conflicts[0]
    if first.kind == "parameter_conflict":
        question = (
            f'You instructed "{first.instruction_text}", but this action uses {first.subject} {first.actual}. '
            f"Should it use {first.expected} as instructed, or has the instruction changed?"
        )
    elif first.kind == "prohibition_violation":
        question = (
            f'You instructed "{first.instruction_text}", and this action does what it forbids ({first.subject}). '
            "Should the action be changed, or does the instruction no longer apply here?"
        )
    else:
        question = (
            f'You instructed "{first.instruction_text}", but the {first.actual} detector that would verify it is not '
            "available. Should this action go ahead anyway?"
        )
    if len(conflicts) > 1:
        question += f" ({len(conflicts) - 1} more conflict(s) with your instructions.)"
    return question
