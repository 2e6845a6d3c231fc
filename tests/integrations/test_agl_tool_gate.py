"""The tool gate: a tool body runs only under an ALLOW decision for exactly this call."""

from __future__ import annotations

import pytest

from tractatus.governance.actions import Action, Decision
from tractatus.governance.audit import AuditLog
from tractatus.governance.governor import Governor
from tractatus.integrations.agentlightning.tool_gate import ToolCallRefused, ToolGate


@pytest.fixture
def gate(governor: Governor) -> ToolGate:
    return ToolGate(governor, agent_id="agl:r1:0")


def test_an_allowed_call_runs_and_is_audited(gate: ToolGate, audit: AuditLog) -> None:
    ran: list[str] = []

    @gate.tool()
    def search(q: str, limit: int = 5) -> str:
        ran.append(q)
        return f"{limit} results for {q}"

    assert search("bus lanes") == "5 results for bus lanes"
    assert ran == ["bus lanes"]
    entry = audit.tail(1)[0]
    assert entry.verdict == "allow" and entry.payload["tool"] == "search" and entry.agent_id == "agl:r1:0"


def test_blocked_calls_never_run(gate: ToolGate) -> None:
    ran: list[object] = []

    @gate.tool("read_file")
    def read_file(path: str) -> str:
        ran.append(path)
        return "secret"

    @gate.tool("shell.exec")
    def shell(command: str) -> None:
        ran.append(command)

    @gate.tool()
    def not_in_policy() -> None:
        ran.append("unknown")

    @gate.tool("send_email")
    def send_email(to: str, body: str) -> None:
        ran.append(body)

    with pytest.raises(ToolCallRefused, match=r"read_file\.no-secrets"):
        read_file("/home/me/.ssh/id_rsa")
    with pytest.raises(ToolCallRefused, match="block"):
        shell("ls")
    with pytest.raises(ToolCallRefused, match=r"tool\.unknown"):
        not_in_policy()
    with pytest.raises(ToolCallRefused) as refused:
        send_email("press@example.org", "Call Maria on (555) 201-3344, her SSN is 078-05-1120.")
    assert refused.value.decision is not None and refused.value.decision.verdict.label == "block"
    assert ran == []
    assert read_file("/srv/app/README.md") == "secret" and ran == ["/srv/app/README.md"]  # benign: runs


def test_a_decision_for_other_arguments_does_not_unlock_a_call(gate: ToolGate) -> None:
    ran: list[str] = []

    def read_file(path: str) -> str:
        ran.append(path)
        return path

    allowed = gate.authorize("read_file", {"path": "/srv/app/README.md"})
    assert allowed.decision.allowed
    with pytest.raises(ToolCallRefused, match="different call"):
        gate.run(allowed, "read_file", read_file, {"path": "/home/me/.ssh/id_rsa"})
    with pytest.raises(ToolCallRefused, match="different call"):
        gate.run(allowed, "search", read_file, {"path": "/srv/app/README.md"})
    other_agent = ToolGate(gate.governor, agent_id="agl:r2:0")
    with pytest.raises(ToolCallRefused, match="different call"):
        other_agent.run(allowed, "read_file", read_file, {"path": "/srv/app/README.md"})
    assert ran == []
    assert gate.run(allowed, "read_file", read_file, {"path": "/srv/app/README.md"}) == "/srv/app/README.md"


class DownGovernor:
    def decide(self, action: Action) -> Decision:
        raise ConnectionError("governor unreachable")


def test_no_governor_means_no_tool() -> None:
    ran: list[int] = []
    gate = ToolGate(DownGovernor(), agent_id="a")

    @gate.tool("search")
    def search(q: str) -> None:
        ran.append(1)

    with pytest.raises(ToolCallRefused, match="governance unavailable"):
        search("x")
    assert ran == []


def test_tools_with_variadic_arguments_are_rejected(gate: ToolGate) -> None:
    with pytest.raises(TypeError, match=r"\*args"):

        @gate.tool("search")
        def search(*queries: str) -> None: ...
