"""The headline models out of fold on `detector_train`, and what re-styling a headline does to them.

Called by `python -m tractatus.governance.learning.clickbait_dev --cv` (its `cv` section). Every
model of `MODELS` is fitted on four folds (each with its extra negatives and, for a style-reading
model, its case variants of those folds only) and scores the fifth, as written and re-styled:
- `lowered`: the headline in lower case (the case evasion any writer can do);
- `news_case`: the headline in a news title case ("... Five Children When She Went to the Hospital");
- `capitalised`: Every Word Capitalised (BuzzFeed's house style; on news: the stress test for a
  model that reads case, a news site with that style).
For each model and for each combination the policies may name (mean of probabilities), the
threshold giving each false-positive rate on the headlines as written is applied to the re-styled
ones: recall of re-styled clickbait and the share of re-styled news flagged at that same threshold.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from tractatus.data.readers import LabelledText
from tractatus.governance.detectors.headline_style import every_word_capitalised, news_title_case
from tractatus.governance.learning.trainers import ModelSpec, fitted, fitting_set, text_inputs

FOLDS = 5
FALSE_POSITIVE_RATES = (0.01, 0.0125, 0.015, 0.02)
RESTYLINGS: dict[str, Callable[[str], str]] = {
    "as_written": lambda text: text,
    "lowered": str.lower,
    "news_case": news_title_case,
    "capitalised": every_word_capitalised,
}


def out_of_fold(specs: Sequence[ModelSpec], rows: list[LabelledText]) -> dict[str, dict[str, np.ndarray]]:
    """Each model's out-of-fold probability of every row, under every re-styling."""
    from sklearn.model_selection import StratifiedKFold  # training-side: imported only here

    labels = np.asarray([row.label for row in rows])
    folds = list(StratifiedKFold(FOLDS, shuffle=True, random_state=0).split(np.zeros(len(rows)), labels))
    out: dict[str, dict[str, np.ndarray]] = {}
    for spec in specs:
        restyled = {name: text_inputs([restyle(row.text) for row in rows], spec.input) for name, restyle in RESTYLINGS.items()}
        scores = {name: np.zeros(len(rows)) for name in RESTYLINGS}
        for train, test in folds:
            fold = [rows[i] for i in train]
            texts, fold_labels, weights = fitting_set(spec, fold)
            pipeline = fitted(spec, fold, texts, fold_labels, weights)
            column = list(pipeline.classes_).index(spec.positive)
            for name, inputs in restyled.items():
                scores[name][test] = pipeline.predict_proba([inputs[i] for i in test])[:, column]
        out[spec.name] = scores
    return out


def operating_points(scores: dict[str, np.ndarray], positive: np.ndarray) -> dict[str, Any]:
    """At each false-positive rate on the headlines as written: recall, and what each re-styling
    keeps of clickbait and flags of news at the same threshold."""
    written = scores["as_written"]
    negatives = np.sort(written[~positive])[::-1]
    out: dict[str, Any] = {}
    for rate in FALSE_POSITIVE_RATES:
        threshold = negatives[int(rate * len(negatives))]
        out[f"fpr {rate:g}"] = {
            name: {"clickbait": round(float((s[positive] > threshold).mean()), 4),
                   "news": round(float((s[~positive] > threshold).mean()), 4)}
            for name, s in scores.items()
        }
    return out


def report(specs: Sequence[ModelSpec], combinations: dict[str, Sequence[str]], rows: list[LabelledText],
           positive_label: str) -> dict[str, Any]:
    """The `cv` section: every model alone and every named combination (mean of probabilities)."""
    scores = out_of_fold(specs, rows)
    positive = np.asarray([row.label == positive_label for row in rows])
    result: dict[str, Any] = {"folds": FOLDS, "split": "detector_train", "restylings": list(RESTYLINGS)}
    for name, by_style in scores.items():
        result[name] = operating_points(by_style, positive)
    for name, members in combinations.items():
        mean = {style: np.mean([scores[m][style] for m in members], axis=0) for style in RESTYLINGS}
        result[name] = operating_points(mean, positive)
    return result
