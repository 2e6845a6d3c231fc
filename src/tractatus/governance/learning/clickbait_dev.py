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
- `cv` (with `--cv`, `clickbait_cv`): recall at fixed false-positive rates, out of fold over
  `detector_train`, for each headline model and the combinations the policies may name, on the
  headlines as written and re-styled (lower case, news title case, Every Word Capitalised); every
  training fold gets the model's extra negatives and case variants too, the measured folds are
  headlines only.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path
from typing import Any

from tractatus.data.paths import resolve_data_dir
from tractatus.data.readers import LabelledText
from tractatus.data.splits import load_splits
from tractatus.governance.actions import Action, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.clickbait import ClickbaitDetector, ClickbaitSettings, is_instructional
from tractatus.governance.learning import clickbait_cv
from tractatus.governance.learning.governed import GovernedRun
from tractatus.governance.learning.ordinary_text_corpus import generate as generate_ordinary
from tractatus.governance.learning.trainers import (
    CLICKBAIT_MODEL,
    RESTYLED_CLICKBAIT_MODEL,
    STYLED_CLICKBAIT_MODEL,
    training_rows,
)
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState

POLICIES = ("default.yaml", "lab-engagement.yaml")
HEADLINE_MODELS = (CLICKBAIT_MODEL, STYLED_CLICKBAIT_MODEL, RESTYLED_CLICKBAIT_MODEL)
SWEEP = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
# Ordinary short texts measured beside the headlines: the corpus's dev templates (never trained on).
ORDINARY_DEV_N = 2000
ORDINARY_DEV_SEED = 0
ORDINARY = "ordinary"  # their label in the sweep
# The combinations of headline models the policies may name (`combine: mean`), cross-validated beside each model.
CV_COMBINATIONS = {"mean(clickbait_styled, clickbait_restyled)": ("clickbait_styled", "clickbait_restyled"),
                   "mean(clickbait, clickbait_styled)": ("clickbait", "clickbait_styled"),
                   "mean(clickbait, clickbait_styled, clickbait_restyled)": ("clickbait", "clickbait_styled", "clickbait_restyled")}


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
        rows = training_rows(CLICKBAIT_MODEL, data_dir, "detector_train")
        result["cv"] = clickbait_cv.report(HEADLINE_MODELS, CV_COMBINATIONS, rows, CLICKBAIT_MODEL.positive)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--policies-dir", type=Path, default=bundled_policy_path("default").parent)
    parser.add_argument("--out", type=Path, default=Path("docs/results/clickbait-dev.json"))
    parser.add_argument("--cv", action="store_true", help="also cross-validate the headline models on detector_train, as written and re-styled (minutes)")
    args = parser.parse_args()
    result = report(resolve_data_dir(args.data_dir), args.policies_dir, args.cv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
