"""The goals of issue 9, checked against a run. Met or missed on the point estimate; the Wilson
interval is printed beside it so a reader sees how close the call is.

These are targets for the detectors, not decision thresholds: policies hold the thresholds.
Goals this run cannot measure (ETHOS-style comments are not among the development sources) are
listed as not measured rather than left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tractatus.governance.learning.eval_report import GoalResult, RedTeamResult, SystemResult, TaskResult
from tractatus.governance.learning.metrics import Rate


@dataclass(frozen=True)
class _Goal:
    task: str
    rate: str  # "recall", "fpr", "class:<label>", "retained_min"
    at_least: float | None = None
    at_most: float | None = None
    text: str = ""


GOALS: tuple[_Goal, ...] = (
    _Goal("clickbait", "recall", at_least=0.96, text="clickbait recall ≥ 96%"),
    _Goal("clickbait", "fpr", at_most=0.015, text="news flagged ≤ 1.5%"),
    _Goal("clickbait", "retained_min", at_least=0.95, text="≥ 95% of caught still caught after each evasion operator"),
    _Goal("abuse", "class:hate", at_least=0.90, text="hate flagged ≥ 90%"),
    _Goal("abuse", "class:offensive", at_least=0.80, text="offensive flagged ≥ 80%"),
    _Goal("abuse", "class:neither", at_most=0.08, text="neither flagged ≤ 8%"),
    *(
        _Goal("pii", f"class:{c}", at_least=0.95, text=f"{c} recall ≥ 95%")
        for c in ("email", "payment_card", "ssn", "ip_address", "iban")
    ),
    _Goal("pii", "class:phone", at_least=0.90, text="phone recall ≥ 90%"),
    _Goal("pii", "class:street_address", at_least=0.60, text="address recall ≥ 60%"),
    _Goal("pii", "class:none", at_most=0.05, text="PII-free sentences flagged ≤ 5%"),
)
RED_TEAM_RECALL = 0.95
RED_TEAM_FPR = 0.05
NOT_MEASURED = (
    ("abuse", "ETHOS-style hate comments ≥ 55% with ≤ 15% of benign comments flagged",
     "no ETHOS-style set among the development sources"),
)  # fmt: skip


def _judge(rate: Rate, at_least: float | None, at_most: float | None) -> bool | None:
    if rate.value is None:
        return None
    if at_least is not None and rate.value < at_least:
        return False
    return not (at_most is not None and rate.value > at_most)


def _rate(goal: _Goal, task: TaskResult, system: SystemResult) -> Rate | None:
    if goal.rate == "recall":
        return system.decision.recall
    if goal.rate == "fpr":
        return system.decision.fpr
    if goal.rate.startswith("class:"):
        return system.per_class.get(goal.rate.removeprefix("class:"))
    if goal.rate == "retained_min":
        retained = [e.retained for e in task.evasion if e.system == system.system and e.retained.value is not None]
        return min(retained, key=lambda r: r.value or 0.0, default=None)
    raise ValueError(f"unknown goal rate {goal.rate!r}")


def check_goals(tasks: Sequence[TaskResult], red_team: Sequence[RedTeamResult]) -> list[GoalResult]:
    """One row per goal and governed policy (the goals are about what the governor decides)."""
    out = []
    for task in tasks:
        for goal in (g for g in GOALS if g.task == task.task):
            for system in (s for s in task.systems if s.is_governor):
                rate = _rate(goal, task, system)
                if rate is None:
                    out.append(GoalResult(area=f"{task.task} ({system.system})", goal=goal.text, measured="—", met=None))
                    continue
                out.append(
                    GoalResult(
                        area=f"{task.task} ({system.system})", goal=goal.text, measured=rate.percent(),
                        met=_judge(rate, goal.at_least, goal.at_most),
                    )
                )
        out.extend(GoalResult(area=area, goal=text, measured=why, met=None) for area, text, why in NOT_MEASURED if area == task.task)
    if red_team:
        tp = sum(r.decision.tp for r in red_team)
        fn = sum(r.decision.fn for r in red_team)
        fp = sum(r.decision.fp for r in red_team)
        tn = sum(r.decision.tn for r in red_team)
        recall, fpr = Rate.of(tp, tp + fn), Rate.of(fp, fp + tn)
        out.append(GoalResult(area="red-team cases (all files)", goal=f"recall ≥ {RED_TEAM_RECALL:.0%}",
                              measured=recall.percent(), met=_judge(recall, RED_TEAM_RECALL, None)))  # fmt: skip
        out.append(GoalResult(area="red-team cases (all files)", goal=f"false positives ≤ {RED_TEAM_FPR:.0%}",
                              measured=fpr.percent(), met=_judge(fpr, None, RED_TEAM_FPR)))  # fmt: skip
    return out
