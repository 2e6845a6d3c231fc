"""ContextPressureMonitor: the longer and harder a session gets, the more verification it needs.

An agent deep in a long conversation, near its token budget, on a complex task and making
errors is the agent most likely to drop an instruction (the 27027 incident happened under
exactly that pressure). The monitor turns five session metrics into one score in [0, 1]:

    score = sum(weight[m] * min(1, metric[m] / saturation[m]))

- token_usage          tokens_used / token_budget  (saturation 1.0: the budget is the limit)
- conversation_length  messages
- task_complexity      task_complexity, given in [0, 1]
- error_frequency      errors_recent
- instruction_density  instructions_active

A metric that is not supplied adds nothing: missing metrics are not pressure, so an ordinary
message without session metrics passes untouched. The score maps to a level (NORMAL, ELEVATED,
HIGH, CRITICAL, DANGEROUS) by the policy's thresholds, and each level raises the verification
required. A context window close to exhaustion is at least CRITICAL on its own. DANGEROUS
requires a person (ESCALATE by the default policy).

Metrics that are present but malformed (negative, not a number, complexity outside [0, 1]) are
an InputError: as a check, the governor then fails closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar, Literal, Mapping, Sequence, cast, get_args

from pydantic import Field, model_validator

from tractatus.governance.actions import Finding, Severity, Verdict, VerificationLevel
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.errors import InputError
from tractatus.governance.services.settings_rules import StrictModel, require_keys, require_weights

LevelName = Literal["normal", "elevated", "high", "critical", "dangerous"]
MetricName = Literal["token_usage", "conversation_length", "task_complexity", "error_frequency", "instruction_density"]
# Which context key (or keys) feed each metric.
_SOURCES: Mapping[MetricName, str] = {
    "conversation_length": "messages",
    "task_complexity": "task_complexity",
    "error_frequency": "errors_recent",
    "instruction_density": "instructions_active",
}

# Every context key `analyze` reads.
_METRIC_KEYS = frozenset(("tokens_used", "token_budget", *_SOURCES.values()))


class PressureLevel(IntEnum):
    NORMAL = 0
    ELEVATED = 1
    HIGH = 2
    CRITICAL = 3
    DANGEROUS = 4

    @property
    def label(self) -> LevelName:
        return cast(LevelName, self.name.lower())


_VERIFICATION = {
    PressureLevel.NORMAL: VerificationLevel.OPTIONAL,
    PressureLevel.ELEVATED: VerificationLevel.RECOMMENDED,
    PressureLevel.HIGH: VerificationLevel.REQUIRED,
    PressureLevel.CRITICAL: VerificationLevel.MANDATORY,
    PressureLevel.DANGEROUS: VerificationLevel.MANDATORY,
}
_RECOMMENDATION = {
    PressureLevel.NORMAL: "continue normally",
    PressureLevel.ELEVATED: "re-read the active instructions before acting",
    PressureLevel.HIGH: "verify every action against the active instructions",
    PressureLevel.CRITICAL: "verify every action and summarize the session before continuing",
    PressureLevel.DANGEROUS: "stop: a person must review before the session continues",
}


class LevelThresholds(StrictModel):
    """Score at which each level starts; they must increase."""

    elevated: float = Field(gt=0, lt=1)
    high: float = Field(gt=0, lt=1)
    critical: float = Field(gt=0, lt=1)
    dangerous: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _increasing(self) -> LevelThresholds:
        if not self.elevated < self.high < self.critical < self.dangerous:
            raise ValueError("thresholds must increase: elevated < high < critical < dangerous")
        return self


class Saturation(StrictModel):
    """The metric value at which that metric alone counts as full pressure."""

    messages: float = Field(gt=0)
    errors_recent: float = Field(gt=0)
    instructions_active: float = Field(gt=0)


class ContextPressureSettings(CheckSettings):
    weights: dict[MetricName, float]
    saturation: Saturation
    thresholds: LevelThresholds
    token_exhaustion_ratio: float = Field(gt=0, le=1, description="token use at which the level is at least CRITICAL")
    level_verdicts: dict[LevelName, Literal["allow", "warn", "escalate", "block"]]

    @model_validator(mode="after")
    def _complete(self) -> ContextPressureSettings:
        require_weights(self.weights, get_args(MetricName))
        require_keys(self.level_verdicts, get_args(LevelName), "level_verdicts")
        return self


@dataclass(frozen=True, slots=True)
class PressureReport:
    score: float
    level: PressureLevel
    components: Mapping[str, float]  # each supplied metric's weighted contribution
    verification: VerificationLevel
    human_required: bool
    recommendation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "level": self.level.name,
            "components": {k: round(v, 4) for k, v in self.components.items()},
            "verification": self.verification.value,
            "human_required": self.human_required,
            "recommendation": self.recommendation,
        }


def _number(metrics: Mapping[str, Any], key: str) -> float | None:
    if key not in metrics or metrics[key] is None:
        return None
    value = metrics[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InputError(f"context metric {key!r} must be a non-negative number, got {value!r}")
    return float(value)


class ContextPressureMonitor:
    name: ClassVar[str] = "context_pressure_monitor"
    kind: ClassVar[str] = "service"
    # Reads only action.context, which is part of the governor's cache key: cacheable.
    stateful: ClassVar[bool] = False
    # Arithmetic on at most six numbers from action.context, whatever the text: cannot hang, so
    # the governor may run it without the watchdog's thread hop (checks.py).
    bounded: ClassVar[bool] = True
    Settings: ClassVar[type[CheckSettings]] = ContextPressureSettings

    def __init__(self, settings: ContextPressureSettings) -> None:
        self.settings = settings
        # Most actions carry no context metrics, and then the report depends on the settings
        # alone: built once here (by `analyze` itself), reused for those actions (read only).
        self._report_without_metrics = self.analyze({})

    # -- domain API ------------------------------------------------------------------------
    def analyze(self, metrics: Mapping[str, Any]) -> PressureReport:
        s = self.settings
        ratios: dict[MetricName, float] = {}
        tokens_used, budget = _number(metrics, "tokens_used"), _number(metrics, "token_budget")
        if tokens_used is not None and budget is not None:
            if budget == 0:
                raise InputError("context metric 'token_budget' must be positive")
            ratios["token_usage"] = tokens_used / budget
        for metric, key in _SOURCES.items():
            value = _number(metrics, key)
            if value is None:
                continue
            if metric == "task_complexity":
                if value > 1:
                    raise InputError(f"context metric 'task_complexity' must lie in [0, 1], got {value!r}")
                ratios[metric] = value
            else:
                ratios[metric] = value / getattr(s.saturation, key)
        components: dict[str, float] = {m: s.weights[m] * min(1.0, r) for m, r in ratios.items()}
        score = min(1.0, sum(components.values()))
        level = self._level(score)
        if ratios.get("token_usage", 0.0) >= s.token_exhaustion_ratio:
            level = max(level, PressureLevel.CRITICAL)
        return PressureReport(
            score=score,
            level=level,
            components=components,
            verification=_VERIFICATION[level],
            human_required=level == PressureLevel.DANGEROUS,
            recommendation=_RECOMMENDATION[level],
        )

    def _level(self, score: float) -> PressureLevel:
        t = self.settings.thresholds
        for level, start in (
            (PressureLevel.DANGEROUS, t.dangerous),
            (PressureLevel.CRITICAL, t.critical),
            (PressureLevel.HIGH, t.high),
            (PressureLevel.ELEVATED, t.elevated),
        ):
            if score >= start:
                return level
        return PressureLevel.NORMAL

    # -- Check interface -------------------------------------------------------------------
    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        metrics = ctx.action.context
        report = self._report_without_metrics if _METRIC_KEYS.isdisjoint(metrics) else self.analyze(metrics)
        verdict = Verdict.parse(self.settings.level_verdicts[report.level.label])
        if verdict == Verdict.ALLOW:
            return ()
        return (
            Finding(
                source=self.name,
                source_kind=self.kind,
                category=f"pressure_{report.level.label}",
                severity=Severity.HIGH if report.human_required else Severity.MEDIUM,
                rule_id=f"context_pressure.{report.level.label}",
                message=(
                    f"context pressure {report.level.name} (score {report.score:.2f}): "
                    f"verification {report.verification.value}; {report.recommendation}"
                ),
                verdict=verdict,
            ),
        )
