"""How the abuse tier's thresholds were chosen: a sweep on Davidson's `detector_dev` split only.

    python -m tractatus.governance.learning.abuse_dev_sweep [--data-dir DIR] [--policy default] [--out FILE]

Each dev tweet is decided once by the real Governor under the policy, as a `message`; what the
other checks flag (clickbait, PII, compliance...) is kept apart from the abuse detector's own
parts: its rules, its learned score (benign spans blanked) and whether the text names a target.
As the learned tier only ever warns, every warn threshold `w` and untargeted threshold `u` can
then be replayed without deciding again:

    flagged = other checks  or  abuse rules  or  (score >= w  and  (target  or  score >= u))

The rule that picks the operating point: among the points that meet issue 9's recall goals on
dev (hate >= 90%, offensive >= 80%), the one that flags the fewest "neither" tweets (the decision,
not the abuse detector alone); ties go to the lower `w`, then to the stricter target rule (`u`
null first: dev cannot tell the `u` values apart on "neither" tweets, and issue 9's benign list,
"fuck this bug", needs untargeted profanity to pass). `detector_eval` is never read. `docs/detectors-training.md`
quotes the output (`docs/results/abuse-dev-sweep.json`); a test checks that the shipped policy
holds the chosen point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.abuse import AbuseDetector, AbuseSettings
from tractatus.governance.learning.dev_report import run_dev_study
from tractatus.governance.learning.governed import GovernedRun
from tractatus.governance.learning.trainers import ABUSE_MODEL, training_rows
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState

SPLIT = "detector_dev"
WARN_GRID = tuple(round(0.40 + 0.01 * i, 2) for i in range(41))  # 0.40 ... 0.80, as abuse_combine_dev
# None: an untargeted score never warns; "same": no target rule (u = w, the tier before it).
UNTARGETED_GRID: tuple[float | str | None, ...] = (None, 0.99, 0.95, 0.9, "same")
GOALS = {"hate": 0.90, "offensive": 0.80}  # issue 9's recall goals, required on dev
LABELS = ("hate", "neither", "offensive")


@dataclass(frozen=True, slots=True)
class DevRow:
    label: str
    others: bool  # a check other than abuse flags it
    rules: bool  # the abuse rules flag it
    score: float  # the learned tier's probability
    target: bool  # the text names a person or a group
    probabilities: tuple[float, ...] = ()  # each model's probability (the policy's order), for abuse_combine_dev


def dev_rows(data_dir: Path, policy_path: Path) -> list[DevRow]:
    rows = training_rows(ABUSE_MODEL, data_dir, SPLIT)
    with GovernedRun(policy_path) as run:
        outcomes = run.decide([r.text for r in rows], "message")
        detector = AbuseDetector(AbuseSettings.model_validate(run.policy.check_settings("abuse").model_dump()))
    state = GovernanceState()
    out = []
    for row, outcome in zip(rows, outcomes, strict=True):
        ctx = CheckContext(action=Action(text=row.text, kind="message"), text=normalize(row.text), state=state)
        out.append(
            DevRow(
                label=row.label,
                others=bool(outcome.flagged_by - {"abuse"}),
                rules=bool(detector.hits(ctx)),
                score=detector.learned_probability(ctx),
                target=detector.aims_at_someone(ctx),
                probabilities=tuple(detector.learned_model_probabilities(ctx)),
            )
        )
    return out


def _untargeted(u: float | str | None, w: float) -> float | None:
    return w if u == "same" else u  # type: ignore[return-value]


def shares(rows: list[DevRow], w: float, u: float | str | None) -> dict[str, dict[str, float]]:
    """Share of each label flagged by the abuse detector alone and by the decision, at (w, u)."""
    untargeted = _untargeted(u, w)
    out: dict[str, dict[str, float]] = {"abuse": {}, "decision": {}}
    for label in LABELS:
        subset = [r for r in rows if r.label == label]
        abuse = [r.rules or (r.score >= w and (r.target or (untargeted is not None and r.score >= untargeted))) for r in subset]
        decision = [a or r.others for a, r in zip(abuse, subset, strict=True)]
        out["abuse"][label] = round(sum(abuse) / len(subset), 4)
        out["decision"][label] = round(sum(decision) / len(subset), 4)
    return out


def sweep(rows: list[DevRow]) -> dict[str, Any]:
    points = [{"warn_probability": w, "untargeted": u, **shares(rows, w, u)} for u in UNTARGETED_GRID for w in WARN_GRID]
    eligible = [p for p in points if all(p["decision"][label] >= goal for label, goal in GOALS.items())]
    order = {u: i for i, u in enumerate(UNTARGETED_GRID)}
    chosen = min(eligible, key=lambda p: (p["decision"]["neither"], p["warn_probability"], order[p["untargeted"]]), default=None)
    return {
        "split": SPLIT,
        "rows": {label: sum(r.label == label for r in rows) for label in LABELS},
        "rule": "meet hate >= 0.90 and offensive >= 0.80 (decision, dev); then fewest 'neither' flagged; then lower warn; then u null first",
        "chosen": chosen,
        "points": points,
    }


def main() -> None:
    run_dev_study(__doc__.splitlines()[0], "docs/results/abuse-dev-sweep.json",
                  lambda data_dir, policy: sweep(dev_rows(data_dir, policy)), lambda result: result["chosen"])  # fmt: skip


if __name__ == "__main__":
    main()
