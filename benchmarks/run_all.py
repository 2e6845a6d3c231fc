"""Run every benchmark in this folder, one after another, and list where the results went.

Run:  .venv/bin/python benchmarks/run_all.py [--quick]
Every benchmarks/bench_*.py takes --quick, prints its own table and writes
benchmarks/results/<name>.json; they run one at a time because they would otherwise compete
for the same two cores.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ["bench_audit.py", "bench_governor.py", "bench_cli.py"]  # governance first; then every other bench_*.py


def benchmarks() -> list[str]:
    others = sorted(p.name for p in HERE.glob("bench_*.py") if p.name not in FIRST)
    return [name for name in FIRST if (HERE / name).exists()] + others


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="pass --quick to every benchmark")
    parser.add_argument("--only", nargs="*", default=None, help="names of benchmarks to run (default: all)")
    args = parser.parse_args()
    failed = []
    for script in benchmarks():
        if args.only and Path(script).stem not in args.only and script not in args.only:
            continue
        print(f"\n=== {script} ===", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *(["--quick"] if args.quick else [])])
        print(f"=== {script}: exit {code} in {time.perf_counter() - started:.0f}s ===", flush=True)
        if code != 0:
            failed.append(script)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
