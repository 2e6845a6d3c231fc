"""Measure the shipped clickbait and abuse detectors (rules + learned tier, as a policy runs them).

    python -m tractatus.governance.learning.heldout [--data-dir DIR] [--policy default] [--out FILE]

Reports, per split (`detector_dev`, where the thresholds were chosen, and `detector_eval`, held
out and measured once the thresholds were fixed), the share of each label that the detector
flags (any finding above info: warn or block) and blocks (a finding of medium severity or more), for the
rules alone, the learned tier alone and both. `docs/detectors-training.md` quotes this file.
The full evaluation harness with peers and evasions is `tractatus detectors eval`.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from tractatus.data.paths import resolve_data_dir
from tractatus.data.splits import load_splits
from tractatus.governance.actions import Action, Finding, Severity
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.abuse import AbuseDetector, AbuseSettings
from tractatus.governance.detectors.clickbait import ClickbaitDetector, ClickbaitSettings
from tractatus.governance.learning.trainers import ABUSE_MODEL, CLICKBAIT_MODEL, ModelSpec
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState

SPLITS = ("detector_dev", "detector_eval")


def _shares(outcomes: dict[str, list[list[Finding]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for label, per_row in sorted(outcomes.items()):
        n = len(per_row)
        out[label] = {
            "rows": n,
            # info findings are on the record only (allowed): not a flag
            "flagged": round(sum(any(x.severity > Severity.INFO for x in f) for f in per_row) / n, 4),
            "blocked": round(sum(any(x.severity >= Severity.MEDIUM for x in f) for f in per_row) / n, 4),
        }
    return out


def measure(spec: ModelSpec, detector: Any, kind: str, data_dir: Path, split: str) -> dict[str, Any]:
    rows = load_splits().select(spec.source, spec.read(data_dir), split)
    state = GovernanceState()
    tiers: dict[str, dict[str, list[list[Finding]]]] = {t: defaultdict(list) for t in ("rules", "learned", "both")}
    for row in rows:
        ctx = CheckContext(action=Action(text=row.text, agent_id="measure", kind=kind), text=normalize(row.text), state=state)
        findings = list(detector.evaluate(ctx))
        learned = [f for f in findings if f.category == "learned"]
        rules = [f for f in findings if f.category != "learned"]
        for tier, found in (("rules", rules), ("learned", learned), ("both", findings)):
            tiers[tier][row.label].append(found)
    return {tier: _shares(outcomes) for tier, outcomes in tiers.items()}


def report(data_dir: Path, policy_name: str) -> dict[str, Any]:
    policy = load_policy(bundled_policy_path(policy_name))
    clickbait = ClickbaitDetector(ClickbaitSettings.model_validate(policy.check_settings("clickbait").model_dump()))
    abuse = AbuseDetector(AbuseSettings.model_validate(policy.check_settings("abuse").model_dump()))
    return {
        "policy": policy_name,
        "policy_digest": policy.digest,
        "splits_digest": load_splits().digest,
        "clickbait (publish)": {s: measure(CLICKBAIT_MODEL, clickbait, "publish", data_dir, s) for s in SPLITS},
        "abuse (message)": {s: measure(ABUSE_MODEL, abuse, "message", data_dir, s) for s in SPLITS},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--policy", default="default")
    parser.add_argument("--out", type=Path, default=Path("docs/results/detectors-training.json"))
    args = parser.parse_args()
    result = report(resolve_data_dir(args.data_dir), args.policy)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
