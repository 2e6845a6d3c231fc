"""The evaluation report's schema: what `tractatus detectors eval` writes to docs/detectors.json.

Pydantic, because the report crosses a boundary (a JSON file that the Markdown and later runs read).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from tractatus.governance.learning.metrics import BinaryMetrics, Rate


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SystemResult(_Model):
    """One system (the governor under a policy, or a packaged peer) on one held-out set."""

    system: str  # "governor: default.yaml, publish" or a peer's name
    is_governor: bool
    decision: BinaryMetrics  # flagged = the decision is not allow (governor) / the peer flags
    detector: BinaryMetrics | None  # governor only: flagged by the set's own detector's findings
    per_class: dict[str, Rate]  # flag rate per label (recall for positive classes, FPR for the rest)
    typed_recall: dict[str, Rate] = {}  # PII: sentences with category c where c itself was found
    verdicts: dict[str, int] = {}  # governor only: how many texts got each verdict


class EvasionResult(_Model):
    operator: str
    system: str
    recall_before: Rate  # the same positives, no operator
    recall: Rate  # positives flagged after the operator
    retained: Rate  # of the positives flagged before the operator, the share still flagged after


class TaskResult(_Model):
    task: str  # clickbait, abuse, pii
    source: str
    rows: int
    digest: str  # sha256 of the measured rows (see eval_sets.EvalSet.digest)
    labels: dict[str, int]
    systems: list[SystemResult]
    evasion: list[EvasionResult]
    curve: str | None  # PNG path, relative to the Markdown file
    not_run: list[str]  # peers that could not run here, and why


class RedTeamResult(_Model):
    detector: str
    kind: str
    decision: BinaryMetrics
    detector_only: BinaryMetrics


class GoalResult(_Model):
    area: str
    goal: str
    measured: str
    met: bool | None  # None: not measurable on this run's data


class EvaluationReport(_Model):
    generated_at: str
    commit: str
    command: str
    quick: bool
    seed: int
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time: the cost on a machine that is not shared
    splits_digest: str
    policies: dict[str, str]  # policy file -> digest
    tasks: list[TaskResult]
    red_team: list[RedTeamResult]
    goals: list[GoalResult]
    notes: list[str]
