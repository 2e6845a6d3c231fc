"""PluralisticDeliberationOrchestrator: a record of how people settled a conflict of values.

When the BoundaryEnforcer escalates a values question ("optimize content for maximum
engagement"), the orchestrator records a deliberation: the question, the stakeholders and their
positions, the moral frameworks that bear on it, the urgency tier, and earlier deliberations on
similar questions (precedent). People decide; the orchestrator then records the outcome, any
dissent and the constraints attached to an approval ("no clickbait, keep accuracy"), which the
InstructionPersistenceClassifier files as instructions.

It never ranks values: no method scores frameworks or stakeholders, picks a winner or decides
an outcome. Frameworks and stakeholders are kept in the order given, and an outcome exists only
once a person records one. Precedents are ordered by how similar their *question* is (word
overlap), which says nothing about whose values should prevail.

No global state: the store is an object passed in, with `to_dict`/`from_dict` for persistence,
and the clock is injected.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Callable, Iterable, Mapping, Sequence

from tractatus.governance.actions import sha256_hex
from tractatus.governance.errors import InputError, NotFoundError
from tractatus.governance.services.patterns import content_words, jaccard


class UrgencyTier(StrEnum):
    """How soon people must decide; it sets the pace of the deliberation, not its outcome."""

    CRITICAL = "critical"  # minutes: harm is happening now
    URGENT = "urgent"  # hours
    IMPORTANT = "important"  # days
    ROUTINE = "routine"  # weeks: the next scheduled review


class Outcome(StrEnum):
    APPROVED = "approved"
    APPROVED_WITH_CONSTRAINTS = "approved_with_constraints"
    REJECTED = "rejected"
    DEFERRED = "deferred"


# Names a UI may offer. Any framework name is accepted: the list suggests, it does not rank.
KNOWN_FRAMEWORKS: tuple[str, ...] = (
    "consequentialism",
    "deontology",
    "virtue ethics",
    "care ethics",
    "contractualism",
    "rights-based",
    "justice as fairness",
    "communitarianism",
)


@dataclass(frozen=True, slots=True)
class Stakeholder:
    name: str
    position: str = ""  # what they want, in their own words

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "position": self.position}


@dataclass(frozen=True, slots=True)
class Dissent:
    stakeholder: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"stakeholder": self.stakeholder, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Precedent:
    deliberation_id: str
    question: str
    outcome: Outcome | None
    similarity: float  # word overlap of the two questions, 0..1

    def to_dict(self) -> dict[str, Any]:
        return {
            "deliberation_id": self.deliberation_id,
            "question": self.question,
            "outcome": self.outcome.value if self.outcome else None,
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class Deliberation:
    id: str
    question: str
    stakeholders: tuple[Stakeholder, ...]
    frameworks: tuple[str, ...]
    urgency: UrgencyTier
    created_at: float
    precedents: tuple[Precedent, ...] = ()
    outcome: Outcome | None = None
    dissent: tuple[Dissent, ...] = ()
    constraints: tuple[str, ...] = ()
    decided_by: str | None = None
    decided_at: float | None = None
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def decided(self) -> bool:
        return self.outcome is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question": self.question,
            "stakeholders": [s.to_dict() for s in self.stakeholders],
            "frameworks": list(self.frameworks),
            "urgency": self.urgency.value,
            "created_at": self.created_at,
            "precedents": [p.to_dict() for p in self.precedents],
            "outcome": self.outcome.value if self.outcome else None,
            "dissent": [d.to_dict() for d in self.dissent],
            "constraints": list(self.constraints),
            "decided_by": self.decided_by,
            "decided_at": self.decided_at,
            "context": dict(self.context),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Deliberation:
        try:
            return cls(
                id=str(data["id"]),
                question=str(data["question"]),
                stakeholders=tuple(Stakeholder(str(s["name"]), str(s.get("position", ""))) for s in data["stakeholders"]),
                frameworks=tuple(str(f) for f in data["frameworks"]),
                urgency=UrgencyTier(data["urgency"]),
                created_at=float(data["created_at"]),
                precedents=tuple(
                    Precedent(
                        str(p["deliberation_id"]),
                        str(p["question"]),
                        Outcome(p["outcome"]) if p.get("outcome") else None,
                        float(p["similarity"]),
                    )
                    for p in data.get("precedents", ())
                ),
                outcome=Outcome(data["outcome"]) if data.get("outcome") else None,
                dissent=tuple(Dissent(str(d["stakeholder"]), str(d["reason"])) for d in data.get("dissent", ())),
                constraints=tuple(str(c) for c in data.get("constraints", ())),
                decided_by=data.get("decided_by"),
                decided_at=float(data["decided_at"]) if data.get("decided_at") is not None else None,
                context=dict(data.get("context", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(f"invalid deliberation record: {type(exc).__name__}: {exc}") from None


class DeliberationStore:
    """Deliberations in creation order, in memory. Persist with `to_dict`, restore with `from_dict`."""

    def __init__(self, deliberations: Iterable[Deliberation] = ()) -> None:
        self._items: dict[str, Deliberation] = {}
        for item in deliberations:
            self.put(item)

    def put(self, deliberation: Deliberation) -> None:
        self._items[deliberation.id] = deliberation

    def get(self, deliberation_id: str) -> Deliberation:
        try:
            return self._items[deliberation_id]
        except KeyError:
            raise NotFoundError(f"no deliberation {deliberation_id!r}") from None

    def all(self) -> tuple[Deliberation, ...]:
        return tuple(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def to_dict(self) -> dict[str, Any]:
        return {"version": 1, "deliberations": [d.to_dict() for d in self._items.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DeliberationStore:
        if not isinstance(data, Mapping) or data.get("version") != 1 or not isinstance(data.get("deliberations"), list):
            raise InputError("not a deliberation store: expected {'version': 1, 'deliberations': [...]}")
        return cls(Deliberation.from_dict(item) for item in data["deliberations"])


def _stakeholder(value: str | Mapping[str, Any] | Stakeholder) -> Stakeholder:
    if isinstance(value, Stakeholder):
        return value
    if isinstance(value, str):
        return Stakeholder(value.strip())
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):
        return Stakeholder(value["name"].strip(), str(value.get("position", "")).strip())
    raise InputError(f"a stakeholder is a name or {{'name': ..., 'position': ...}}, got {value!r}")


def _dissent(value: str | Mapping[str, Any] | Dissent, stakeholders: Sequence[str]) -> Dissent:
    if isinstance(value, Dissent):
        dissent = value
    elif isinstance(value, str):
        dissent = Dissent("", value.strip())
    elif isinstance(value, Mapping) and isinstance(value.get("reason"), str):
        dissent = Dissent(str(value.get("stakeholder", "")).strip(), value["reason"].strip())
    else:
        raise InputError(f"dissent is a reason or {{'stakeholder': ..., 'reason': ...}}, got {value!r}")
    if not dissent.reason:
        raise InputError("dissent needs a reason")
    if dissent.stakeholder and dissent.stakeholder not in stakeholders:
        raise InputError(f"dissent from {dissent.stakeholder!r}, who is not a stakeholder of this deliberation")
    return dissent


class PluralisticDeliberationOrchestrator:
    def __init__(
        self, store: DeliberationStore, *, clock: Callable[[], float] = time.time, precedent_limit: int = 5
    ) -> None:
        self.store = store
        self._clock = clock
        self._precedent_limit = precedent_limit  # how many precedents to show a person, not a threshold

    def deliberate(
        self,
        question: str,
        stakeholders: Sequence[str | Mapping[str, Any] | Stakeholder],
        frameworks: Sequence[str],
        urgency: UrgencyTier | str,
        *,
        context: Mapping[str, Any] | None = None,
    ) -> Deliberation:
        """Open a deliberation. Its outcome stays empty until a person records one."""
        question = " ".join(str(question).split())
        if not question:
            raise InputError("a deliberation needs a question")
        people = tuple(_stakeholder(s) for s in stakeholders)
        names = [p.name for p in people]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise InputError("stakeholders need distinct, non-empty names")
        if len(people) < 2:
            raise InputError("a pluralistic deliberation needs at least two stakeholders")
        framework_names = tuple(" ".join(str(f).split()) for f in frameworks)
        if not framework_names or any(not f for f in framework_names):
            raise InputError("name at least one moral framework that bears on the question")
        try:
            tier = UrgencyTier(str(urgency).lower())
        except ValueError:
            raise InputError(f"unknown urgency {urgency!r}; expected one of {[t.value for t in UrgencyTier]}") from None
        deliberation = Deliberation(
            id=f"dlb-{len(self.store) + 1:05d}-{sha256_hex(question)[:8]}",
            question=question,
            stakeholders=people,
            frameworks=framework_names,
            urgency=tier,
            created_at=self._clock(),
            precedents=tuple(self.precedents(question)),
            context=dict(context or {}),
        )
        self.store.put(deliberation)
        return deliberation

    def record_outcome(
        self,
        deliberation_id: str,
        outcome: Outcome | str,
        dissent: Sequence[str | Mapping[str, Any] | Dissent] = (),
        constraints: Sequence[str] = (),
        *,
        decided_by: str = "",
    ) -> Deliberation:
        """Record what the people decided. A decided deliberation is final: record once."""
        current = self.store.get(deliberation_id)
        if current.decided:
            raise InputError(f"deliberation {deliberation_id} was already decided ({current.outcome})")
        try:
            result = Outcome(str(outcome).lower())
        except ValueError:
            raise InputError(f"unknown outcome {outcome!r}; expected one of {[o.value for o in Outcome]}") from None
        kept = tuple(" ".join(str(c).split()) for c in constraints if str(c).strip())
        if result == Outcome.APPROVED_WITH_CONSTRAINTS and not kept:
            raise InputError("an approval with constraints needs at least one constraint")
        if result != Outcome.APPROVED_WITH_CONSTRAINTS and kept:
            raise InputError(f"constraints were given, so the outcome is {Outcome.APPROVED_WITH_CONSTRAINTS.value}, not {result.value}")
        names = [s.name for s in current.stakeholders]
        decided = replace(
            current,
            outcome=result,
            dissent=tuple(_dissent(d, names) for d in dissent),
            constraints=kept,
            decided_by=decided_by.strip() or None,
            decided_at=self._clock(),
        )
        self.store.put(decided)
        return decided

    def precedents(self, question: str) -> list[Precedent]:
        """Earlier deliberations whose questions share words with `question`, most similar first."""
        words = content_words(question)
        found = [
            Precedent(d.id, d.question, d.outcome, jaccard(words, content_words(d.question))) for d in self.store.all()
        ]
        found = [p for p in found if p.similarity > 0]
        found.sort(key=lambda p: (-p.similarity, p.deliberation_id))
        return found[: self._precedent_limit]
