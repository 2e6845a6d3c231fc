"""`GovernanceHooks`: Agent Lightning 1.x rollout hooks that make the training reward governed.

Point AGL's trainer at this file (`agentlightning.hooks=<path of this file>`); `load_hooks` finds
the single `RolloutHooks` subclass defined here and builds it with no arguments, so the settings
come from the environment:

    TRACTATUS_AL_REWARDS   reward settings (default: policies/rewards/agentlightning.yaml)
    TRACTATUS_AUDIT_DB     audit log shared with the governed proxy (default: .tractatus/audit.db)
    TRACTATUS_AL_TASK_REWARD  optional `module:factory`; the factory returns a callable from an
                           attempt's events to the environment's verified task reward (e.g.
                           `tractatus.integrations.agentlightning.scoring:default_task_reward`).
                           With it, the agent's own reward never counts: one that differs is
                           overridden as forged and audited.

`on_succeeded` computes the final reward (see `rewards.compute_reward`) and writes it as the
attempt's last `reward` event, which is the one AGL trains on. An agent reward that is outside
the declared range, not a number, missing, or posted after a block is overridden, and the
override is written to the audit log.

AGL's rollout manager catches and prints any exception a hook raises and then drops the events
the hook queued: a failing hook would silently leave the agent's own reward in place. So no
exception leaves these hooks: a failure is logged, counted (`failures`), audited when possible,
and fails the rollout for training: a `governance_hook_failure` event plus a final reward of
`hook_failure_value` (the floor). A finished AGL rollout cannot move back from SUCCEEDED, so
"failed" is expressed through these events, which Demo 2's algorithm and any trainer can read.
Only if even those events cannot be queued does the exception propagate (AGL prints it).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from typing import TYPE_CHECKING, Any, Callable

from agentlightning.hooks import RolloutHooks

from tractatus.integrations.agentlightning.gateway import GOVERNANCE_SOURCE, HOOK_FAILURE_EVENT, REWARD_EVENT
from tractatus.integrations.agentlightning.rewards import (
    REWARDS_ENV,
    RewardOutcome,
    RewardSettings,
    compute_reward,
    load_reward_settings,
)

if TYPE_CHECKING:
    from tractatus.governance.audit import AuditLog

log = logging.getLogger(__name__)

TASK_REWARD_ENV = "TRACTATUS_AL_TASK_REWARD"
REWARD_OVERRIDE_KIND = "reward_overridden"  # audit event kinds written by these hooks
HOOK_FAILURE_KIND = "rollout_hook_failure"


class GovernanceHooks(RolloutHooks):
    def __init__(
        self,
        settings: RewardSettings | None = None,
        *,
        audit: AuditLog | None = None,
        task_reward: Callable[[list[Any]], float] | None = None,
    ) -> None:
        self.settings = (
            settings if settings is not None else load_reward_settings(os.environ.get(REWARDS_ENV))
        )
        self.audit = audit
        self.task_reward = task_reward if task_reward is not None else _task_reward_from_environment()
        self._lock = threading.Lock()  # counters are read by the trainer's thread and ours
        self.succeeded = 0
        self.failed = 0
        self.failures = 0  # hook failures (each failed its rollout)
        self.overrides = 0

    # -- AGL hook points ---------------------------------------------------------------------
    def on_startup(self, store: Any | None = None) -> None:
        # Not wrapped on purpose: if the audit log cannot be opened, training must not start.
        if self.audit is None:
            from tractatus.governance.audit import open_audit_log

            self.audit = open_audit_log()

    def on_succeeded(self, rollout: Any, events: dict[str, list[Any]], store: Any) -> None:
        attempt_id = _attempt_of(rollout, events)
        try:
            outcome = self.judge(rollout, events.get(attempt_id, []))
            if outcome.override is not None:
                self._audit_override(rollout, attempt_id, outcome)
            store.add_event(rollout.rollout_id, attempt_id, REWARD_EVENT, outcome.event_data())
            with self._lock:
                self.succeeded += 1
                self.overrides += outcome.override is not None
        except Exception as exc:
            self._fail(rollout, attempt_id, store, exc)

    def on_failed(self, rollout: Any, store: Any) -> None:
        with self._lock:
            self.failed += 1
        log.info("rollout %s failed before governance judged it", getattr(rollout, "rollout_id", "?"))

    # -- the judgement -----------------------------------------------------------------------
    def judge(self, rollout: Any, events: list[Any]) -> RewardOutcome:
        """The final reward for one attempt's events. Subclasses may refine it."""
        verified = self.task_reward(events) if self.task_reward is not None else None
        return compute_reward(events, self.settings, verified)

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {
                "succeeded": self.succeeded,
                "failed": self.failed,
                "hook_failures": self.failures,
                "overrides": self.overrides,
            }

    def _audit_override(self, rollout: Any, attempt_id: str, outcome: RewardOutcome) -> None:
        if self.audit is None:
            raise RuntimeError("GovernanceHooks has no audit log: call on_startup() or pass audit=")
        self.audit.append_event(
            REWARD_OVERRIDE_KIND,
            f"agl:{rollout.rollout_id}:{attempt_id}",
            {"rollout_id": rollout.rollout_id, "attempt_id": attempt_id, **outcome.event_data()},
        )

    def _fail(self, rollout: Any, attempt_id: str, store: Any, exc: Exception) -> None:
        rollout_id = getattr(rollout, "rollout_id", "?")
        with self._lock:
            self.failures += 1
        log.error(
            "GovernanceHooks failed on rollout %s; failing it: %s: %s", rollout_id, type(exc).__name__, exc
        )
        failure = {"error": type(exc).__name__, "message": str(exc)[:500], "hook": type(self).__name__}
        if self.audit is not None:
            try:
                self.audit.append_event(
                    HOOK_FAILURE_KIND, f"agl:{rollout_id}:{attempt_id}", {"rollout_id": rollout_id, **failure}
                )
            except Exception:
                log.exception("could not audit the hook failure on rollout %s", rollout_id)
        # If these cannot be queued either, the exception propagates and AGL prints it.
        store.add_event(rollout_id, attempt_id, HOOK_FAILURE_EVENT, failure)
        store.add_event(
            rollout_id,
            attempt_id,
            REWARD_EVENT,
            {"value": self.settings.hook_failure_value, "source": GOVERNANCE_SOURCE, "reason": "hook_failed"},
        )


def _attempt_of(rollout: Any, events: dict[str, list[Any]]) -> str:
    status = getattr(rollout, "status", None)
    attempt = getattr(status, "last_attempt_id", None)
    if attempt:
        return attempt
    return next(iter(events), "0")


def _task_reward_from_environment() -> Callable[[list[Any]], float] | None:
    spec = os.environ.get(TASK_REWARD_ENV, "").strip()
    if not spec:
        return None
    module_name, _, attr = spec.partition(":")
    if not attr:
        raise ValueError(f"{TASK_REWARD_ENV}={spec!r}: expected module:factory")
    factory = getattr(importlib.import_module(module_name), attr)
    return factory()
