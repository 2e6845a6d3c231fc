"""Speed work must not change what the governor decides: decisions on a fixed corpus are pinned.

The corpus is the team's own test texts (red-team cases, boundary cases) alone and joined into
~1 KB messages, decided as `message` and `publish` actions under `policies/default.yaml`. Each
decision is reduced to a fingerprint of its verdict and every finding (source, rule, category,
severity, verdict, span, evidence, message); the fingerprints were written before the
optimizations and are compared one by one.

A deliberate change of behaviour (a new rule, a retuned threshold) regenerates the file, in its
own commit that says why:

    PYTHONPATH=src .venv/bin/python tests/governance/test_decisions_unchanged.py --write
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

import yaml

from tractatus.governance.actions import Action, Decision
from tractatus.governance.governor import Governor
from tractatus.governance.policy import Policy, bundled_policy_path, parse_policy

HERE = Path(__file__).resolve().parent
FINGERPRINTS = HERE / "data" / "decision_fingerprints.json"
KINDS = ("message", "publish")
COMPOSITES = 120  # ~1 KB messages built from the case texts
COMPOSITE_BYTES = 1024


def corpus() -> list[str]:
    """The case texts, then 1 KB messages joined from them (seeded: the same list every run)."""
    texts: list[str] = []
    for path in sorted((HERE / "data").glob("*_cases.jsonl")):
        texts.extend(json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    boundary = yaml.safe_load((HERE / "services" / "data" / "boundary_cases.yaml").read_text(encoding="utf-8"))
    for section in boundary.values():
        texts.extend(row["text"] if isinstance(row, dict) else row for row in section)
    rng = random.Random(20261203)
    composites = []
    for _ in range(COMPOSITES):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < COMPOSITE_BYTES:
            parts.append(rng.choice(texts))
        composites.append(" ".join(parts)[:COMPOSITE_BYTES])
    return texts + composites


def fingerprint(decision: Decision) -> str:
    findings = sorted(
        (f.source, f.rule_id, f.category, int(f.severity), int(f.verdict or 0), f.span.start, f.span.end, f.evidence or "", f.message)
        for f in decision.findings
    )
    raw = json.dumps([int(decision.verdict), findings], ensure_ascii=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def default_policy_without_timeouts() -> Policy:
    """default.yaml with a 60 s check budget: on a loaded machine a check may overrun 250 ms and
    fail closed, which is the engine working, not a changed decision."""
    source = bundled_policy_path("default").read_text(encoding="utf-8")
    relaxed, replaced = re.subn(r"(?m)^(\s*check_timeout_ms:\s*)\d+", r"\g<1>60000", source)
    assert replaced == 1, "default.yaml has no limits.check_timeout_ms"
    return parse_policy(relaxed, source="default.yaml (check_timeout_ms: 60000)")


def decide_all() -> dict[str, list[str]]:
    with Governor(default_policy_without_timeouts()) as governor:
        texts = corpus()
        return {kind: [fingerprint(governor.evaluate(Action(kind=kind, text=t))) for t in texts] for kind in KINDS}


def test_decisions_match_the_pinned_fingerprints() -> None:
    pinned = json.loads(FINGERPRINTS.read_text(encoding="utf-8"))
    texts = corpus()
    assert len(pinned["message"]) == len(texts), "the corpus changed: regenerate the fingerprints on purpose"
    now = decide_all()
    for kind in KINDS:
        changed = [texts[i][:80] for i, (a, b) in enumerate(zip(pinned[kind], now[kind], strict=True)) if a != b]
        assert not changed, f"{kind}: {len(changed)} decisions changed, e.g. {changed[:3]}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        raise SystemExit("usage: test_decisions_unchanged.py --write")
    FINGERPRINTS.write_text(json.dumps(decide_all(), indent=0) + "\n", encoding="utf-8")
    print(f"wrote {FINGERPRINTS}")
