"""The one small interface every detector and service implements (the registry is registry.py).

A check is built once per loaded policy from its validated settings, then evaluated for many
actions. It must be a pure function of (action, normalized text, settings) unless it declares
`stateful = True`, in which case it may read the `GovernanceState` it is given; the governor
caches the findings of stateless checks by content.

A check may also declare `bounded = True` (optional, default False): its time is at most linear
in its input and it never blocks or waits (arithmetic on the action's context, RE2, dictionary
lookups; no backtracking `re`, no I/O, no model). The governor then runs it on the caller's
thread when the text is small and nothing unbounded is pending, skipping the watchdog's thread
hop; the elapsed time is still held to the budget and fails closed past it. A thread that is
running on the caller's stack cannot be abandoned, so a check that could hang must not claim it.

Like Presidio's recognizers: small classes behind one interface, composed by a registry. This
module is the ground floor of that design: it imports only the shared vocabulary (actions.py), so
every check can import it and nothing here imports a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Sequence, runtime_checkable

from pydantic import BaseModel, ConfigDict

from tractatus.governance.actions import Action, Finding

if TYPE_CHECKING:
    from tractatus.governance.normalize import NormalizedText
    from tractatus.governance.state import GovernanceState


class CheckSettings(BaseModel):
    """Base of every check's settings model. Unknown fields are an error, so typos are caught."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True, slots=True)
class CheckContext:
    action: Action
    text: NormalizedText
    state: GovernanceState


@runtime_checkable
class Check(Protocol):
    name: ClassVar[str]  # the name policies use, e.g. "pii", "boundary_enforcer"
    kind: ClassVar[str]  # "detector" or "service"
    stateful: ClassVar[bool]  # True if evaluate reads GovernanceState (never cached)
    Settings: ClassVar[type[CheckSettings]]

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]: ...


class CheckFactory(Protocol):
    name: ClassVar[str]
    kind: ClassVar[str]
    stateful: ClassVar[bool]
    Settings: ClassVar[type[CheckSettings]]

    def __call__(self, settings: Any) -> Check: ...
