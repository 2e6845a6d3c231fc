"""How the abuse tier combines its two models: every combination rule replayed on Davidson's `detector_dev`.

    python -m tractatus.governance.learning.abuse_combine_dev [--data-dir DIR] [--policy default] [--out FILE]

The abuse tier has two models: ours ("abuse", trained on Davidson `detector_train`) and the
exported alt-profanity-check ("profanity"). Each dev tweet is decided once under the policy, as
`abuse_dev_sweep` does (other checks, abuse rules and target kept apart), and both models'
probabilities are kept (benign spans blanked, as the tier reads it). Then, for each rule below
and each threshold of `GRID`, with and without the target rule, the decision is replayed:

    flagged = other checks  or  abuse rules  or  (combined >= threshold  and  (target  or  no target rule))

Rules: geometric_mean and mean (what the tier can run, `learned.combine`), max (a union), min
(an intersection), stacked (a logistic regression on the two probabilities, fitted on
`detector_train` with our model's scores out-of-fold, 5 folds; never on dev), and each model alone.

The written choice: among the points with hate >= 90% and offensive >= 88% flagged by the
decision on dev, the fewest "neither" tweets flagged; ties go to the rule listed first in `RULES`
(the ones the tier runs, then the ones needing fitted weights), then to the higher hate share,
then to the lower threshold. `detector_eval` is never read. alt-profanity-check's authors trained
on data that includes the Davidson tweets, so every score involving it is optimistic on every
Davidson split (docs/detectors-training.md). Output: `docs/results/abuse-combine-dev.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from tractatus.governance.detectors.text_model import load_model, model_input
from tractatus.governance.learning.abuse_dev_sweep import DevRow, dev_rows, shares
from tractatus.governance.learning.dev_report import run_dev_study
from tractatus.governance.learning.text_classifier import build_pipeline, round_floats
from tractatus.governance.learning.trainers import ABUSE_MODEL, training_rows
from tractatus.governance.normalize import normalize

MODELS = ("abuse", "profanity")  # the policy's order; the study refuses another
GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(61))  # 0.30 ... 0.90
GOALS = {"hate": 0.90, "offensive": 0.88}  # on dev, the decision
RULES = ("geometric_mean", "mean", "stacked", "max", "min", "abuse", "profanity")
TIER_RULES = ("geometric_mean", "mean")  # what `learned.combine` can run
FOLDS = 5

Scorer = Callable[[float, float], float]


def stacker(data_dir: Path) -> dict[str, Any]:
    """A logistic regression on (abuse, profanity) probabilities, fitted on `detector_train`.

    Our model's probabilities are out-of-fold (5 stratified folds, seed 0), so the stacker never
    sees a score of a tweet the model was fitted on; alt-profanity-check is fixed (not refitted)."""
    rows = training_rows(ABUSE_MODEL, data_dir, "detector_train")
    texts = [model_input(normalize(r.text)) for r in rows]
    labels = [ABUSE_MODEL.label(r.label) for r in rows]
    folds = StratifiedKFold(FOLDS, shuffle=True, random_state=0)
    oof = cross_val_predict(build_pipeline(ABUSE_MODEL.params), texts, labels, cv=folds, method="predict_proba")
    classes = sorted(set(labels))  # scikit-learn's class order
    ours = oof[:, classes.index(ABUSE_MODEL.positive)]
    profanity = load_model("profanity")
    theirs = np.array([profanity.probabilities(t)["1"] for t in texts])
    fitted = LogisticRegression(C=1.0).fit(np.c_[ours, theirs], [label == ABUSE_MODEL.positive for label in labels])
    return {"fitted_on": "detector_train (our model out-of-fold)", "rows": len(rows),
            "coef": round_floats(fitted.coef_[0]), "intercept": round_floats(fitted.intercept_)[0]}  # fmt: skip


def scorers(stack: dict[str, Any]) -> dict[str, Scorer]:
    w_ours, w_theirs = stack["coef"]
    bias = stack["intercept"]
    return {
        "geometric_mean": lambda a, p: float(np.sqrt(a * p)),
        "mean": lambda a, p: (a + p) / 2,
        "stacked": lambda a, p: float(1.0 / (1.0 + np.exp(-(bias + w_ours * a + w_theirs * p)))),
        "max": max,
        "min": min,
        "abuse": lambda a, p: a,
        "profanity": lambda a, p: p,
    }


def curves(rows: Sequence[DevRow], stack: dict[str, Any]) -> list[dict[str, Any]]:
    """Every (rule, target rule, threshold) point: the shares the decision flags per label, and
    the share of "neither" tweets the abuse detector alone flags."""
    points = []
    for rule, score in scorers(stack).items():
        rescored = [replace(r, score=score(*r.probabilities)) for r in rows]
        for targeted in (True, False):
            for threshold in GRID:
                flagged = shares(rescored, threshold, None if targeted else "same")
                points.append({"rule": rule, "target_rule": targeted, "threshold": threshold,
                               "decision": flagged["decision"], "abuse_neither": flagged["abuse"]["neither"]})  # fmt: skip
    return points


def choose(points: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    eligible = [p for p in points if all(p["decision"][label] >= goal for label, goal in GOALS.items())]
    return min(eligible, default=None, key=lambda p: (p["decision"]["neither"], RULES.index(p["rule"]),
                                                      -p["decision"]["hate"], p["threshold"]))  # fmt: skip


def best_per_rule(points: Sequence[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any] | None]]:
    """The chosen point of each rule and target rule alone: the table docs/detectors-training.md shows."""
    out: dict[str, dict[str, dict[str, Any] | None]] = {}
    for rule in RULES:
        for targeted in (True, False):
            mine = [p for p in points if p["rule"] == rule and p["target_rule"] is targeted]
            out.setdefault(rule, {})["target" if targeted else "no_target"] = choose(mine)
    return out


def study(data_dir: Path, policy_path: Path) -> dict[str, Any]:
    rows = dev_rows(data_dir, policy_path)
    if any(len(r.probabilities) != len(MODELS) for r in rows):
        raise ValueError(f"the study needs the abuse tier's models to be {list(MODELS)}")
    stack = stacker(data_dir)
    points = curves(rows, stack)
    return {
        "split": "detector_dev",
        "models": list(MODELS),
        "goals": GOALS,
        "rule": "hate >= 0.90 and offensive >= 0.88 (decision, dev); then fewest 'neither'; then the rule listed "
        "first (tier rules before fitted ones); then higher hate; then lower threshold",
        "stacker": stack,
        "best": best_per_rule(points),
        "chosen": choose(points),
        "chosen_runnable": choose([p for p in points if p["rule"] in TIER_RULES]),
        "points": points,
    }


def main() -> None:
    run_dev_study(__doc__.splitlines()[0], "docs/results/abuse-combine-dev.json", study,
                  lambda result: {"chosen": result["chosen"], "stacker": result["stacker"]})  # fmt: skip


if __name__ == "__main__":
    main()
