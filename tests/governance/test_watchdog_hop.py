"""The watchdog's thread hop is skipped only where nothing can hang (issue 12, item 6).

A check that declares `bounded = True` runs on the caller's thread when the text is small and
nothing unbounded is pending; everything else still runs on the watchdog pool, where a hung
check times out and fails closed. A bounded check that overruns the budget fails closed too.
Checks are injected through the registry; nothing in the governor is patched."""

from __future__ import annotations

import threading
import time
from typing import ClassVar, Sequence

from tractatus.governance.actions import Action, Finding, Verdict
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.governor import Governor
from tractatus.governance.policy import parse_policy
from tractatus.governance.registry import default_registry


def policy_text(checks: list[str], cache_entries: int = 0) -> str:
    return (
        "version: 1\nname: hop\n"
        f"limits: {{max_text_bytes: 1000000, check_timeout_ms: 50, cache_entries: {cache_entries}}}\n"
        "on_error: block\n"
        "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}\n"
        "checks:\n" + "".join(f"  {name}:\n    kinds: [message]\n" for name in checks)
    )


class Recorder:
    """Records the thread each evaluation ran on; `delay_s` makes it overrun or hang."""

    name: ClassVar[str] = "recorder"
    kind: ClassVar[str] = "detector"
    stateful: ClassVar[bool] = False
    bounded: ClassVar[bool] = False
    delay_s: ClassVar[float] = 0.0
    threads: ClassVar[list[int]]

    class Settings(CheckSettings):
        pass

    def __init__(self, settings: Settings) -> None:
        pass

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        type(self).threads.append(threading.get_ident())
        if self.delay_s:
            time.sleep(self.delay_s)
        return []


def recorder(name: str, *, bounded: bool, delay_s: float = 0.0) -> type[Recorder]:
    return type(name, (Recorder,), {"name": name, "bounded": bounded, "delay_s": delay_s, "threads": []})


def governor_with(*checks: type[Recorder], cache_entries: int = 0) -> Governor:
    registry = {check.name: check for check in checks}
    return Governor(parse_policy(policy_text([c.name for c in checks], cache_entries), registry=registry), registry=registry)


def test_a_bounded_check_runs_on_the_callers_thread() -> None:
    fast = recorder("fast", bounded=True)
    with governor_with(fast) as gov:
        decision = gov.decide(Action(text="hello there"))
    assert decision.verdict == Verdict.ALLOW
    assert fast.threads == [threading.get_ident()]


def test_an_unbounded_check_still_runs_on_the_watchdog() -> None:
    plain = recorder("plain", bounded=False)
    with governor_with(plain) as gov:
        gov.decide(Action(text="hello there"))
    assert len(plain.threads) == 1 and plain.threads[0] != threading.get_ident()


def test_with_an_unbounded_check_pending_the_bounded_one_goes_along_to_the_watchdog() -> None:
    fast, plain = recorder("fast", bounded=True), recorder("plain", bounded=False)
    with governor_with(fast, plain) as gov:
        gov.decide(Action(text="hello there"))
    assert fast.threads and fast.threads == plain.threads and fast.threads[0] != threading.get_ident()


def test_a_bounded_check_on_long_text_goes_to_the_watchdog() -> None:
    fast = recorder("fast", bounded=True)
    with governor_with(fast) as gov:
        gov.decide(Action(text="word " * 1000))  # 5,000 characters, over the inline limit
    assert len(fast.threads) == 1 and fast.threads[0] != threading.get_ident()


def test_a_hung_unbounded_check_times_out_and_fails_closed() -> None:
    hung = recorder("hung", bounded=False, delay_s=2.0)
    with governor_with(hung) as gov:
        started = time.perf_counter()
        decision = gov.decide(Action(text="hello there"))
        waited = time.perf_counter() - started
    assert waited < 1.0  # the budget is 50 ms: the caller did not wait for the check
    assert decision.verdict == Verdict.BLOCK
    timeout = next(f for f in decision.findings if f.rule_id == "engine.check_timeout")
    assert timeout.source == "hung"


def test_a_bounded_check_over_budget_fails_closed_on_the_callers_thread() -> None:
    overrun = recorder("overrun", bounded=True, delay_s=0.12)  # past the 50 ms budget, then returns
    with governor_with(overrun) as gov:
        decision = gov.decide(Action(text="hello there"))
    assert overrun.threads == [threading.get_ident()]
    assert decision.verdict == Verdict.BLOCK
    assert [f.source for f in decision.findings if f.rule_id == "engine.check_timeout"] == ["overrun"]


def test_a_cache_hit_does_no_work_at_all() -> None:
    plain = recorder("plain", bounded=False)
    with governor_with(plain, cache_entries=10) as gov:
        first = gov.decide(Action(text="hello there"))
        second = gov.decide(Action(text="hello there"))
    assert first.verdict == second.verdict == Verdict.ALLOW
    assert len(plain.threads) == 1  # the second decision came from the cache


def test_only_checks_that_cannot_hang_claim_bounded() -> None:
    # A check joining this list must be arithmetic, RE2 or lookups (checks.py): review it here.
    bounded = {name for name, cls in default_registry().items() if getattr(cls, "bounded", False) is True}
    assert bounded == {"context_pressure_monitor"}


def test_the_context_pressure_monitor_decides_the_same_inline_as_on_the_watchdog() -> None:
    """The real bounded check, with the default policy's settings, against the same check made
    unbounded: the same verdicts, and high pressure is still flagged."""
    import json

    from tractatus.governance.policy import bundled_policy_path, load_policy
    from tractatus.governance.services.context_pressure import ContextPressureMonitor

    settings = load_policy(bundled_policy_path("default")).document.checks["context_pressure_monitor"].settings
    text = policy_text(["context_pressure_monitor"]).replace("[message]", f"[message]\n    settings: {json.dumps(settings)}")
    unbounded = type("Unbounded", (ContextPressureMonitor,), {"bounded": False})
    verdicts = {}
    for label, check in (("inline", ContextPressureMonitor), ("watchdog", unbounded)):
        registry = {"context_pressure_monitor": check}
        with Governor(parse_policy(text, registry=registry), registry=registry) as gov:
            verdicts[label] = [
                gov.decide(Action(text="status update", context=metrics)).verdict
                for metrics in ({}, {"tokens_used": 999, "token_budget": 1000, "errors_recent": 50})
            ]
    assert verdicts["inline"] == verdicts["watchdog"]
    assert verdicts["inline"][0] == Verdict.ALLOW and verdicts["inline"][1] != Verdict.ALLOW
