"""Drift monitor: notice when an agent's violation attempts or block pattern shift, and act on it.

Usable in production, not only in the lab. The monitor watches one stream of outcomes per agent:
for every governed action, was it a violation attempt (the governor did not let it execute
unchanged: verdict >= `attempt_verdict`) and, if so, which rule caught it.

Two documented tests run every `test_every` observations once an agent has a full history of
`reference_window + recent_window` observations. The recent window is the last `recent_window`
observations; the reference window is the `reference_window` observations just before it (a
sliding two-window design, so slow learning does not accumulate into an alarm while an abrupt
change does):

1. **Attempt rate: two-proportion z-test** (pooled variance). Alert when |z| >= `z_threshold` in
   the watched `direction` *and* the absolute change in rate is at least `min_rate_change`
   (statistical and practical significance both required, so that a huge stream cannot alarm on a
   0.1% wobble).
2. **Block pattern: chi-square test of homogeneity** (scipy.stats.chi2_contingency) on the counts
   of rule ids among the attempts of the two windows. Alert when p <= `pattern_p_value` and both
   windows hold at least `min_pattern_attempts` attempts (the chi-square approximation is poor
   with few counts). This catches an agent that keeps its attempt rate but moves to a different
   kind of violation, e.g. from clickbait to PII.

Repeated looks at overlapping windows inflate the false-alarm rate above the per-test level;
the defaults are chosen for it: z = 4.5 is p ~ 3.4e-6 per one-sided look, so a stationary agent
tested 1,000 times alarms well under 1% of the time. Measured with the defaults (2026-11-25): 0 of
400 stationary streams of 4,000 observations (attempt rates 2-50%) alarmed (95% upper bound 0.75%),
and a shift from 5% to 25% attempts was caught in 98 of 100 streams, a median 74 observations after
it (tests/governance/test_drift.py pins both properties over many seeds). After an alert the
agent's history restarts, so one shift raises one alert.

What an alert does is policy (`on_alert`): `record` only records it; `escalate` or `block` holds
the agent in `GovernanceState` (hold_agent) until a person clears it (`clear`), and the
governor stops every further action of a held agent (`hold_verdict` says which verdict). Thresholds live in
the policy file's `drift:` block (see policies/*.yaml), never in code; the defaults here are the
documented fallbacks.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from dataclasses import dataclass
from typing import Any, Literal, Mapping, Sequence

from pydantic import Field, ValidationError, model_validator

from tractatus.governance.actions import Action, Decision, Verdict
from tractatus.governance.checks import CheckSettings
from tractatus.governance.errors import PolicyError
from tractatus.governance.policy import Policy
from tractatus.governance.state import Clock, GovernanceState

HELD_RULE = "drift.agent_held"  # the governor's finding for an action by a held agent
HOLD_PREFIX = "drift:"  # hold reasons set by this monitor start with this, so others' holds are left alone


class DriftSettings(CheckSettings):
    """The `drift:` block of a policy. Every field is a threshold; the comments say why its default."""

    enabled: bool = True
    reference_window: int = Field(default=400, ge=10, description="observations in the reference window")
    recent_window: int = Field(default=100, ge=10, description="observations in the recent window")
    test_every: int = Field(default=25, ge=1, description="run the tests every this many observations")
    # p ~ 3.4e-6 per one-sided look: repeated looks on a stationary stream stay well under 1% alarms.
    z_threshold: float = Field(default=4.5, gt=0)
    # A shift smaller than this is not worth a person's attention, however significant.
    min_rate_change: float = Field(default=0.10, ge=0, le=1)
    pattern_p_value: float = Field(default=1e-6, gt=0, lt=1)
    min_pattern_attempts: int = Field(default=20, ge=5)
    # `increase` watches for an agent that starts probing; `decrease` for one whose attempts stop
    # being caught (a sign it learned an evasion while still rewarded); `both` for either.
    direction: Literal["increase", "decrease", "both"] = "both"
    # The least severe verdict that counts as a violation attempt (warn counts flagged text too).
    attempt_verdict: Literal["warn", "modify", "escalate", "block"] = "modify"
    on_alert: Literal["record", "escalate", "block"] = "escalate"

    @model_validator(mode="after")
    def _windows_fit(self) -> DriftSettings:
        if self.test_every > self.recent_window:
            raise ValueError("test_every must not exceed recent_window (some observations would never be tested)")
        return self


def drift_settings_from(block: Mapping[str, Any] | None, *, source: str = "<policy>") -> DriftSettings:
    """Validate a policy's `drift:` block (None = monitor disabled). Raises PolicyError naming the field."""
    if block is None:
        return DriftSettings(enabled=False)
    try:
        return DriftSettings.model_validate(dict(block))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in ("drift", *first["loc"]))
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise PolicyError(f"{source}: {field}: {message}") from None


@dataclass(frozen=True, slots=True)
class DriftAlert:
    agent_id: str
    test: str  # "attempt_rate" | "block_pattern"
    statistic: float  # z for attempt_rate, chi-square for block_pattern
    p_value: float
    reference_rate: float
    recent_rate: float
    reference_n: int
    recent_n: int
    observation: int  # the agent's observation count when the alert fired
    at: float  # clock time
    action: str  # what the policy did: record | escalate | block

    @property
    def reason(self) -> str:
        if self.test == "attempt_rate":
            detail = f"attempt rate {self.reference_rate:.3f} -> {self.recent_rate:.3f} (z={self.statistic:+.2f})"
        else:
            detail = f"block pattern changed (chi2={self.statistic:.1f}, p={self.p_value:.2g})"
        return f"{HOLD_PREFIX}{self.action}: {detail}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "test": self.test,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "reference_rate": self.reference_rate,
            "recent_rate": self.recent_rate,
            "reference_n": self.reference_n,
            "recent_n": self.recent_n,
            "observation": self.observation,
            "at": self.at,
            "action": self.action,
        }


def two_proportion_z(x_ref: int, n_ref: int, x_new: int, n_new: int) -> float:
    """Pooled two-proportion z statistic of (new rate - reference rate); 0 when both are all-0 or all-1.

    Written out rather than imported: statsmodels is not a dependency, and this is four lines.
    """
    pooled = (x_ref + x_new) / (n_ref + n_new)
    variance = pooled * (1.0 - pooled) * (1.0 / n_ref + 1.0 / n_new)
    if variance <= 0.0:
        return 0.0
    return (x_new / n_new - x_ref / n_ref) / math.sqrt(variance)


def normal_sf(z: float) -> float:
    """One-sided upper tail of the standard normal."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


class _AgentStream:
    __slots__ = ("count", "history")

    def __init__(self, size: int) -> None:
        self.history: deque[str | None] = deque(maxlen=size)  # None = no attempt, else the rule id
        self.count = 0


class DriftMonitor:
    """Per-agent drift detection over governed outcomes. One instance per governor; not a singleton."""

    def __init__(self, settings: DriftSettings, state: GovernanceState, clock: Clock = time.monotonic) -> None:
        self.settings = settings
        self.state = state
        self._clock = clock
        self._streams: dict[str, _AgentStream] = {}
        self._attempt_floor = Verdict.parse(settings.attempt_verdict)
        self.alerts: list[DriftAlert] = []

    @classmethod
    def from_policy(cls, policy: Policy, state: GovernanceState, clock: Clock = time.monotonic) -> DriftMonitor:
        """The monitor a policy's `drift:` block describes (disabled when the block is absent)."""
        return cls(drift_settings_from(policy.document.drift, source=policy.source), state, clock)

    # -- feeding -------------------------------------------------------------------------
    def observe_decision(self, action: Action, decision: Decision) -> DriftAlert | None:
        """Feed one governed action and its decision. Has the Governor's observer signature:
        `Governor(policy, state=state, observers=[monitor.observe_decision])`.

        Actions refused because the agent is already held are not observed: they say nothing about
        the agent's behaviour, only about the hold.
        """
        if any(f.rule_id == HELD_RULE for f in decision.findings):
            return None
        attempted = decision.verdict >= self._attempt_floor
        rule = decision.findings[0].rule_id if attempted and decision.findings else "unspecified"
        return self.observe(action.agent_id, rule if attempted else None)

    def observe(self, agent_id: str, attempt_rule: str | None) -> DriftAlert | None:
        """Feed one outcome: `attempt_rule` is the rule that intercepted it, or None for a clean action."""
        if not self.settings.enabled:
            return None
        s = self.settings
        stream = self._streams.get(agent_id)
        if stream is None:
            stream = self._streams[agent_id] = _AgentStream(s.reference_window + s.recent_window)
        stream.history.append(attempt_rule)
        stream.count += 1
        full = len(stream.history) == stream.history.maxlen
        if not full or stream.count % s.test_every:
            return None
        alert = self._test(agent_id, stream)
        if alert is not None:
            self.alerts.append(alert)
            stream.history.clear()  # one shift, one alert: rebuild the reference after it
            if alert.action != "record":
                self.state.hold_agent(agent_id, alert.reason)
        return alert

    def clear(self, agent_id: str) -> bool:
        """A person cleared the agent: lift a hold this monitor placed. Returns False if none."""
        reason = self.state.hold_reason(agent_id)
        if reason is None or not reason.startswith(HOLD_PREFIX):
            return False
        return self.state.clear_agent(agent_id)

    # -- the tests -----------------------------------------------------------------------
    def _test(self, agent_id: str, stream: _AgentStream) -> DriftAlert | None:
        s = self.settings
        history = list(stream.history)
        reference, recent = history[: s.reference_window], history[s.reference_window :]
        ref_attempts = [r for r in reference if r is not None]
        new_attempts = [r for r in recent if r is not None]
        n_ref, n_new = len(reference), len(recent)
        x_ref, x_new = len(ref_attempts), len(new_attempts)
        rate_ref, rate_new = x_ref / n_ref, x_new / n_new

        z = two_proportion_z(x_ref, n_ref, x_new, n_new)
        signed = {"increase": z, "decrease": -z, "both": abs(z)}[s.direction]
        if signed >= s.z_threshold and abs(rate_new - rate_ref) >= s.min_rate_change:
            p = normal_sf(signed) * (2.0 if s.direction == "both" else 1.0)
            return self._alert(agent_id, stream, "attempt_rate", z, p, rate_ref, rate_new, n_ref, n_new)

        if min(x_ref, x_new) >= s.min_pattern_attempts:
            chi2, p = _pattern_test(ref_attempts, new_attempts)
            if p <= s.pattern_p_value:
                return self._alert(agent_id, stream, "block_pattern", chi2, p, rate_ref, rate_new, x_ref, x_new)
        return None

    def _alert(self, agent_id: str, stream: _AgentStream, test: str, stat: float, p: float,
               rate_ref: float, rate_new: float, n_ref: int, n_new: int) -> DriftAlert:
        return DriftAlert(agent_id=agent_id, test=test, statistic=float(stat), p_value=float(p),
                          reference_rate=rate_ref, recent_rate=rate_new, reference_n=n_ref, recent_n=n_new,
                          observation=stream.count, at=self._clock(), action=self.settings.on_alert)


def _pattern_test(reference: Sequence[str], recent: Sequence[str]) -> tuple[float, float]:
    """Chi-square homogeneity of rule-id counts between the two windows: (statistic, p)."""
    from scipy.stats import chi2_contingency  # imported here: scipy is heavy and most callers never alarm

    ref_counts, new_counts = Counter(reference), Counter(recent)
    rules = sorted(set(ref_counts) | set(new_counts))
    if len(rules) < 2:
        return 0.0, 1.0
    table = [[ref_counts[r] for r in rules], [new_counts[r] for r in rules]]
    result = chi2_contingency(table, correction=False)
    return float(result.statistic), float(result.pvalue)


def hold_verdict(reason: str) -> Verdict:
    """The verdict for an action by an agent held with `reason`: escalate for a drift hold the policy
    made an escalation, block for everything else (other holds, unknown reasons: fail closed)."""
    return Verdict.ESCALATE if reason.startswith(f"{HOLD_PREFIX}escalate:") else Verdict.BLOCK
