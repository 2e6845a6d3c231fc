"""The tool gate: an agent's own tool runs only under an ALLOW decision bound to this exact call.

Defence in depth behind the governed proxy. The proxy already removes blocked tool calls from
model answers, but an agent can reach its tools by other paths (a bug, a prompt injection in a
tool result, code that ignores the model). The gate sits on the tool itself:

    gate = ToolGate(governor, agent_id="agl:rollout-1:0")

    @gate.tool("send_email")
    def send_email(to: str, body: str) -> str: ...

    send_email(to="a@example.com", body="hi")   # decided, audited, then run, or ToolCallRefused

Each call is turned into an `Action(kind=tool_call, tool=name, arguments=<bound arguments>)`
and decided by the governor (so it is audited). The tool body runs only if the verdict is
ALLOW and the decision's `action_digest` equals the digest of *this* call's action: a decision
obtained for other arguments, another tool or another agent cannot unlock it. An authorization
obtained earlier (`gate.authorize`) can be presented with `gate.run`, under the same binding.
Anything else, including a governor that raises, refuses the call: the gate fails closed.
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol, TypeVar

from tractatus.governance.actions import Action, ActionKind, Decision, Verdict

T = TypeVar("T")


class Deciding(Protocol):
    def decide(self, action: Action) -> Decision: ...


class ToolCallRefused(PermissionError):
    """The tool did not run. `decision` is the governor's decision, if there was one."""

    def __init__(self, message: str, decision: Decision | None = None) -> None:
        super().__init__(message)
        self.decision = decision


@dataclass(frozen=True, slots=True)
class Authorization:
    """A decision together with the action it was made for."""

    action: Action
    decision: Decision


class ToolGate:
    def __init__(
        self, governor: Deciding, *, agent_id: str, context: Mapping[str, Any] | None = None
    ) -> None:
        self.governor = governor
        self.agent_id = agent_id
        self.context = dict(context or {})

    def action_for(self, tool: str, arguments: Mapping[str, Any]) -> Action:
        return Action(
            kind=ActionKind.TOOL_CALL.value,
            agent_id=self.agent_id,
            tool=tool,
            arguments=dict(arguments),
            context=self.context,
        )

    def authorize(self, tool: str, arguments: Mapping[str, Any]) -> Authorization:
        """Ask the governor about one call (the decision is audited by the governor)."""
        action = self.action_for(tool, arguments)
        try:
            decision = self.governor.decide(action)
        except Exception as exc:
            raise ToolCallRefused(
                f"tool {tool!r} refused: governance unavailable ({type(exc).__name__})"
            ) from None
        return Authorization(action, decision)

    def run(
        self, authorization: Authorization, tool: str, func: Callable[..., T], arguments: Mapping[str, Any]
    ) -> T:
        """Run `func(**arguments)` if `authorization` allows exactly this call."""
        expected = self.action_for(tool, arguments).digest()
        decision = authorization.decision
        if decision.action_digest != expected or authorization.action.digest() != expected:
            raise ToolCallRefused(
                f"tool {tool!r} refused: the decision was made for a different call", decision
            )
        if decision.verdict != Verdict.ALLOW:
            rules = ", ".join(decision.rule_ids) or "policy"
            raise ToolCallRefused(f"tool {tool!r} refused: {decision.verdict.label} ({rules})", decision)
        return func(**arguments)

    def call(self, tool: str, func: Callable[..., T], arguments: Mapping[str, Any]) -> T:
        return self.run(self.authorize(tool, arguments), tool, func, arguments)

    def tool(self, name: str | None = None) -> Callable[[Callable[..., T]], Callable[..., T]]:
        """Decorator: every call of the function goes through `call` under the tool's name."""

        def wrap(func: Callable[..., T]) -> Callable[..., T]:
            signature = inspect.signature(func)
            tool_name = name or func.__name__
            if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
                # A decision is bound to named arguments; *args/**kwargs would make that ambiguous.
                raise TypeError(f"gated tool {tool_name!r} must not take *args or **kwargs")

            @functools.wraps(func)
            def gated(*args: Any, **kwargs: Any) -> T:
                bound = signature.bind(*args, **kwargs)
                bound.apply_defaults()  # the decision covers defaults too: they are part of the call
                return self.call(tool_name, func, dict(bound.arguments))

            return gated

        return wrap
