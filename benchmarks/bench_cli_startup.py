"""CLI start-up: whole-process time of `tractatus --help` and `tractatus check "text"` (issue 12, item 6).

Targets: `check "text"` median <= 0.3 s, `--help` <= 0.15 s (whole process, wall clock). Each case
runs once to warm the page cache and write the .pyc files, then `--runs` times; the record holds the wall
time and the child's CPU time (user + sys, from getrusage), which other load on the machine
inflates far less than the wall time. `--baseline-src DIR` also measures another checkout's code
(e.g. main's `src`) with this interpreter, alternating run by run with this checkout's, so that
both see the same load on a shared machine.

Run:  .venv/bin/python benchmarks/bench_cli_startup.py [--quick] [--runs N] [--baseline-src DIR]
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
    # Bytecode as an installed package has it (pip compiles on install): the warm-up run writes
    # the .pyc files. A shell with PYTHONDONTWRITEBYTECODE set would otherwise compile every
    # module from source on every run (~0.4 s of a `check` here).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
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
    parser.add_argument("--baseline-src", type=Path, default=None, help="another checkout's src to compare with")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 11)
    sources = {"current": (ROOT / "src").resolve()}
    if args.baseline_src is not None:
        sources["baseline"] = args.baseline_src.resolve()

    samples: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cli-startup-") as tmp:
        for name, argv in cases().items():
            for label, src in sources.items():
                run_once(argv, src, Path(tmp))  # warm-up
                samples[label, name] = ([], [])
            for i in range(runs):
                for label, src in sources.items():  # alternate: both checkouts see the same load
                    cwd = Path(tmp) / f"{label}-{name}-{i}"
                    cwd.mkdir()
                    wall, cpu = run_once(argv, src, cwd)
                    samples[label, name][0].append(wall)
                    samples[label, name][1].append(cpu)
    by_source: dict[str, dict[str, dict[str, object]]] = {label: {} for label in sources}
    for (label, name), (walls, cpus) in samples.items():
        by_source[label][name] = {
            "argv": cases()[name],
            "wall_s": walls,
            "cpu_s": cpus,
            "wall_median_s": statistics.median(walls),
            "cpu_median_s": statistics.median(cpus),
        }
    measured = by_source["current"]
    baseline = by_source.get("baseline", {})
    table(
        f"tractatus start-up, whole process ({runs} runs after a warm-up)",
        ["case", "baseline wall median s", "wall median s", "wall best s", "baseline CPU median s", "CPU median s",
         "target s", "status (wall)"],
        [
            (
                name,
                baseline.get(name, {}).get("wall_median_s", ""),
                m["wall_median_s"],
                min(m["wall_s"]),  # type: ignore[arg-type]
                baseline.get(name, {}).get("cpu_median_s", ""),
                m["cpu_median_s"],
                TARGETS_S.get(name, ""),
                target(float(m["wall_median_s"]) <= TARGETS_S[name]) if name in TARGETS_S else "",  # type: ignore[arg-type]
            )
            for name, m in measured.items()
        ],
    )
    path = write_results("bench_cli_startup", {
        "runs": runs, "sources": {k: str(v) for k, v in sources.items()}, "targets_s": TARGETS_S,
        "cases": measured, "baseline_cases": baseline,
    })  # fmt: skip
    print(f"results: {path}")


if __name__ == "__main__":
    main()
