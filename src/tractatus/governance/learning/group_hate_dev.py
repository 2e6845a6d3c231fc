"""What the abuse detector's group-hate rules (`abuse.group_hate`) catch, and what they cost.

    python -m tractatus.governance.learning.group_hate_dev [--data-dir DIR] [--policy default]
        [--n 2000] [--seed 0] [--out docs/results/group-hate-dev.json]

Two measurements, each decided by the real Governor as `message` actions:
1. The project's own group-talk set (`group_hate_corpus`): hate statements and benign statements
   about the same groups, on its "dev" and its "eval" templates (disjoint). Reported: the share of
   each flagged by the decision and by the group-hate rule alone. A weak, self-written set: its
   numbers are upper bounds (see the corpus module), not ETHOS numbers.
2. Davidson's `detector_dev` tweets: the share of each label flagged by the decision with the rule
   and without it (a tweet counts as flagged "without" when some other finding flags it), so the
   rule's gain on hate and its cost on "neither" read side by side. `detector_eval` is never read.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tractatus.data.paths import resolve_data_dir
from tractatus.data.splits import load_splits
from tractatus.governance.learning.governed import GovernedRun, Outcome
from tractatus.governance.learning.group_hate_corpus import generate
from tractatus.governance.learning.trainers import ABUSE_MODEL, training_rows
from tractatus.governance.policy import bundled_policy_path

RULE = ("abuse", "group_hate")  # (check, category) of the rule's findings


def _without_rule(outcome: Outcome) -> bool:
    """Flagged even if the group-hate rule had found nothing."""
    return bool(outcome.categories - {RULE})


def _share(flags: Sequence[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def corpus_shares(run: GovernedRun, split: str, n: int, seed: int) -> dict[str, Any]:
    examples = generate(split, n, seed)
    outcomes = run.decide([e.text for e in examples], "message")
    out: dict[str, Any] = {"n": len(examples), "templates": len({e.template_id for e in examples})}
    for label, hateful in (("hate", True), ("benign", False)):
        rows = [(e, o) for e, o in zip(examples, outcomes, strict=True) if e.hateful == hateful]
        out[label] = {
            "decision": _share([o.flagged for _, o in rows]),
            "rule": _share([RULE in o.categories for _, o in rows]),
            "without_rule": _share([_without_rule(o) for _, o in rows]),
        }
    # Which templates the decision gets wrong, for reading (never for tuning the eval split).
    wrong: dict[str, int] = {}
    for example, outcome in zip(examples, outcomes, strict=True):
        if outcome.flagged != example.hateful:
            wrong[example.template_id] = wrong.get(example.template_id, 0) + 1
    out["wrong_by_template"] = dict(sorted(wrong.items()))
    return out


def davidson_shares(run: GovernedRun, data_dir: Path) -> dict[str, Any]:
    rows = training_rows(ABUSE_MODEL, data_dir, "detector_dev")
    outcomes = run.decide([r.text for r in rows], "message")
    out: dict[str, Any] = {}
    for label in sorted({r.label for r in rows}):
        picked = [o for r, o in zip(rows, outcomes, strict=True) if r.label == label]
        out[label] = {
            "n": len(picked),
            "decision": _share([o.flagged for o in picked]),
            "without_rule": _share([_without_rule(o) for o in picked]),
            "rule": _share([RULE in o.categories for o in picked]),
        }
    return out


def measure(policy_path: Path, data_dir: Path | None, n: int, seed: int) -> dict[str, Any]:
    with GovernedRun(policy_path) as run:
        result: dict[str, Any] = {
            "policy_digest": run.digest,
            "corpus": {"seed": seed, "dev": corpus_shares(run, "dev", n, seed), "eval": corpus_shares(run, "eval", n, seed)},
        }
        if data_dir is not None:
            result["davidson_detector_dev"] = davidson_shares(run, data_dir)
            result["splits_digest"] = load_splits().digest
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--policy", default="default")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("docs/results/group-hate-dev.json"))
    args = parser.parse_args()
    result = {"policy": args.policy, **measure(bundled_policy_path(args.policy), resolve_data_dir(args.data_dir), args.n, args.seed)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    summary = {split: {k: result["corpus"][split][k] for k in ("hate", "benign")} for split in ("dev", "eval")}
    print(json.dumps({"corpus": summary, "davidson_detector_dev": result.get("davidson_detector_dev")}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
