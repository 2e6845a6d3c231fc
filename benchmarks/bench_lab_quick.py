"""`--quick` of every lab experiment, timed: the issue asks each to finish in <= 60 s on 2 cores (issue 10, Speed).

Each experiment's `tractatus lab <command> --quick` runs as a whole process into a fresh temporary
`--out` directory (a research experiment never resumes from earlier cells) with `--record none`
where the command records a history, so nothing in docs/ changes. Commands this checkout does
not have (`tractatus lab --help` lists them) are skipped and named. The record holds the wall
time, the child's CPU time (user + sys, from getrusage; other load inflates it far less than the
wall time) and the 1-minute load average before and after each command: on a shared machine the
wall time is an upper bound. No warm-up by default: the cold start (pool, engagement model, the
governor's first judgement of each headline) is what a user sees; `--runs N` repeats each.

Run:  .venv/bin/python benchmarks/bench_lab_quick.py [--runs N] [--only demo2,gap-headlines]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, table, target, write_results

TARGET_S = 60.0
# name -> argv after `tractatus lab` (each with --quick). Q1/Q2 on headlines are listed by the
# names their branches give them; absent commands are skipped.
EXPERIMENTS: dict[str, list[str]] = {
    "demo2": ["demo2", "--quick", "--json"],
    "demo2-grammar": ["demo2", "--env", "grammar", "--quick", "--json"],
    "demo1": ["demo1", "--quick", "--json"],
    "gap-headlines": ["gap-headlines", "--quick", "--json"],
    "adversarial-headlines": ["adversarial-headlines", "--quick", "--json", "--record", "none"],
    "multiagent-headlines": ["multiagent-headlines", "--quick", "--json", "--record", "none"],
    "cost-sweep": ["cost-sweep", "--quick", "--json"],
    "scale-headlines": ["scale-headlines", "--quick", "--json", "--record", "none"],
    "persistence-headlines": ["persistence-headlines", "--quick", "--json", "--result", "none"],
    "scale": ["scale", "--quick", "--json"],
    "persistence": ["persistence", "--quick", "--json"],
    "adversarial": ["adversarial", "--quick", "--json"],
    "gap": ["gap", "--quick", "--json"],
    "multiagent": ["multiagent", "--quick", "--json"],
}


def available_commands(env: dict[str, str]) -> set[str]:
    out = subprocess.run([sys.executable, "-m", "tractatus.cli", "lab", "--help"], capture_output=True, text=True, env=env,
                         timeout=120, check=True).stdout
    return {line.split("│")[1].split()[0] for line in out.splitlines() if line.startswith("│ ") and line.split("│")[1].split()}


def run_once(argv: list[str], env: dict[str, str], out: Path) -> dict[str, float]:
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "tractatus.cli", "lab", *argv, "--out", str(out)], capture_output=True, env=env,
                            cwd=out, timeout=1800)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"tractatus lab {' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()[-400:]}")
    return {"wall_s": wall, "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "load1_before": load_before, "load1_after": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--only", default=None, help="comma-separated experiment names (default: all)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "120"}
    env.setdefault("TRACTATUS_DATA_DIR", str(ROOT.parent / "shared" / "datasets"))
    commands = available_commands(env)
    chosen = args.only.split(",") if args.only else list(EXPERIMENTS)
    cases: dict[str, dict[str, object]] = {}
    skipped = []
    for name in chosen:
        argv = EXPERIMENTS[name]
        if argv[0] not in commands:
            skipped.append(name)
            continue
        samples = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="bench-lab-quick-") as tmp:
                samples.append(run_once(argv, env, Path(tmp)))
        walls = [s["wall_s"] for s in samples]
        cases[name] = {"argv": ["tractatus", "lab", *argv], "runs": samples, "wall_median_s": statistics.median(walls),
                       "cpu_median_s": statistics.median(s["cpu_s"] for s in samples),
                       "load1_max": max(max(s["load1_before"], s["load1_after"]) for s in samples)}
        print(f"{name}: wall {cases[name]['wall_median_s']:.1f} s, CPU {cases[name]['cpu_median_s']:.1f} s", flush=True)
    table(f"tractatus lab <experiment> --quick, whole process ({args.runs} run(s), no warm-up)",
          ["experiment", "wall median s", "CPU median s", "max 1-min load", f"wall <= {TARGET_S:.0f} s", f"CPU <= {TARGET_S:.0f} s"],
          [(name, c["wall_median_s"], c["cpu_median_s"], c["load1_max"], target(float(c["wall_median_s"]) <= TARGET_S),  # type: ignore[arg-type]
            target(float(c["cpu_median_s"]) <= TARGET_S)) for name, c in cases.items()])  # type: ignore[arg-type]
    path = write_results("bench_lab_quick", {"target_s": TARGET_S, "cases": cases, "skipped": skipped})
    print(f"results: {path}" + (f"; skipped (not in this checkout): {', '.join(skipped)}" if skipped else ""))


if __name__ == "__main__":
    main()
