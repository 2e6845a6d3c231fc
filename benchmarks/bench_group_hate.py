"""What the abuse detector's group-hate rules (`abuse.group_hate`) cost per 1 KB message.

Four mixes of distinct ~1 KB messages (seeded), each decided by the abuse detector built from
`policies/default.yaml` with the group-hate rules on and with them off (`group_hate: null`), in
process CPU time (least of `--passes` passes, after a warm-up):
- "pipeline": the text-pipeline benchmark's own messages (`bench_governor.messages`, as
  `bench_text_pipeline.py` decides them): what the tier adds to that goal's measurement;
- "ordinary": office text naming no group (the word gate stays shut: the rules cost a set test);
- "group_talk": benign statements about groups from the project's own dev set (the gate opens,
  one RE2 set scan finds no family, or a family whose match the context checks drop);
- "hate": the same with one hate statement in each message (a family matches and is kept).
The rule tier alone (`GroupHateRules.find` on the normalized text) is timed too.

Run:  .venv/bin/python benchmarks/bench_group_hate.py [--quick]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "governance" / "detectors"))
from _common import percentiles, table, write_results
from bench_governor import messages as pipeline_messages
from detector_helpers import build

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.learning.group_hate_corpus import generate
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState

ORDINARY = (
    "The quarterly report is attached and revenue grew in the third quarter.",
    "Please review the pull request before Friday; the build is green.",
    "Our meeting moved to 3 pm in room B, bring the slides.",
    "The deployment finished without errors and the dashboards look normal.",
    "Thanks for the feedback on the draft, I will send a new version tomorrow.",
)


def messages(mix: str, n: int, seed: int) -> list[str]:
    if mix == "pipeline":
        return pipeline_messages(n, 1024, seed)
    rng = random.Random(f"{mix}:{seed}")
    talk = [e.text for e in generate("dev", 400, seed) if not e.hateful]
    hate = [e.text for e in generate("dev", 400, seed) if e.hateful]
    out = []
    for _ in range(n):
        parts: list[str] = []
        if mix == "hate":
            parts.append(rng.choice(hate))
        pool = ORDINARY if mix == "ordinary" else talk
        while sum(len(p) + 1 for p in parts) < 1024:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(pool))
        out.append(" ".join(parts)[:1024])
    return out


def cpu_least(fn, items: list, passes: int) -> list[float]:
    least = [float("inf")] * len(items)
    for _ in range(passes):
        for i, item in enumerate(items):
            start = time.process_time_ns()
            fn(item)
            least[i] = min(least[i], (time.process_time_ns() - start) / 1000.0)
    return least


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 messages per mix instead of 1,500")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    n = 300 if args.quick else 1500
    on, off = build("abuse"), build("abuse", group_hate=None)
    rules = on._group_hate
    state = GovernanceState()
    results: dict[str, dict] = {}
    rows = []
    for mix in ("pipeline", "ordinary", "group_talk", "hate"):
        texts = messages(mix, n + 50, args.seed)
        contexts = [CheckContext(action=Action(kind="message", text=t), text=normalize(t), state=state) for t in texts]
        for detector in (on, off):  # warm-up: models loaded, patterns compiled, VADER cached alike
            for ctx in contexts[:50]:
                detector.evaluate(ctx)
        measured = contexts[50:]
        for ctx in measured:  # views the detectors read, computed before timing
            _ = ctx.text.lower_words, ctx.text.word_forms
        tier = cpu_least(lambda c: rules.find(c.text.lower_words, c.text.word_forms), measured, args.passes)
        with_rules = cpu_least(on.evaluate, measured, args.passes)
        without = cpu_least(off.evaluate, measured, args.passes)
        flagged = sum(any(f.rule_id == "abuse.group_hate" for f in on.evaluate(c)) for c in measured)
        results[mix] = {
            "rule_tier_us": percentiles(tier),
            "abuse_with_rules_us": percentiles(with_rules),
            "abuse_without_rules_us": percentiles(without),
            "flagged_by_rule": flagged,
        }
        rows.append([mix, f"{results[mix]['rule_tier_us']['p50']:.1f}", f"{results[mix]['rule_tier_us']['p99']:.1f}",
                     f"{results[mix]['abuse_without_rules_us']['p50']:.0f}", f"{results[mix]['abuse_with_rules_us']['p50']:.0f}",
                     f"{flagged}/{len(measured)}"])  # fmt: skip
    table("group_hate per 1 KB message (process CPU us, least of passes)",
          ["mix", "tier p50", "tier p99", "abuse off p50", "abuse on p50", "flagged"], rows)  # fmt: skip
    path = write_results("group_hate", {"messages_per_mix": n, "passes": args.passes, "results": results})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
