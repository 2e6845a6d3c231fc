"""Every check runs under the policy's time budget, tool rules included, and a check that runs out
of time fails closed (block, or escalate when the policy says so) and is audited like any decision.

Slow checks are injected through the registry and slow clocks through the constructor; nothing in
the governor is patched."""

from __future__ import annotations

import threading
import time
from typing import ClassVar, Sequence

import pytest

from tractatus.governance.actions import Action, Finding, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.governor import Governor
from tractatus.governance.policy import bundled_policy_path, load_policy, parse_policy

POLICY = """\
version: 1
name: timeouts
limits: {max_text_bytes: 1000000, check_timeout_ms: 50, cache_entries: 100}
on_error: block
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
tools:
  known: {shell.exec: allow, search: allow}
rules:
  - id: shell.rm-root
    tool: shell.exec
    when: {command: {regex: '(?i)\\brm\\s+-[a-z]*r[a-z]*f?[a-z]*\\s+(/|~)(\\s|$)'}}
    verdict: block
    severity: critical
"""
SLOW = "checks:\n  slow:\n    kinds: [tool_call, message]\n"


class SlowCheck:
    """Blocks until released: a check that hangs past any budget."""

    name: ClassVar[str] = "slow"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    release: ClassVar[threading.Event] = threading.Event()

    class Settings(CheckSettings):
        pass

    def __init__(self, settings: Settings) -> None:
        pass

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        self.release.wait(5)
        return []


@pytest.fixture
def slow_registry():
    SlowCheck.release.clear()
    yield {"slow": SlowCheck}
    SlowCheck.release.set()


def call(command: str, tool: str = "shell.exec") -> Action:
    return Action(kind="tool_call", tool=tool, arguments={"command": command})


def test_a_slow_check_on_a_tool_call_blocks_and_the_rules_still_ran(slow_registry) -> None:
    with Governor(parse_policy(POLICY + SLOW, registry=slow_registry), registry=slow_registry) as gov:
        started = time.perf_counter()
        decision = gov.decide(call("rm -rf /"))
        assert time.perf_counter() - started < 1.0
    assert decision.verdict == Verdict.BLOCK
    timeout = next(f for f in decision.findings if f.rule_id == "engine.check_timeout")
    assert timeout.source == "slow" and timeout.verdict == Verdict.BLOCK


def test_a_timeout_escalates_when_the_policy_says_so(slow_registry) -> None:
    policy = parse_policy((POLICY + SLOW).replace("on_error: block", "on_error: escalate"), registry=slow_registry)
    with Governor(policy, registry=slow_registry) as gov:
        decision = gov.decide(call("ls"))
    assert decision.verdict == Verdict.ESCALATE
    assert decision.rule_ids == ("engine.check_timeout",)


def test_a_timed_out_decision_is_audited(slow_registry, tmp_path) -> None:
    audit = open_audit_log(tmp_path / "audit.db")
    try:
        with Governor(parse_policy(POLICY + SLOW, registry=slow_registry), registry=slow_registry, audit=audit) as gov:
            decision = gov.decide(Action(text="hello"))
        entry = audit.tail(1)[0]
        assert decision.audit_seq == entry.seq
        assert entry.verdict == "block" and "engine.check_timeout" in entry.rule_ids
        assert audit.verify().ok
    finally:
        audit.close()


class SteppingClock:
    """Each reading is a second after the last: whatever runs between two readings "took" 1 s."""

    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        self.now += 1_000_000_000
        return self.now


def test_tool_rules_that_overrun_the_budget_fail_closed_even_inline() -> None:
    gov = Governor(parse_policy(POLICY, registry={}), registry={}, clock=SteppingClock())
    decision = gov.decide(call("ls -la"))
    assert decision.verdict == Verdict.BLOCK
    assert decision.rule_ids == ("engine.check_timeout",)
    assert decision.findings[0].source == "tool_rules"


def test_tool_rules_on_large_arguments_run_under_the_watchdog() -> None:
    # 1 microsecond, and a rule with no literal or anchor to skip ahead by, scanning 900 KB: no thread makes it.
    tight = POLICY.replace("check_timeout_ms: 50", "check_timeout_ms: 0.001") + (
        "  - {id: shell.digits, tool: shell.exec, when: {command: {regex: '[a-z]+[0-9]'}}, verdict: block}\n"
    )
    with Governor(parse_policy(tight, registry={}), registry={}) as gov:
        decision = gov.decide(call("echo " + "x" * 900_000))
    assert decision.verdict == Verdict.BLOCK
    assert [f.source for f in decision.findings] == ["tool_rules"]


def test_tools_without_rules_skip_the_rule_machinery() -> None:
    gov = Governor(parse_policy(POLICY, registry={}), registry={}, clock=SteppingClock())
    assert gov.evaluate(call("anything", tool="search")).verdict == Verdict.ALLOW


REDOS_CASES = [
    ("shell.exec", {"command": "rm -" + "r" * 1_600}),  # 9.9 s under Python's re
    ("shell.exec", {"command": "rm -" + "r" * 1_600 + " /"}),
    ("shell.exec", {"command": "rm -rf " + " " * 1_600 + "x"}),
    ("db.query", {"database": "production", "sql": " " * 1_600 + "drop"}),
    ("http_get", {"url": "http://" + "169.254." * 200}),
]


@pytest.mark.parametrize(("tool", "arguments"), REDOS_CASES)
@pytest.mark.parametrize("policy_name", ["default", "agentlightning", "service"])
def test_the_issues_redos_cases_decide_fast_and_never_allow(policy_name: str, tool: str, arguments: dict) -> None:
    policy = load_policy(bundled_policy_path(policy_name))
    if tool not in policy.document.tools.known:
        pytest.skip(f"{policy_name} does not declare {tool}")
    with Governor(policy) as gov:
        gov.evaluate(Action(kind="tool_call", tool=tool, arguments={"warm": "up"}))
        started = time.perf_counter()
        decision = gov.evaluate(Action(kind="tool_call", tool=tool, arguments=arguments))
        elapsed = time.perf_counter() - started
    assert elapsed < 0.1, f"{elapsed * 1000:.0f} ms"
    assert decision.verdict != Verdict.ALLOW


class ColdCheck:
    """Takes 0.3 s on every run: longer than the ordinary budget, shorter than the first-run one."""

    name: ClassVar[str] = "cold"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False

    class Settings(CheckSettings):
        pass

    def __init__(self, settings: Settings) -> None:
        pass

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        time.sleep(0.3)
        return []


def test_a_first_run_gets_the_first_run_budget_and_later_runs_the_ordinary_one() -> None:
    registry = {"cold": ColdCheck}
    policy = (POLICY + "checks:\n  cold:\n    kinds: [message]\n").replace(
        "check_timeout_ms: 50,", "check_timeout_ms: 50, first_check_timeout_ms: 3000,"
    )
    with Governor(parse_policy(policy, registry=registry), registry=registry) as gov:
        first = gov.decide(Action(kind="message", text="first"))
        second = gov.decide(Action(kind="message", text="second"))
    assert first.verdict == Verdict.ALLOW  # loading once is not a failure
    assert second.verdict == Verdict.BLOCK  # the same slowness later is
    assert any(f.rule_id == "engine.check_timeout" for f in second.findings)


def test_without_a_first_run_budget_a_slow_first_run_fails_closed() -> None:
    registry = {"cold": ColdCheck}
    with Governor(parse_policy(POLICY + "checks:\n  cold:\n    kinds: [message]\n", registry=registry), registry=registry) as gov:
        assert gov.decide(Action(kind="message", text="first")).verdict == Verdict.BLOCK
