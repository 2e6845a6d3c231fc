"""CLI start-up: whole-process time of `tractatus --help` and `tractatus check "text"` (issue 12, item 6).

Targets: `check "text"` median <= 0.3 s, `--help` <= 0.15 s (whole process, wall clock). Each case
runs once to warm the page cache and .pyc files, then `--runs` times; the record holds the wall
time and the child's CPU time (user + sys, from getrusage), which other load on the machine
inflates far less than the wall time. `--src DIR` measures another checkout's code (e.g. main's
`src` for a before/after comparison) with this interpreter.

Run:  .venv/bin/python benchmarks/bench_cli_startup.py [--quick] [--runs N] [--src DIR] [--name NAME]
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

TARGETS_S = {"help": 0.15, "check": 0.3}


def cases() -> dict[str, list[str]]:
    return {
        "help": ["--help"],
        "check": ["check", "Thanks, the parcel arrived on time."],  # audited to a fresh log in the cwd
        "check_no_audit": ["check", "--no-audit", "Thanks, the parcel arrived on time."],
    }


def run_once(args: list[str], src: Path, cwd: Path) -> tuple[float, float]:
    """(wall seconds, child CPU seconds) of one whole `tractatus ARGS` process."""
    env = {**os.environ, "PYTHONPATH": str(src), "COLUMNS": "100"}
    env.pop("TRACTATUS_AUDIT_DB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tractatus.cli", *args], capture_output=True, env=env, cwd=cwd, timeout=120
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"tractatus {' '.join(args)} failed ({result.returncode}): {result.stderr.decode()[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 measured runs per case instead of 11")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the checkout's src directory to measure")
    parser.add_argument("--name", default="bench_cli_startup", help="results file name (benchmarks/results/NAME.json)")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 11)
    src = args.src.resolve()

    measured: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cli-startup-") as tmp:
        for name, argv in cases().items():
            run_once(argv, src, Path(tmp))  # warm-up
            walls, cpus = [], []
            for i in range(runs):
                cwd = Path(tmp) / f"{name}-{i}"
                cwd.mkdir()
                wall, cpu = run_once(argv, src, cwd)
                walls.append(wall)
                cpus.append(cpu)
            measured[name] = {
                "argv": argv,
                "wall_s": walls,
                "cpu_s": cpus,
                "wall_median_s": statistics.median(walls),
                "cpu_median_s": statistics.median(cpus),
            }
    table(
        f"tractatus start-up, whole process ({runs} runs after a warm-up; src={src})",
        ["case", "wall median s", "wall best s", "CPU median s", "target s", "status (wall)"],
        [
            (
                name,
                m["wall_median_s"],
                min(m["wall_s"]),  # type: ignore[arg-type]
                m["cpu_median_s"],
                TARGETS_S.get(name, ""),
                target(float(m["wall_median_s"]) <= TARGETS_S[name]) if name in TARGETS_S else "",  # type: ignore[arg-type]
            )
            for name, m in measured.items()
        ],
    )
    path = write_results(args.name, {"runs": runs, "src": str(src), "targets_s": TARGETS_S, "cases": measured})
    print(f"results: {path}")


if __name__ == "__main__":
    main()
