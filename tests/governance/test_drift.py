"""The drift monitor fires on a planted shift, stays quiet on stationary streams, and can hold an agent."""

from __future__ import annotations

import numpy as np
import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.drift import (
    DriftMonitor,
    DriftSettings,
    drift_settings_from,
    hold_verdict,
    two_proportion_z,
)
from tractatus.governance.errors import PolicyError
from tractatus.governance.governor import Governor
from tractatus.governance.policy import parse_policy
from tractatus.governance.state import GovernanceState


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def _monitor(**overrides: object) -> DriftMonitor:
    settings = DriftSettings(**{"on_alert": "record", **overrides})
    return DriftMonitor(settings, GovernanceState(clock=FakeClock()), clock=FakeClock())


def _feed(monitor: DriftMonitor, agent: str, attempts: np.ndarray, rules: list[str] | None = None) -> list[int]:
    """Feed a 0/1 attempt stream; returns the indices at which alerts fired."""
    fired = []
    for i, attempted in enumerate(attempts):
        rule = (rules[i] if rules else "clickbait.curiosity_gap") if attempted else None
        if monitor.observe(agent, rule) is not None:
            fired.append(i)
    return fired


def test_z_statistic_matches_textbook_value() -> None:
    # 10/100 vs 30/100: pooled p = 0.2, se = sqrt(0.2*0.8*0.02) = 0.05657, z = 0.2/0.05657 = 3.5355
    assert two_proportion_z(10, 100, 30, 100) == pytest.approx(3.5355, abs=1e-4)
    assert two_proportion_z(0, 50, 0, 50) == 0.0  # no variance, no shift


def test_fires_on_planted_increase_in_attempt_rate_soon_after_the_shift() -> None:
    detected, delays = 0, []
    for seed in range(40):
        rng = np.random.default_rng(seed)
        before = rng.random(1500) < 0.05
        after = rng.random(1500) < 0.35
        monitor = _monitor()
        fired = _feed(monitor, "agent-1", np.concatenate([before, after]))
        late = [i for i in fired if i >= 1500]
        if late:
            detected += 1
            delays.append(late[0] - 1500)
        assert not [i for i in fired if i < 1500], f"seed {seed}: alarm before the shift"
    assert detected == 40
    assert max(delays) <= 150  # within about one recent window (100) plus test spacing
    assert monitor.alerts[0].test == "attempt_rate" and monitor.alerts[0].statistic > 4.5


def test_quiet_on_stationary_streams_over_many_seeds() -> None:
    alarms = 0
    streams = 150
    for seed in range(streams):
        rng = np.random.default_rng(10_000 + seed)
        rate = [0.02, 0.1, 0.3, 0.5][seed % 4]
        monitor = _monitor()
        alarms += bool(_feed(monitor, "a", rng.random(4000) < rate))
    # 4000 observations = 140 looks per stream; the documented bound is well under 1% of streams.
    assert alarms / streams <= 0.02, f"false-alarm rate {alarms / streams:.3f}"


def test_direction_increase_ignores_a_drop() -> None:
    rng = np.random.default_rng(3)
    stream = np.concatenate([rng.random(1000) < 0.4, rng.random(1000) < 0.02])
    assert _feed(_monitor(direction="increase"), "a", stream) == []
    assert _feed(_monitor(direction="decrease"), "a", stream) != []  # an agent whose attempts stop being caught


def test_small_but_significant_change_below_min_rate_change_does_not_alarm() -> None:
    # A long quiet stream at 0.5% then 4%: significant at large n but below the 10-point practical bound.
    rng = np.random.default_rng(4)
    stream = np.concatenate([rng.random(3000) < 0.005, rng.random(3000) < 0.04])
    assert _feed(_monitor(), "a", stream) == []
    assert _feed(_monitor(min_rate_change=0.02, z_threshold=3.0), "a", stream) != []


def test_fires_on_a_change_of_block_pattern_at_constant_rate() -> None:
    rng = np.random.default_rng(5)
    attempts = rng.random(2000) < 0.3
    rules = ["clickbait.curiosity_gap"] * 1000 + ["pii.email"] * 1000
    monitor = _monitor()
    fired = _feed(monitor, "a", attempts, rules)
    assert fired and fired[0] >= 1000
    assert monitor.alerts[0].test == "block_pattern"
    # the same rate with a stable mix of two rules is quiet
    mixed = [("pii.email" if rng.random() < 0.5 else "clickbait.curiosity_gap") for _ in range(2000)]
    assert _feed(_monitor(), "b", attempts, mixed) == []


def test_agents_are_monitored_separately() -> None:
    rng = np.random.default_rng(6)
    monitor = _monitor()
    shifting = np.concatenate([rng.random(1000) < 0.05, rng.random(1000) < 0.5])
    steady = rng.random(2000) < 0.05
    for a, b in zip(shifting, steady, strict=True):
        monitor.observe("shifter", "r" if a else None)
        monitor.observe("steady", "r" if b else None)
    assert {alert.agent_id for alert in monitor.alerts} == {"shifter"}


POLICY = """
version: 1
name: drift-test
limits: {max_text_bytes: 65536, check_timeout_ms: 250, cache_entries: 0}
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
tools: {unknown: block, known: {search: allow}}
drift: {reference_window: 200, recent_window: 50, test_every: 25, on_alert: %s, direction: increase}
"""


def _governed(on_alert: str) -> tuple[Governor, DriftMonitor, GovernanceState]:
    policy = parse_policy(POLICY % on_alert, source="drift-test.yaml", registry={})
    state = GovernanceState(clock=FakeClock())
    monitor = DriftMonitor.from_policy(policy, state, clock=FakeClock())
    return Governor(policy, state=state, registry={}, observers=[monitor.observe_decision]), monitor, state


def _tool_stream(governor: Governor, agent: str, attempts: np.ndarray) -> list[Verdict]:
    # An attempt is a call to a tool the policy does not know (blocked); otherwise an allowed search.
    return [governor.decide(Action(kind="tool_call", agent_id=agent, tool="shell" if a else "search")).verdict
            for a in attempts]


@pytest.mark.parametrize(("on_alert", "held_verdict"), [("block", Verdict.BLOCK), ("escalate", Verdict.ESCALATE)])
def test_policy_turns_an_alert_into_a_hold_the_governor_enforces_until_cleared(on_alert: str, held_verdict: Verdict) -> None:
    governor, monitor, state = _governed(on_alert)
    rng = np.random.default_rng(7)
    verdicts = _tool_stream(governor, "agent-7", np.concatenate([rng.random(400) < 0.05, rng.random(300) < 0.6]))
    assert len(monitor.alerts) == 1 and monitor.alerts[0].action == on_alert
    reason = state.hold_reason("agent-7")
    assert reason is not None and "attempt rate" in reason
    assert hold_verdict(reason) == held_verdict
    fired_at = monitor.alerts[0].observation
    # from the alert on, even a benign search by the held agent is refused
    # the governor enforces the hold the policy chose (an unknown tool is still blocked outright)
    assert all(v >= held_verdict for v in verdicts[fired_at:])
    assert held_verdict in verdicts[fired_at:]
    assert governor.decide(Action(kind="tool_call", agent_id="agent-8", tool="search")).verdict == Verdict.ALLOW

    state.hold_agent("agent-9", "held by an operator")
    assert monitor.clear("agent-9") is False  # the monitor lifts only its own holds
    assert hold_verdict("held by an operator") == Verdict.BLOCK  # unknown holds fail closed
    assert monitor.clear("agent-7") is True
    assert governor.decide(Action(kind="tool_call", agent_id="agent-7", tool="search")).verdict == Verdict.ALLOW
    governor.close()


def test_record_only_policy_never_holds() -> None:
    state = GovernanceState(clock=FakeClock())
    monitor = DriftMonitor(DriftSettings(on_alert="record"), state, clock=FakeClock())
    rng = np.random.default_rng(8)
    _feed(monitor, "a", np.concatenate([rng.random(1000) < 0.05, rng.random(500) < 0.6]))
    assert monitor.alerts and state.held_agents == {}


def test_settings_from_policy_block_validates_and_names_the_field() -> None:
    assert drift_settings_from(None).enabled is False
    disabled = DriftMonitor(drift_settings_from(None), GovernanceState())
    assert all(disabled.observe("a", "r") is None for _ in range(2000))
    assert drift_settings_from({"z_threshold": 5}).z_threshold == 5
    with pytest.raises(PolicyError, match=r"drift\.z_treshold: unknown field"):
        drift_settings_from({"z_treshold": 5}, source="p.yaml")
    with pytest.raises(PolicyError, match="drift"):
        drift_settings_from({"test_every": 500, "recent_window": 100})
    with pytest.raises(PolicyError, match=r"drift\.on_alert"):
        drift_settings_from({"on_alert": "allow"})  # an alert can never be turned into an allow
