"""ContextPressureMonitor: pressure rises with session metrics; missing metrics are no pressure."""

from __future__ import annotations

import pytest
from conftest import policy_settings

from tractatus.governance.actions import Action, Verdict, VerificationLevel
from tractatus.governance.checks import CheckContext
from tractatus.governance.errors import InputError
from tractatus.governance.normalize import normalize
from tractatus.governance.services.context_pressure import (
    ContextPressureMonitor,
    ContextPressureSettings,
    PressureLevel,
)
from tractatus.governance.state import GovernanceState

CALM = {"tokens_used": 5_000, "token_budget": 200_000, "messages": 4, "task_complexity": 0.2, "errors_recent": 0, "instructions_active": 2}
SATURATED = {"tokens_used": 200_000, "token_budget": 200_000, "messages": 150, "task_complexity": 1.0, "errors_recent": 9, "instructions_active": 40}


def check(monitor: ContextPressureMonitor, context: dict) -> list:
    action = Action(text="continuing the task", context=context)
    return list(monitor.evaluate(CheckContext(action=action, text=normalize(action.text), state=GovernanceState())))


def test_calm_session_is_normal(pressure: ContextPressureMonitor) -> None:
    report = pressure.analyze(CALM)
    assert report.level == PressureLevel.NORMAL
    assert report.verification == VerificationLevel.OPTIONAL
    assert not report.human_required
    assert set(report.components) == {"token_usage", "conversation_length", "task_complexity", "error_frequency", "instruction_density"}


def test_saturated_session_is_dangerous_and_needs_a_person(pressure: ContextPressureMonitor) -> None:
    report = pressure.analyze(SATURATED)
    assert report.score == pytest.approx(1.0)
    assert report.level == PressureLevel.DANGEROUS
    assert report.human_required and report.verification == VerificationLevel.MANDATORY


def test_score_is_the_weighted_sum_of_saturated_ratios(pressure: ContextPressureMonitor) -> None:
    s = policy_settings(ContextPressureMonitor)
    metrics = {"tokens_used": 50_000, "token_budget": 100_000, "messages": 50, "errors_recent": 10}
    expected = s.weights["token_usage"] * 0.5 + s.weights["conversation_length"] * 50 / s.saturation.messages + s.weights["error_frequency"] * 1.0
    assert pressure.analyze(metrics).score == pytest.approx(expected)


def test_each_level_raises_the_verification_required(pressure: ContextPressureMonitor) -> None:
    reports = [
        pressure.analyze({"tokens_used": t, "token_budget": 100, "messages": m, "task_complexity": c, "errors_recent": e, "instructions_active": i})
        for t, m, c, e, i in [(0, 0, 0, 0, 0), (60, 40, 0.5, 0, 5), (80, 70, 0.7, 2, 10), (90, 90, 0.9, 4, 20), (100, 100, 1, 5, 30)]
    ]
    levels = [r.level for r in reports]
    assert levels == sorted(levels) and levels[0] == PressureLevel.NORMAL and levels[-1] == PressureLevel.DANGEROUS
    order = [VerificationLevel.OPTIONAL, VerificationLevel.RECOMMENDED, VerificationLevel.REQUIRED, VerificationLevel.MANDATORY]
    ranks = [order.index(r.verification) for r in reports]
    assert ranks == sorted(ranks)


def test_a_nearly_exhausted_context_window_is_at_least_critical(pressure: ContextPressureMonitor) -> None:
    report = pressure.analyze({"tokens_used": 196_000, "token_budget": 200_000})
    assert report.level >= PressureLevel.CRITICAL
    assert pressure.analyze({"tokens_used": 100_000, "token_budget": 200_000}).level == PressureLevel.NORMAL


def test_missing_metrics_are_not_pressure(pressure: ContextPressureMonitor) -> None:
    assert pressure.analyze({}).level == PressureLevel.NORMAL
    assert pressure.analyze({"consent": True, "channel": "email"}).score == 0.0
    assert pressure.analyze({"tokens_used": 10**9}).score == 0.0  # no budget: no ratio
    assert check(pressure, {}) == []


@pytest.mark.parametrize(
    "bad",
    [{"messages": -1}, {"errors_recent": "many"}, {"task_complexity": 3}, {"tokens_used": 5, "token_budget": 0}, {"messages": float("nan")}, {"messages": True}],
)
def test_malformed_metrics_are_input_errors(pressure: ContextPressureMonitor, bad: dict) -> None:
    with pytest.raises(InputError):
        pressure.analyze(bad)


def test_as_a_check_dangerous_escalates_and_high_warns(pressure: ContextPressureMonitor) -> None:
    assert check(pressure, CALM) == []
    (dangerous,) = check(pressure, SATURATED)
    assert dangerous.verdict == Verdict.ESCALATE and dangerous.rule_id == "context_pressure.dangerous"
    high = {"tokens_used": 80, "token_budget": 100, "messages": 70, "task_complexity": 0.5}
    assert pressure.analyze(high).level == PressureLevel.HIGH
    (warning,) = check(pressure, high)
    assert warning.verdict == Verdict.WARN


def test_settings_are_validated() -> None:
    good = policy_settings(ContextPressureMonitor).model_dump()
    with pytest.raises(ValueError, match="sum to 1"):
        ContextPressureSettings.model_validate({**good, "weights": {**good["weights"], "token_usage": 0.9}})
    with pytest.raises(ValueError, match="increase"):
        ContextPressureSettings.model_validate({**good, "thresholds": {"elevated": 0.5, "high": 0.4, "critical": 0.7, "dangerous": 0.9}})
