#!/usr/bin/env python3
"""Per-entity recall and PII-free false-positive rate of the shipped PII detector on the project's
own Faker-filled corpus (governance/learning/pii_corpus.py).

    python scripts/pii-corpus-score.py --split eval --n 2000 --seed 1 [--markdown] [--misses 20]

An entity counts as found when a finding of the same category overlaps its span; a PII-free
sentence counts as flagged when the detector reports anything in it. The full evaluation harness
(`tractatus detectors eval`) owns the published table; this is the quick loop for the recognizers.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import yaml

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.pii import PiiDetector, PiiSettings
from tractatus.governance.learning.pii_corpus import CATEGORIES, generate
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["dev", "eval"], default="eval")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--policy", type=Path, default=ROOT / "policies" / "default.yaml")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument(
        "--misses", type=int, default=0, help="print up to this many misses and false positives"
    )
    args = parser.parse_args()

    document = yaml.safe_load(args.policy.read_text(encoding="utf-8"))
    detector = PiiDetector(PiiSettings.model_validate(document["checks"]["pii"]["settings"]))
    total: Counter[str] = Counter()
    found: Counter[str] = Counter()
    misses: list[str] = []
    for example in generate(args.split, args.n, args.seed):
        ctx = CheckContext(
            action=Action(text=example.text), text=normalize(example.text), state=GovernanceState()
        )
        findings = detector.evaluate(ctx)
        if example.pii_free:
            total["pii_free"] += 1
            if findings:
                found["pii_free"] += 1
                misses.append(
                    f"FP  {example.template_id} {example.text!r} -> {[(f.category, f.span.start if f.span else None) for f in findings]}"
                )
        for span in example.spans:
            total[span.category] += 1
            hit = any(
                f.category == span.category
                and f.span is not None
                and f.span.start < span.end
                and span.start < f.span.end
                for f in findings
            )
            found[span.category] += hit
            if not hit:
                misses.append(
                    f"MISS {span.category} {example.locale} {example.text[span.start : span.end]!r} in {example.text!r}"
                )
    result = {
        "split": args.split, "n": args.n, "seed": args.seed,
        "recall": {c: round(found[c] / total[c], 4) for c in CATEGORIES if total[c]},
        "support": {c: total[c] for c in (*CATEGORIES, "pii_free")},
        "pii_free_flagged": round(found["pii_free"] / total["pii_free"], 4) if total["pii_free"] else None,
    }  # fmt: skip
    if args.markdown:
        print("| Category | Recall | Support |\n|---|---|---|")
        for category, recall in result["recall"].items():
            print(f"| {category} | {recall:.1%} | {total[category]} |")
        print(f"| PII-free flagged | {result['pii_free_flagged']:.1%} | {total['pii_free']} |")
    else:
        print(json.dumps(result, indent=2))
    for line in misses[: args.misses]:
        print(line)


if __name__ == "__main__":
    main()
