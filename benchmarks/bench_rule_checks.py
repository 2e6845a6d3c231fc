"""The rule-based part of the 1 KB text pipeline, before/after in one run, in CPU time.

`bench_text_pipeline.py` times whole decisions, where the learned tiers (models) and the rules
share the clock. This times what is left when the models are taken out, on the same messages and
the same policy: normalization with the word views every check reads, then each check the policy
selects for the kind, with the abuse and clickbait detectors' rules only (`_rule_findings`, their
learned tiers skipped). The watchdog's thread hand-off is timed on its own: the governor's own hop
(`Governor._watched`) carrying the least work it can, the tool rules of a tool no rule names.

Per message: the least CPU time of `--passes` passes (after 200 warm-up messages), so the
scheduler's noise on a shared machine is mostly filtered out; percentiles over messages. With
`--baseline-src`, each side runs in its own process with its code first on the path, sides
alternating, `--rounds` times; read the ratio after/before.

Run:  .venv/bin/python benchmarks/bench_rule_checks.py [--baseline-src OTHER/src] [--name NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results
from bench_governor import messages, text_policy

import tractatus
from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.governor import Governor
from tractatus.governance.normalize import normalize

KINDS = ("message", "publish")
WARMUP = 200


def measure(kind: str, n: int, skip: int, passes: int, seed: int) -> dict:
    texts = messages(WARMUP + skip + n, 1024, seed)
    texts = texts[:WARMUP] + texts[WARMUP + skip :]
    clock = time.process_time_ns
    with Governor(text_policy()) as governor:
        for text in texts[:WARMUP]:
            governor.evaluate(Action(kind=kind, text=text, agent_id="bench"))
        checks = [
            bound.check._rule_findings if bound.name in ("abuse", "clickbait") else bound.check.evaluate  # type: ignore[union-attr]
            for bound in governor._checks_by_kind[kind]
        ]
        rules, hops = [float("inf")] * n, [float("inf")] * n
        for _ in range(passes):
            for i, text in enumerate(texts[WARMUP:]):
                action = Action(kind=kind, text=text, agent_id="bench")
                t0 = clock()
                ctx = CheckContext(action=action, text=normalize(text), state=governor.state)
                for check in checks:
                    check(ctx)
                t1 = clock()
                governor._watched(action, text, (), "bench.no_rules")  # the hand-off alone: an empty rule lookup
                t2 = clock()
                rules[i] = min(rules[i], (t1 - t0) / 1000.0)
                hops[i] = min(hops[i], (t2 - t1) / 1000.0)
    return {"kind": kind, "rules_us": rules, "hop_us": hops}


def _side(src: Path, kind: str, n: int, skip: int, args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.json"
        command = [sys.executable, __file__, "--worker-kind", kind, "--worker-out", str(out), "--worker-n", str(n),
                   "--worker-skip", str(skip), "--passes", str(args.passes), "--seed", str(args.seed)]
        subprocess.run(command, env={**os.environ, "PYTHONPATH": str(src)}, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def _commit(src: Path) -> str:
    return subprocess.run(["git", "-C", str(src), "rev-parse", "--short=12", "HEAD"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=600, help="distinct messages per kind and side")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--name", default="rule_checks")
    parser.add_argument("--baseline-src", help="another checkout's src/ to measure against, in the same run")
    parser.add_argument("--worker-kind", help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--worker-n", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-skip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_kind:
        run = measure(args.worker_kind, args.worker_n, args.worker_skip, args.passes, args.seed)
        Path(args.worker_out).write_text(json.dumps(run), encoding="utf-8")
        return
    here = Path(tractatus.__file__).resolve().parents[1]
    sides = {"after": here} if not args.baseline_src else {"before": Path(args.baseline_src).resolve(), "after": here}
    per_round = args.messages // args.rounds
    samples: dict[tuple[str, str], dict[str, list[float]]] = {}
    for round_ in range(args.rounds):
        for kind in KINDS:
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for side in order:
                run = _side(sides[side], kind, per_round, round_ * per_round, args)
                pooled = samples.setdefault((side, kind), {"rules_us": [], "hop_us": [], "total_us": []})
                pooled["rules_us"] += run["rules_us"]
                pooled["hop_us"] += run["hop_us"]
                pooled["total_us"] += [r + h for r, h in zip(run["rules_us"], run["hop_us"], strict=True)]
    results: dict = {side: {"code": str(src), "commit": _commit(src), "runs": []} for side, src in sides.items()}
    for (side, kind), pooled in samples.items():
        results[side]["runs"].append({"kind": kind, "messages": len(pooled["rules_us"]),
                                      **{key: percentiles(values) for key, values in pooled.items()}})
    rows = []
    if "before" in sides:
        results["ratio_after_over_before"] = []
        for before, after in zip(results["before"]["runs"], results["after"]["runs"], strict=True):
            ratio = {key: {stat: after[key][stat] / before[key][stat] for stat in ("p50", "mean", "p99")}
                     for key in ("rules_us", "hop_us", "total_us")}
            results["ratio_after_over_before"].append({"kind": before["kind"], **ratio})
            for key in ("rules_us", "hop_us", "total_us"):
                rows.append((before["kind"], key[:-3], before[key]["p50"], after[key]["p50"], ratio[key]["p50"],
                             before[key]["mean"], after[key]["mean"], ratio[key]["mean"], before[key]["p99"], after[key]["p99"], ratio[key]["p99"]))
        table(f"Rule-based checks and the watchdog hand-off, least CPU of {args.passes} per message, microseconds",
              ["kind", "part", "before p50", "after p50", "ratio", "before mean", "after mean", "ratio", "before p99", "after p99", "ratio"], rows)
    results["command"] = " ".join(["bench_rule_checks.py", *sys.argv[1:]])
    results["loadavg_1_5_15_min_at_end"] = list(os.getloadavg())
    print(f"results: {write_results(args.name, results)}")


if __name__ == "__main__":
    main()
