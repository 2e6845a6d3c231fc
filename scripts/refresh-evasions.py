"""Refresh tests/lab/experiments/evasions.json: every evasion the adversarial agent got past the
governor is a regression case; this recomputes each case's status under today's detectors and,
given adversarial summaries (`tractatus lab adversarial --json > s.json`), adds their new evasions.

    .venv/bin/python scripts/refresh-evasions.py [SUMMARY.json ...]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from tractatus.lab.experiments.adversarial import regression_cases

CASES = Path(__file__).resolve().parents[1] / "tests" / "lab" / "experiments" / "evasions.json"


def main(summaries: list[str]) -> None:
    evasions = json.loads(CASES.read_text(encoding="utf-8"))
    seen = {case["text"] for case in evasions}
    for path in summaries:
        for evasion in json.loads(Path(path).read_text(encoding="utf-8")).get("evasions", []):
            if evasion["text"] not in seen:
                seen.add(evasion["text"])
                evasions.append(evasion)
    cases = regression_cases({"evasions": evasions})
    CASES.write_text(json.dumps(cases, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{CASES.name}: {len(cases)} cases, {dict(Counter(c['status'] for c in cases))}")


if __name__ == "__main__":
    main(sys.argv[1:])
