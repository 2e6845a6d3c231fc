"""What the abuse tier's combination rule (`learned.combine`) costs on 1 KB messages.

The geometric mean can stop after the cheaper model when it is below warn squared; the mean of
two only when it is below 2 x warn - 1, so it runs the second model more often. This counts how
often each rule runs both models on `bench_governor.messages` (a count, free of machine load) and
times the tier's score per message (least CPU time of `--passes`, after a warm-up; percentiles
over messages), at each rule's shipped or dev-chosen threshold.

Run:  .venv/bin/python benchmarks/bench_abuse_combine.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results
from bench_governor import messages

from tractatus.governance.detectors.learned_tier import LearnedTier
from tractatus.governance.detectors.text_model import NO_FEATURES, model_input, tokenize
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy

# (rule, warn): the shipped point and the previous one (geometric mean at 0.52 until session 4).
POINTS = (("mean", 0.59), ("geometric_mean", 0.52))


def bench_rule(rule: str, warn: float, words: list[str], passes: int) -> dict:
    settings = load_policy(bundled_policy_path("default")).check_settings("abuse").learned  # type: ignore[attr-defined]
    tier = LearnedTier(settings.model_copy(update={"combine": rule, "warn_probability": warn}), "abuse")
    both = 0
    least = [float("inf")] * len(words)
    for _ in range(passes):
        for i, text in enumerate(words):
            start = time.process_time_ns()
            tier._score(text, tokenize(text), stop_below=warn)
            least[i] = min(least[i], (time.process_time_ns() - start) / 1000.0)
    for text in words:
        _, vectors = tier._score(text, tokenize(text), stop_below=warn)
        both += all(v is not NO_FEATURES for v in vectors)
    return {"rule": rule, "warn_probability": warn, "messages": len(words), "both_models_share": round(both / len(words), 4),
            "least_cpu_us": percentiles(least)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="500 messages instead of 3,000")
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    n = 500 if args.quick else 3_000
    words = [model_input(normalize(t)) for t in messages(n, 1024, 11)]
    for text in words[:100]:  # warm-up: word caches, numpy
        tokenize(text)
    runs = [bench_rule(rule, warn, words, args.passes) for rule, warn in POINTS]
    table(
        f"Abuse learned tier per 1 KB message, {n} messages, least CPU of {args.passes}, microseconds",
        ["rule", "warn", "both models run", "p50", "p99"],
        [(r["rule"], r["warn_probability"], f"{r['both_models_share']:.1%}", r["least_cpu_us"]["p50"], r["least_cpu_us"]["p99"]) for r in runs],
    )
    results = {"runs": runs, "measured_under_load": True, "loadavg_1_5_15_min_at_end": list(os.getloadavg())}
    print(f"results: {write_results('bench_abuse_combine', results)}")


if __name__ == "__main__":
    main()
