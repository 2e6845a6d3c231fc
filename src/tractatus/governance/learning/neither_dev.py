"""What flags Davidson's tweets on `detector_dev`, rule by rule: the breakdown behind issue 9's
"≤ 8% of the rest flagged" goal for `message` actions.

    python -m tractatus.governance.learning.neither_dev [--data-dir DIR] [--policy default] [--out FILE]

Every dev tweet is decided once by the real Governor under the policy, as a `message` (what a
user of the policy gets, as `abuse_dev_sweep` does). Written out, per label:
- the share the decision flags (warn or worse), the share the abuse detector flags, the share
  its rules and its learned tier flag, and the share only checks other than abuse flag;
- for each rule id, how many tweets it flags (a tweet counts once per rule id; one tweet may
  count under several ids), and how many tweets the non-abuse checks flag alone.
The abuse sweep (`abuse_dev_sweep`) chooses the abuse tier's thresholds; this breakdown says
where the rest of the "neither" tweets the decision flags come from, so each cause can be fixed
at its rule. No tweet text is written (dataset content is never committed) and `detector_eval`
is never read. `docs/results/neither-dev.json` is the output at the current code;
`docs/results/history/neither-dev-5a8ead9.json` the one before session 4's fixes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from tractatus.governance.learning.dev_report import run_dev_study
from tractatus.governance.learning.governed import GovernedRun, Outcome
from tractatus.governance.learning.trainers import ABUSE_MODEL, training_rows

SPLIT = "detector_dev"
LABELS = ("hate", "neither", "offensive")
LEARNED_RULE = "abuse.learned"


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _tiers(outcome: Outcome) -> dict[str, bool]:
    abuse_ids = {r for r in outcome.rule_ids if r.startswith("abuse.")}
    others = outcome.flagged_by - {"abuse"}
    return {
        "decision": outcome.flagged,
        "abuse": bool(abuse_ids),
        "abuse_rules": bool(abuse_ids - {LEARNED_RULE}),
        "abuse_learned": LEARNED_RULE in abuse_ids,
        "other_checks": bool(others),
        "other_checks_only": bool(others) and not abuse_ids,
    }


def breakdown(labels: list[str], outcomes: list[Outcome]) -> dict[str, Any]:
    """Per label: shares flagged per tier and tweets flagged per rule id (module docstring)."""
    out: dict[str, Any] = {}
    for label in LABELS:
        mine = [o for lab, o in zip(labels, outcomes, strict=True) if lab == label]
        tiers = [_tiers(o) for o in mine]
        per_rule = Counter(rule for o in mine for rule in o.rule_ids)
        out[label] = {
            "rows": len(mine),
            "flagged": {tier: _share(sum(t[tier] for t in tiers), len(mine)) for tier in tiers[0]} if tiers else {},
            "tweets_per_rule_id": dict(sorted(per_rule.items(), key=lambda kv: (-kv[1], kv[0]))),
        }
    return out


def dev_breakdown(data_dir: Path, policy_path: Path) -> dict[str, Any]:
    rows = training_rows(ABUSE_MODEL, data_dir, SPLIT)
    with GovernedRun(policy_path) as run:
        outcomes = run.decide([r.text for r in rows], "message")
    return {"split": SPLIT, "kind": "message", "labels": breakdown([r.label for r in rows], outcomes)}


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    neither = result["labels"]["neither"]
    return {"neither": neither["flagged"], "rules": neither["tweets_per_rule_id"]}


def main() -> None:
    run_dev_study(__doc__.splitlines()[0], "docs/results/neither-dev.json", dev_breakdown, _summary)


if __name__ == "__main__":
    main()
