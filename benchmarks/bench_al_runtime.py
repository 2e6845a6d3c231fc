"""Benchmark: Demo 2 on Agent Lightning's own runtime (controller, rollout manager, one process per rollout).

Two numbers, in one run:

1. What AGL's local controller pays per rollout before our agent runs: the wall and CPU time of
   the exact import its worker process does (`agentlightning.controller.local_reconciler`) plus
   our agent module, measured over --starts fresh interpreters after one warm-up start.
2. `tractatus lab demo2 --backend agentlightning --quick` end to end (stub model, the lab's real
   pool, engagement model and judge): wall time and rollouts/s, after the start-ups above have
   warmed the file cache.

    .venv/bin/python benchmarks/bench_al_runtime.py [--starts 5]

Results: benchmarks/results/bench_al_runtime.json; recorded in docs/benchmarks/agentlightning-runtime.md.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, write_results

WORKER_IMPORT = (
    "from agentlightning.controller.local_reconciler import _run_local_reconciler_worker; "
    "import tractatus.integrations.agentlightning.agent"
)


def one_start() -> tuple[float, float]:
    """(wall s, CPU s) of one fresh interpreter doing the agent worker's imports."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", WORKER_IMPORT], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    args = parser.parse_args()

    one_start()  # warm-up: file cache, .pyc files
    starts = [one_start() for _ in range(args.starts)]
    wall = percentiles([w for w, _ in starts])
    cpu = percentiles([c for _, c in starts])

    from tractatus.integrations.agentlightning.backend import AGL_QUICK_SETTING, run_demo2
    from tractatus.lab.experiments.demo import Demo2Config

    config = Demo2Config()
    rollouts = 2 * AGL_QUICK_SETTING.rounds * AGL_QUICK_SETTING.steps_per_round * AGL_QUICK_SETTING.seeds
    with tempfile.TemporaryDirectory(prefix="bench-al-runtime-") as out:
        started = time.perf_counter()
        summary = run_demo2(config, quick=True, out=out)
        demo_wall = time.perf_counter() - started
    modes = summary.to_json()
    table(
        "Agent Lightning runtime (measured under load: 2 cores shared with other engineers)",
        ["measure", "value"],
        [
            ["agent process start-up, wall p50 (s)", wall["p50"]],
            ["agent process start-up, CPU p50 (s)", cpu["p50"]],
            ["demo2 --quick wall (s)", demo_wall],
            ["demo2 --quick rollouts", rollouts],
            ["rollouts/s end to end", rollouts / demo_wall],
        ],
    )
    path = write_results(
        "bench_al_runtime",
        {
            "agent_start_wall_s": wall,
            "agent_start_cpu_s": cpu,
            "demo2_quick": {
                "wall_s": demo_wall,
                "rollouts": rollouts,
                "rollouts_per_s": rollouts / demo_wall,
                "governed": {k: modes["governed"][k] for k in ("coverage", "attempted_violations", "executed_violations")},
                "ungoverned": {k: modes["ungoverned"][k] for k in ("coverage", "attempted_violations", "executed_violations")},
            },
        },
    )
    print(f"results: {path}")


if __name__ == "__main__":
    main()
