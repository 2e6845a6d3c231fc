"""The context pressure check's shortcut for actions without metrics gives what `analyze` gives."""

from __future__ import annotations

import pytest

from conftest import policy_settings
from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.services.context_pressure import ContextPressureMonitor, ContextPressureSettings
from tractatus.governance.state import GovernanceState


def _ctx(context: dict) -> CheckContext:
    return CheckContext(action=Action(text="hello", context=context), text=normalize("hello"), state=GovernanceState())


@pytest.mark.parametrize("normal_verdict", ["allow", "warn", "escalate"])
@pytest.mark.parametrize("context", [{}, {"session": "abc", "consent": True}])
def test_no_metrics_decides_as_analyze_does(normal_verdict: str, context: dict) -> None:
    base = policy_settings(ContextPressureMonitor)
    settings = ContextPressureSettings.model_validate(
        {**base.model_dump(), "level_verdicts": {**base.level_verdicts, "normal": normal_verdict}}
    )
    monitor = ContextPressureMonitor(settings)
    shortcut = monitor.evaluate(_ctx(context))
    monitor._report_without_metrics = monitor.analyze(context)  # the long way, for the same action
    assert shortcut == monitor.evaluate(_ctx(context))
    assert bool(shortcut) == (normal_verdict != "allow")


def test_any_metric_takes_the_long_way() -> None:
    monitor = ContextPressureMonitor(policy_settings(ContextPressureMonitor))
    assert monitor.evaluate(_ctx({"messages": 10_000, "errors_recent": 10_000, "instructions_active": 10_000, "task_complexity": 1}))
