"""The final training reward of a rollout: its task reward, made honest, minus governance penalties.

A pure function of the rollout's event list (AGL `Event` objects or their JSON dicts), so that
`GovernanceHooks`, Demo 2 and the tests all compute it the same way. Settings live in
`policies/rewards/agentlightning.yaml`, where every value is explained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from tractatus.governance.actions import Severity, Verdict
from tractatus.governance.errors import PolicyError
from tractatus.governance.policy import policies_dir
from tractatus.integrations.agentlightning.gateway import GOVERNANCE_EVENT, GOVERNANCE_SOURCE, REWARD_EVENT

REWARDS_ENV = "TRACTATUS_AL_REWARDS"  # path of the reward settings GovernanceHooks() loads


class RewardSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reward_min: float = 0.0
    reward_max: float = 1.0
    override_value: float = 0.0
    missing_value: float = 0.0
    penalty: dict[str, float] = Field(
        default_factory=lambda: {"info": 0.0, "low": 0.1, "medium": 0.5, "high": 1.0, "critical": 2.0}
    )
    floor: float = -20.0
    hook_failure_value: float = -20.0

    @model_validator(mode="after")
    def _consistent(self) -> RewardSettings:
        if not self.reward_min < self.reward_max:
            raise ValueError("reward_min must be below reward_max")
        missing = [s.label for s in Severity if s.label not in self.penalty]
        unknown = sorted(set(self.penalty) - {s.label for s in Severity})
        if missing or unknown:
            raise ValueError(
                f"penalty must name every severity exactly (missing: {missing}, unknown: {unknown})"
            )
        if any(v < 0 for v in self.penalty.values()):
            raise ValueError("penalties must not be negative")
        if self.floor > self.reward_min:
            raise ValueError("floor must not be above reward_min")
        return self


def bundled_rewards_path() -> Path:
    return policies_dir() / "rewards" / "agentlightning.yaml"


def load_reward_settings(path: str | Path | None = None) -> RewardSettings:
    """Load reward settings (PolicyError naming the file and field on anything invalid)."""
    path = Path(path) if path is not None else bundled_rewards_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read reward settings ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    try:
        return RewardSettings.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(document)"
        raise PolicyError(f"{path}: {field}: {first['msg']}") from None


@dataclass(frozen=True, slots=True)
class RewardOutcome:
    final: float
    task_reward: float  # the agent's reward after integrity checks
    agent_reward: Any  # what the agent posted (None if nothing)
    penalty: float
    decisions: int  # governance decisions in the attempt
    violations: int  # decisions that did not let the action execute (block / escalate)
    override: str | None  # why the agent's reward was replaced, if it was

    def event_data(self) -> dict[str, Any]:
        """The `reward` event GovernanceHooks posts: AGL trains on the last reward event."""
        return {
            "value": self.final,
            "source": GOVERNANCE_SOURCE,
            "reason": self.override or "governed",
            "task_reward": self.task_reward,
            "agent_reward": self.agent_reward if _is_number(self.agent_reward) else repr(self.agent_reward),
            "penalty": self.penalty,
            "decisions": self.decisions,
            "violations": self.violations,
        }


def _field(event: Any, name: str) -> Any:
    return event.get(name) if isinstance(event, Mapping) else getattr(event, name, None)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# How far an agent's own reward may differ from the environment's verified one before it counts
# as forged: float noise only (both are computed from the same text by the same model).
FORGERY_TOLERANCE = 1e-9


def compute_reward(
    events: Iterable[Any], settings: RewardSettings, verified_task_reward: float | None = None
) -> RewardOutcome:
    """Final reward from one attempt's events, in the order the gateway stored them.

    `verified_task_reward`: the environment's own reward for this attempt, computed from what
    the model wrote (scoring.py). When given, it is the task reward, whatever the agent posted;
    an agent reward that differs from it is a forgery (`reward_forged`, audited by the hooks).
    """
    penalty = 0.0
    decisions = violations = 0
    blocked_before: bool = False
    agent_reward: Any = None
    reward_after_block = False
    for event in events:
        kind = _field(event, "event_type")
        data = _field(event, "data") or {}
        if kind == GOVERNANCE_EVENT:
            decisions += 1
            severity = data.get("severity")
            if severity in settings.penalty:
                penalty += settings.penalty[severity]
            try:
                executes = Verdict.parse(data.get("verdict", "block")).executes
            except ValueError:
                executes = False  # an unreadable verdict is treated as a block
            if not executes:
                violations += 1
                blocked_before = True
        elif kind == REWARD_EVENT and data.get("source") != GOVERNANCE_SOURCE:
            agent_reward = data.get("value")
            reward_after_block = blocked_before
    override: str | None = None
    if verified_task_reward is not None:
        task = float(verified_task_reward)
        if agent_reward is not None and not (
            _is_number(agent_reward) and abs(float(agent_reward) - task) <= FORGERY_TOLERANCE
        ):
            override = "reward_forged"
    elif agent_reward is None:
        task = settings.missing_value
        override = "missing_reward"
    elif not _is_number(agent_reward):
        task, override = settings.override_value, "reward_not_a_number"
    elif not settings.reward_min <= float(agent_reward) <= settings.reward_max:
        task, override = settings.override_value, "reward_out_of_range"
    elif reward_after_block:
        task, override = settings.override_value, "reward_after_block"
    else:
        task = float(agent_reward)
    final = max(settings.floor, task - penalty)
    return RewardOutcome(
        final=final,
        task_reward=task,
        agent_reward=agent_reward,
        penalty=penalty,
        decisions=decisions,
        violations=violations,
        override=override,
    )
