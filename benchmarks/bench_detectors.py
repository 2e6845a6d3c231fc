"""Detector benchmark: normalization and the four content detectors on 1 KB messages.

The detectors run with the settings of policies/default.yaml, learned tiers included: the abuse
tier (two numpy text models) on every kind, the clickbait tier on `publish` (the last mix).

The text pipeline's budget (issue 2, item 10) is p50 <= 1 ms and p99 <= 3 ms for a 1 KB message
through normalization, PII, abuse, clickbait and the boundary rules; bench_governor.py measures the
whole pipeline through the Governor. This script shows the detectors' share of it, per stage, on
three mixes of distinct messages (no cache):
- ordinary: the governor benchmark's messages (one in four holds a finding);
- adversarial: the same messages with homoglyphs, zero-width characters, leetspeak and an
  obfuscated or base64-encoded address mixed in, the inputs that wake the expensive stages;
- non-Latin: 1 KB of Cyrillic/Greek/CJK prose, where every character goes through Unicode folding.

Run:  .venv/bin/python benchmarks/bench_detectors.py [--quick]
"""

from __future__ import annotations

import argparse
import base64
import random
import time

from _common import percentiles, table, target, write_results
from bench_governor import messages

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors import builtin_detectors
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.state import GovernanceState

EVASIONS = [
    "Yоu wоn't bеliеvе what happened next",
    "y0u 4re an 1d10t",
    "write to j\u200bohn at example dot com",
    "c l i c k here f-r-e-e",
    "mail: " + base64.b64encode(b"john.doe@example.com").decode(),
    "ｃａｌｌ ５５５-１２３-４５６７",
]
NON_LATIN = "Быстрая коричневая лиса прыгает через ленивую собаку. Γρήγορη καφέ αλεπού. 快速的棕色狐狸跳过了懒狗。"


def adversarial(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for text in messages(count, 1024, seed):
        cut = rng.randrange(0, 600)
        mixed = text[:cut] + " " + rng.choice(EVASIONS) + " " + text[cut:]
        out.append(mixed.encode("utf-8")[:1024].decode("utf-8", "ignore"))
    return out


def non_latin(count: int) -> list[str]:
    out = []
    for i in range(count):
        text = f"{i} " + NON_LATIN * 20
        out.append(text.encode("utf-8")[:1024].decode("utf-8", "ignore"))
    return out


def measure(texts: list[str], warmup: int, kind: str = "message") -> dict[str, dict[str, float]]:
    """Per-stage CPU time of this thread (time.thread_time_ns) and the total in CPU and wall time.

    CPU time is the cost of the code itself; wall time adds whatever the machine's other work
    takes from us (on a shared 2-core machine under load, most of the tail). Both are reported.
    """
    policy = load_policy(bundled_policy_path("default"))
    detectors = [cls(policy.check_settings(cls.name)) for cls in builtin_detectors()]
    state = GovernanceState()
    cpu, wall = time.thread_time_ns, time.perf_counter_ns
    samples: dict[str, list[float]] = {"normalize": [], **{d.name: [] for d in detectors}, "total (cpu)": [], "total (wall)": []}
    for index, text in enumerate(texts):
        w0, c0 = wall(), cpu()
        normalized = normalize(text)
        c1 = cpu()
        ctx = CheckContext(action=Action(text=text, agent_id="bench", kind=kind), text=normalized, state=state)
        stage_times = []
        for detector in detectors:
            s0 = cpu()
            detector.evaluate(ctx)
            stage_times.append((cpu() - s0) / 1000.0)
        c2, w1 = cpu(), wall()
        if index < warmup:
            continue
        samples["normalize"].append((c1 - c0) / 1000.0)
        for detector, us in zip(detectors, stage_times, strict=True):
            samples[detector.name].append(us)
        samples["total (cpu)"].append((c2 - c0) / 1000.0)
        samples["total (wall)"].append((w1 - w0) / 1000.0)
    return {stage: percentiles(values) for stage, values in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    n = 2_000 if args.quick else 20_000
    warmup = 300
    mixes = {
        "ordinary": messages(n + warmup, 1024, args.seed),
        "adversarial": adversarial(n + warmup, args.seed),
        "non-latin": non_latin(n // 4 + warmup),
        # The same messages published: the clickbait learned tier scores `publish` actions only,
        # so this mix runs both learned tiers (abuse runs on every kind).
        "ordinary (publish)": messages(n + warmup, 1024, args.seed),
    }
    kinds = {"ordinary (publish)": "publish"}
    results = {mix: measure(texts, warmup, kinds.get(mix, "message")) for mix, texts in mixes.items()}
    rows = []
    for mix, stages in results.items():
        for stage, p in stages.items():
            ok = "" if not stage.startswith("total") else target(p["p50"] <= 1000 and p["p99"] <= 3000)
            rows.append([mix, stage, p["p50"], p["p99"], p["p99.9"], p["max"], ok])
    table(
        "normalization + four detectors, 1 KB messages, microseconds of CPU per stage (budget for the whole text pipeline: p50 <= 1000, p99 <= 3000)",
        ["mix", "stage", "p50", "p99", "p99.9", "max", "whole-pipeline budget"],
        rows,
    )
    path = write_results(
        "detectors",
        {"bytes": 1024, "clock": "stages: thread CPU time; totals: CPU and wall", "samples": {m: len(t) - warmup for m, t in mixes.items()}, "latency_us": results},
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
