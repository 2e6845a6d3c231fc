"""The clickbait operating point on `detector_dev`: how the policies' headline thresholds were chosen.

    python -m tractatus.governance.learning.clickbait_dev [--data-dir DIR] [--out FILE] [--cv]

Reads `detector_dev` only (and, with `--cv`, `detector_train` for cross-validation); the held-out
`detector_eval` split is never read here, so nothing chosen from this report has seen it. It writes
`docs/results/clickbait-dev.json` (quoted by `docs/detectors-training.md`) with
- `sweep`: for each candidate warn probability of the headline model, the share of dev clickbait,
  of dev news headlines and of ordinary short texts (`ordinary_text_corpus`, its "dev" templates:
  notices, release notes, chat, tutorial titles) that the clickbait detector (rules + learned
  tier, with the policy's instructional cap) flags in `publish`: the curve the threshold was read from;
- `policies`: what `default.yaml` and `lab-engagement.yaml` decide on the dev headlines in
  `publish` through the real Governor (any non-allow verdict counts, warnings too), and which
  checks flagged the news headlines: the number the issue's goal is about;
- `cv` (with `--cv`): recall at fixed false-positive rates, out of fold over `detector_train`, for
  each candidate C of the headline model (the C in `trainers.C_CLICKBAIT`); every training fold
  gets the model's extra negatives too, the measured folds are headlines only.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from tractatus.data.paths import resolve_data_dir
from tractatus.data.readers import LabelledText
from tractatus.data.splits import load_splits
from tractatus.governance.actions import Action, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.clickbait import ClickbaitDetector, ClickbaitSettings, is_instructional
from tractatus.governance.learning.governed import GovernedRun
from tractatus.governance.learning.ordinary_text_corpus import generate as generate_ordinary
from tractatus.governance.learning.trainers import CLICKBAIT_MODEL, _inputs, fitting_set, training_rows
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState

POLICIES = ("default.yaml", "lab-engagement.yaml")
SWEEP = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
# Ordinary short texts measured beside the headlines: the corpus's dev templates (never trained on).
ORDINARY_DEV_N = 2000
ORDINARY_DEV_SEED = 0
ORDINARY = "ordinary"  # their label in the sweep
CV_C = (3.0, 10.0, 30.0)
CV_FPR = (0.01, 0.0125, 0.015, 0.02)
CV_FOLDS = 5


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def sweep(rows: list[LabelledText], policy: Path) -> dict[str, Any]:
    """Clickbait detector alone, `publish`: flagged share per label at each warn probability.

    Each row is scored once: the rules' findings and the headline model's probability; a row is
    flagged at threshold t when a rule flags it or the probability reaches t, unless the policy's
    instructional cap lowers that learned finding to `info` (allowed). Rows labelled `ORDINARY`
    (generated short texts) are reported beside the headlines."""
    settings = ClickbaitSettings.model_validate(load_policy(policy).check_settings("clickbait").model_dump())
    detector = ClickbaitDetector(settings)
    cap = settings.learned_instructional_severity
    capped_to_info = cap is not None and Severity.parse(cap) <= Severity.INFO
    state = GovernanceState()
    scored = []
    for row in rows:
        ctx = CheckContext(action=Action(text=row.text, kind="publish"), text=normalize(row.text), state=state)
        rules = any(f.category != "learned" and f.severity > Severity.INFO for f in detector.evaluate(ctx))
        probability = detector.learned_probability(ctx) or 0.0
        allowed = capped_to_info and not rules and is_instructional(ctx.text.lower_words)
        scored.append((row.label, rules, probability, allowed))
    out: dict[str, Any] = {}
    labels = sorted({label for label, *_ in scored})
    for threshold in SWEEP:
        flags: dict[str, list[bool]] = {label: [] for label in labels}
        for label, rules, probability, allowed in scored:
            flags[label].append(rules or (probability >= threshold and not allowed))
        out[f"{threshold:g}"] = {label: _share(f) for label, f in flags.items()}
    # What the instructional cap costs: shares of each label it allows whatever the threshold.
    out["instructional"] = {label: _share([allowed for lab, _, _, allowed in scored if lab == label]) for label in labels}
    return out


def decided(rows: list[LabelledText], policies_dir: Path) -> dict[str, Any]:
    """What each policy decides on the dev headlines in `publish` (any non-allow verdict is a flag)."""
    out: dict[str, Any] = {}
    texts = [row.text for row in rows]
    for name in POLICIES:
        with GovernedRun(policies_dir / name) as run:
            outcomes = run.decide(texts, "publish")
        result: dict[str, Any] = {"policy_digest": run.digest}
        for label in ("clickbait", "news"):
            picked = [o for o, row in zip(outcomes, rows, strict=True) if row.label == label]
            result[label] = {"rows": len(picked), "flagged": _share([o.flagged for o in picked])}
        news = [o for o, row in zip(outcomes, rows, strict=True) if row.label == "news"]
        by_check = Counter(check for o in news if o.flagged for check in o.flagged_by)
        result["news_flagged_by"] = {check: _share([check in o.flagged_by for o in news]) for check in sorted(by_check)}
        out[name] = result
    return out


def cross_validate(rows: list[LabelledText]) -> dict[str, Any]:
    """Out-of-fold recall at fixed false-positive rates for each candidate C (detector_train only)."""
    from sklearn.model_selection import StratifiedKFold  # training-side: imported only here

    from tractatus.governance.learning.text_classifier import fit

    texts = _inputs(rows, CLICKBAIT_MODEL.input)
    labels = np.asarray([CLICKBAIT_MODEL.label(row.label) for row in rows])
    positive = labels == CLICKBAIT_MODEL.positive
    every_text, every_label, weights = fitting_set(CLICKBAIT_MODEL, rows)
    extra = list(range(len(rows), len(every_text)))  # the extra negatives: in every training fold
    out: dict[str, Any] = {}
    for c in CV_C:
        params = CLICKBAIT_MODEL.params.__class__(**{**CLICKBAIT_MODEL.params.__dict__, "C": c})
        scores = np.zeros(len(rows))
        for train, test in StratifiedKFold(CV_FOLDS, shuffle=True, random_state=0).split(texts, labels):
            fold = [*train.tolist(), *extra]
            pipeline = fit([every_text[i] for i in fold], [every_label[i] for i in fold], params,
                           None if weights is None else [weights[i] for i in fold])
            column = list(pipeline.classes_).index(CLICKBAIT_MODEL.positive)
            scores[test] = pipeline.predict_proba([texts[i] for i in test])[:, column]
        out[f"C={c:g}"] = {f"recall at fpr {f:g}": _recall_at(scores, positive, f) for f in CV_FPR}
    return out


def _recall_at(scores: np.ndarray, positive: np.ndarray, fpr: float) -> float:
    negatives = np.sort(scores[~positive])[::-1]
    threshold = negatives[int(fpr * len(negatives))]
    return round(float((scores[positive] > threshold).mean()), 4)


def ordinary_dev_rows() -> list[LabelledText]:
    """The ordinary short texts of the corpus's dev templates, labelled `ORDINARY` (distinct texts)."""
    texts = dict.fromkeys(example.text for example in generate_ordinary("dev", ORDINARY_DEV_N, ORDINARY_DEV_SEED))
    return [LabelledText(text=text, label=ORDINARY) for text in texts]


def report(data_dir: Path, policies_dir: Path, cv: bool) -> dict[str, Any]:
    dev = training_rows(CLICKBAIT_MODEL, data_dir, "detector_dev")
    result: dict[str, Any] = {
        "split": "detector_dev",
        "splits_digest": load_splits().digest,
        "rows": dict(sorted(Counter(row.label for row in dev).items())),
        "ordinary_dev": {"n": ORDINARY_DEV_N, "seed": ORDINARY_DEV_SEED, "templates": "ordinary_text_corpus/dev"},
        "sweep": {name: sweep(dev + ordinary_dev_rows(), policies_dir / name) for name in POLICIES},
        "policies": decided(dev, policies_dir),
    }
    if cv:
        result["cv"] = {"split": "detector_train", "folds": CV_FOLDS, **cross_validate(training_rows(CLICKBAIT_MODEL, data_dir, "detector_train"))}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--policies-dir", type=Path, default=bundled_policy_path("default").parent)
    parser.add_argument("--out", type=Path, default=Path("docs/results/clickbait-dev.json"))
    parser.add_argument("--cv", action="store_true", help="also cross-validate C on detector_train (minutes)")
    args = parser.parse_args()
    result = report(resolve_data_dir(args.data_dir), args.policies_dir, args.cv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
