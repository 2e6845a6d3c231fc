"""Lab benchmark: 1,000 agents x 1,000 rounds governed, i.e. 1,000,000 governed actions.

Target (issue 3, item 12): the governed run takes <= 120 s on 2 cores. Measured in the same run:
the ungoverned run of the same configuration (for the governed/ungoverned wall-time ratio),
per-round latency percentiles, CPU time (immune to other load on the machine) and a cProfile
of a shorter governed run (where the time goes).

Setup: the engagement environment, Thompson-sampling bandits, shield mode, the bundled
lab-engagement policy with the Tractatus flow's instructions loaded, and a SQLite audit log
(WAL, synchronous=FULL) in a temporary directory; one article per agent per round, so each
round is one decide_batch of 1,000 actions (plus the fallbacks of the blocked ones).

Run:  .venv/bin/python benchmarks/bench_lab.py [--quick] [--agents N] [--rounds R] [--profile-rounds P]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import percentiles, table, target, write_results

from tractatus.governance.audit import open_audit_log
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.lab.envs.grammar import load_grammar
from tractatus.lab.modes import Mode
from tractatus.lab.policy_fit import LAB_POLICY
from tractatus.lab.results import ResultTable
from tractatus.lab.runner import CellSpec, LabRunner
from tractatus.lab.tractatus_flow import run_flow
from tractatus.lab.training import CellConfig

TARGET_S = 120.0


def run(mode: Mode, agents: int, rounds: int, workdir: Path, progress: Progress | None = None) -> dict[str, float | list[float]]:
    policy = load_policy(bundled_policy_path(LAB_POLICY))
    grammar = load_grammar()
    audit = open_audit_log(workdir / f"audit-{mode.value}-{agents}x{rounds}-{time.monotonic_ns()}.db")
    try:
        instructions = run_flow(policy, audit).instructions if mode.governed else ()
        marks: list[float] = []
        task = progress.add_task(f"{mode.value} {agents}x{rounds}", total=rounds) if progress else None

        def on_round(spec: CellSpec, record: object) -> None:
            marks.append(time.perf_counter())
            if progress is not None and task is not None:
                progress.advance(task)

        runner = LabRunner(
            policy=policy, audit=audit, table=ResultTable(grammar.strategy_labels), instructions=instructions,
            grammar=grammar, on_round=on_round,
        )
        spec = CellSpec("bench", CellConfig(mode=mode, seed=0, agents=agents, rounds=rounds, steps_per_round=1))
        cpu0, wall0 = time.process_time(), time.perf_counter()
        (outcome,) = runner.run([spec], [])
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        round_ms = np.diff([wall0, *marks]) * 1000.0
        return {
            "wall_s": wall,
            "cpu_s": cpu,
            "round_ms": percentiles(round_ms),
            "us_per_action": wall / (agents * rounds) * 1e6,
            "coverage": outcome.coverage,
            "decisions": outcome.decisions,
            "executed_violations": float(sum(int(r.executed_violations.sum()) for r in outcome.records)),
        }
    finally:
        audit.close()


def profile(agents: int, rounds: int, workdir: Path, top: int = 18) -> list[str]:
    profiler = cProfile.Profile()
    profiler.enable()
    run(Mode.SHIELD, agents, rounds, workdir)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return lines[start : start + top + 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 agents x 100 rounds")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--profile-rounds", type=int, default=50)
    args = parser.parse_args()
    rounds = args.rounds or (100 if args.quick else 1000)
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as tmp, Progress(transient=True) as progress:
        workdir = Path(tmp)
        run(Mode.SHIELD, args.agents, 20, workdir, progress)  # warm-up: imports, regex compilation, page cache
        governed = run(Mode.SHIELD, args.agents, rounds, workdir, progress)
        ungoverned = run(Mode.NONE, args.agents, rounds, workdir, progress)
        top = profile(args.agents, args.profile_rounds, workdir)
    ratio = governed["wall_s"] / ungoverned["wall_s"]  # type: ignore[operator]
    actions = args.agents * rounds
    scale = 1_000_000 / actions
    projected = governed["wall_s"] * scale  # type: ignore[operator]
    table(
        f"Lab: {args.agents} agents x {rounds} rounds ({actions:,} actions per mode)",
        ["mode", "wall s", "cpu s", "us/action", "round p50 ms", "round p99 ms", "round p99.9 ms", "coverage"],
        [
            [name, r["wall_s"], r["cpu_s"], r["us_per_action"], r["round_ms"]["p50"], r["round_ms"]["p99"], r["round_ms"]["p99.9"], r["coverage"]]  # type: ignore[index]
            for name, r in (("governed (shield)", governed), ("ungoverned", ungoverned))
        ],
    )
    ok = projected <= TARGET_S
    print(f"governed/ungoverned wall-time ratio: {ratio:.1f}x")
    print(f"1,000,000 governed actions: {projected:.1f} s{' (projected from this run)' if scale != 1 else ''} "
          f"against a target of {TARGET_S:.0f} s: {target(ok)}")
    print("profile of a governed run (cProfile, by own time):")
    print("\n".join(top))
    path = write_results(
        "bench_lab",
        {
            "agents": args.agents,
            "rounds": rounds,
            "governed": governed,
            "ungoverned": ungoverned,
            "governed_to_ungoverned_wall_ratio": ratio,
            "seconds_per_million_governed_actions": projected,
            "target_s": TARGET_S,
            "target_met": ok,
            "profile_rounds": args.profile_rounds,
            "profile_top": top,
        },
    )
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
