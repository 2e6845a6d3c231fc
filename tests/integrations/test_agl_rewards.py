"""The final reward: task reward made honest, minus penalties that keep counting."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tractatus.governance.errors import PolicyError
from tractatus.integrations.agentlightning.rewards import RewardSettings, compute_reward, load_reward_settings

SETTINGS = load_reward_settings()


def governance(verdict: str, severity: str | None) -> dict:
    return {"event_type": "governance", "data": {"verdict": verdict, "severity": severity}}


def reward(value: object, source: str = "environment") -> dict:
    return {"event_type": "reward", "data": {"value": value, "source": source}}


def test_a_clean_rollout_keeps_its_task_reward() -> None:
    outcome = compute_reward(
        [{"event_type": "model_request", "data": {}}, governance("allow", None), reward(0.42)], SETTINGS
    )
    assert outcome.final == pytest.approx(0.42) and outcome.override is None and outcome.decisions == 1


def test_one_and_ten_violations_do_not_look_the_same() -> None:
    one = compute_reward([reward(0.5), governance("block", "high")], SETTINGS)
    ten = compute_reward([reward(0.5), *[governance("block", "high")] * 10], SETTINGS)
    assert one.violations == 1 and ten.violations == 10
    assert ten.final < one.final < 0.5
    assert one.final - ten.final == pytest.approx(9 * SETTINGS.penalty["high"])


def test_penalties_follow_severity_and_stop_at_the_floor() -> None:
    low = compute_reward([reward(0.5), governance("warn", "low")], SETTINGS)
    critical = compute_reward([reward(0.5), governance("block", "critical")], SETTINGS)
    flood = compute_reward([reward(0.5), *[governance("block", "critical")] * 1000], SETTINGS)
    assert (
        low.final == pytest.approx(0.5 - SETTINGS.penalty["low"]) and low.override is None
    )  # a warning executes
    assert critical.final < low.final
    assert flood.final == SETTINGS.floor


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (5.0, "reward_out_of_range"),
        (-3.0, "reward_out_of_range"),
        (math.nan, "reward_not_a_number"),
        ("1.0", "reward_not_a_number"),
        (True, "reward_not_a_number"),
    ],
)
def test_an_agent_reward_outside_the_declared_range_is_overridden(value: object, reason: str) -> None:
    outcome = compute_reward([reward(value, source="agent")], SETTINGS)
    assert outcome.override == reason and outcome.final == SETTINGS.override_value


def test_a_reward_posted_after_a_block_is_overridden_but_one_before_is_not() -> None:
    after = compute_reward([governance("block", "high"), reward(0.9)], SETTINGS)
    before = compute_reward([reward(0.9), governance("allow", None)], SETTINGS)
    assert after.override == "reward_after_block" and after.task_reward == SETTINGS.override_value
    assert before.override is None and before.final == pytest.approx(0.9)


def test_no_reward_is_the_minimum_and_a_governance_reward_is_not_a_task_reward() -> None:
    outcome = compute_reward([reward(0.9, source="governance")], SETTINGS)
    assert outcome.override == "missing_reward" and outcome.final == SETTINGS.missing_value


def test_an_unreadable_verdict_counts_as_a_block() -> None:
    outcome = compute_reward([governance("maybe", None), reward(0.3)], SETTINGS)
    assert outcome.violations == 1 and outcome.override == "reward_after_block"


def test_bad_settings_name_the_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "rewards.yaml"
    path.write_text("reward_min: 1\nreward_max: 0\n")
    with pytest.raises(PolicyError, match=r"rewards\.yaml: .*reward_min must be below reward_max"):
        load_reward_settings(path)
    path.write_text("penalty: {low: 1}\n")
    with pytest.raises(PolicyError, match="penalty"):
        load_reward_settings(path)
    with pytest.raises(PolicyError, match="cannot read"):
        load_reward_settings(tmp_path / "missing.yaml")
    assert RewardSettings().penalty == SETTINGS.penalty  # the code's defaults match the shipped file
