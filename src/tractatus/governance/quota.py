"""Quotas across agents: centralized multi-agent governance backed by the governor's state.

Some constraints are joint: no single action breaks them, only what several agents do together.
The share of sensational items in a shared feed, the same item posted by several agents, a
budget of PII exposures or escalations for the whole team. A governor that sees one agent at a
time cannot enforce them; this check keeps the cross-agent counts in `GovernanceState` (the
governor's store, never the agent's) and refuses the action that would break a quota.

Each quota has a `scope`:
- `global`: one count shared by every agent of the governor (centralized governance);
- `agent`: one count per agent (factored governance: each agent gets its own slice, e.g. the
  global limit divided by N, and cannot see what the others did).

and a `measure`:
- `count`: at most `limit` matching actions per `window_s` (0 = for the life of the state);
- `share`: matching actions may be at most `limit` (0..1) of all actions of the check's kinds in
  the window, counting the one being decided; the first `min_items` actions of a window are
  exempt so that the first sensational item of a run is not a 100% share;
- `duplicates`: at most `limit` actions with the same normalized text in the window.

What "matching" means is `match`: a regular expression on the normalized text, and/or the
findings of a built-in detector at or above a severity (e.g. clickbait at `low`, which the
per-agent policy lets through with a warning, but whose share of the feed is capped here).

Budgets are spent when this check lets an action through, even if another check then blocks it:
spending early errs toward less exposure, and keeps the check free of a second, post-decision
phase. Windows are in the state's clock units (seconds in production, rounds in the lab, where
the clock is injected).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tractatus.governance.actions import Finding, Severity, Verdict, sha256_hex
from tractatus.governance.checks import Check, CheckContext, CheckFactory, CheckSettings
from tractatus.governance.detectors import builtin_detectors
from tractatus.governance.errors import PolicyError
from tractatus.governance.policy_regex import compile_policy_regex, valid_regex


def _detector_class(name: str) -> CheckFactory | None:
    """A built-in detector by name. Quotas count detectors' findings, never services' (and the
    registry imports this module, so asking it would be a circle)."""
    return next((cls for cls in builtin_detectors() if cls.name == name), None)


GLOBAL_SCOPE = "*"  # the scope key of a quota shared by all agents
UNLIMITED = float("inf")


class QuotaMatch(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    regex: str | None = None
    detector: str | None = Field(default=None, description="name of a built-in detector, e.g. clickbait or pii")
    # Omitted: count with the detector instance this policy runs under `checks:` (same settings,
    # no copy to keep in step). Given: the detector's own settings (validated by its schema).
    detector_settings: dict[str, Any] | None = None
    min_severity: Literal["info", "low", "medium", "high", "critical"] = "low"

    @model_validator(mode="after")
    def _detector_exists(self) -> QuotaMatch:
        if self.detector is not None:
            factory = _detector_class(self.detector)
            if factory is None:
                raise ValueError(f"unknown detector {self.detector!r}")
            if self.detector_settings is None:
                return self  # the policy's own instance, bound by the governor (bind_checks)
            try:
                factory.Settings.model_validate(self.detector_settings)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"]) or "(settings)"
                raise ValueError(f"detector_settings.{where}: {first['msg']}") from None
        return self

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        return valid_regex(value)


class Quota(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    description: str = ""
    measure: Literal["count", "share", "duplicates"]
    scope: Literal["global", "agent"] = "global"
    limit: float = Field(ge=0)
    window_s: float = Field(default=0.0, ge=0, description="0 = the life of the state")
    min_items: int = Field(default=10, ge=0, description="share: actions in the window before the share applies")
    match: QuotaMatch | None = None
    verdict: Literal["block", "escalate"] = "block"

    @model_validator(mode="after")
    def _consistent(self) -> Quota:
        if self.measure == "share" and self.limit > 1:
            raise ValueError("a share limit is a fraction between 0 and 1")
        if self.measure == "share" and self.window_s <= 0:
            raise ValueError("a share quota needs a window (window_s > 0): a feed share is over recent items")
        if self.measure in ("count", "share") and self.match is None:
            raise ValueError(f"a {self.measure} quota needs `match` (what it counts)")
        if self.match is not None and self.match.regex is None and self.match.detector is None:
            raise ValueError("match needs a regex or a detector")
        return self


class QuotaSettings(CheckSettings):
    quotas: tuple[Quota, ...] = ()

    @model_validator(mode="after")
    def _unique_ids(self) -> QuotaSettings:
        ids = [q.id for q in self.quotas]
        if len(ids) != len(set(ids)):
            raise ValueError("quota ids must be unique")
        return self


class _Matcher:
    """A quota's `match`, compiled once: regex on the normalized text, or a detector's findings."""

    def __init__(self, match: QuotaMatch) -> None:
        self._regex = compile_policy_regex(match.regex) if match.regex else None
        self._detector: Check | None = None
        self._min_severity = Severity.parse(match.min_severity)
        self.unbound_detector: str | None = None  # a detector to take from the policy's own checks
        if match.detector is not None:
            if match.detector_settings is None:
                self.unbound_detector = match.detector
                return
            factory = _detector_class(match.detector)
            assert factory is not None  # existence checked when the policy loaded
            self._detector = factory(factory.Settings.model_validate(match.detector_settings))

    def bind(self, checks: Mapping[str, Check | None]) -> None:
        if self.unbound_detector is None:
            return
        detector = checks.get(self.unbound_detector)
        if detector is None:
            raise PolicyError(
                f"a quota counts {self.unbound_detector!r} findings with the policy's own detector, but the "
                f"policy runs no {self.unbound_detector!r} check: add it under checks, or give detector_settings"
            )
        self._detector, self.unbound_detector = detector, None

    def __call__(self, ctx: CheckContext) -> bool:
        if self.unbound_detector is not None:  # never bound to a governor's checks: cannot decide
            raise RuntimeError(f"quota detector {self.unbound_detector!r} is not bound")
        if self._regex is not None and self._regex.search(ctx.text.text):
            return True
        if self._detector is not None:
            return any(f.severity >= self._min_severity for f in self._detector.evaluate(ctx))
        return False


def duplicate_key(text: str) -> str:
    """Texts that differ only in case and spacing are the same post."""
    return sha256_hex(" ".join(text.casefold().split()))[:24]


class QuotaCheck:
    """Stateful service enforcing the policy's quotas over all agents of one governor."""

    name: ClassVar[str] = "quota"
    kind: ClassVar[str] = "service"
    stateful: ClassVar[bool] = True
    Settings: ClassVar[type[CheckSettings]] = QuotaSettings

    def __init__(self, settings: QuotaSettings) -> None:
        self.settings = settings
        self._matchers = {q.id: _Matcher(q.match) for q in settings.quotas if q.match is not None}

    def bind_checks(self, checks: Mapping[str, Check | None]) -> None:
        """Called by the governor once every check of the policy is built."""
        for matcher in self._matchers.values():
            matcher.bind(checks)

    def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
        findings: list[Finding] = []
        for quota in self.settings.quotas:
            scope = GLOBAL_SCOPE if quota.scope == "global" else ctx.action.agent_id
            refused = self._refuses(quota, scope, ctx)
            if refused is not None:
                findings.append(
                    Finding(
                        source=self.name,
                        source_kind="service",
                        category=quota.measure,
                        severity=Severity.HIGH,
                        rule_id=f"quota.{quota.id}",
                        message=refused,
                        verdict=Verdict.parse(quota.verdict),
                    )
                )
        return findings

    def _refuses(self, quota: Quota, scope: str, ctx: CheckContext) -> str | None:
        state = ctx.state
        base = f"quota:{quota.id}:{scope}"
        if quota.measure == "duplicates":
            name = f"{base}:{duplicate_key(ctx.text.text)}"
            state.define_budget(name, quota.limit, quota.window_s)
            if not state.try_spend(name):
                return f"the same text was already posted {quota.limit:g} time(s) in this window ({quota.scope} scope)"
            return None

        matches = self._matchers[quota.id](ctx)
        if quota.measure == "count":
            if not matches:
                return None
            state.define_budget(base, quota.limit, quota.window_s)
            if not state.try_spend(base):
                return f"{quota.id}: budget of {quota.limit:g} per window is spent ({quota.scope} scope)"
            return None

        # share: all items and matching items in the window, as two unlimited budgets in the store
        total_name, match_name = f"{base}:total", f"{base}:match"
        state.define_budget(total_name, UNLIMITED, quota.window_s)
        state.define_budget(match_name, UNLIMITED, quota.window_s)
        if matches:
            total, matched = state.budget_used(total_name) + 1, state.budget_used(match_name) + 1
            if total > quota.min_items and matched / total > quota.limit:
                return f"{quota.id}: would make {matched:g}/{total:g} of the feed, above the {quota.limit:.0%} share"
            state.try_spend(match_name)
        state.try_spend(total_name)
        return None
