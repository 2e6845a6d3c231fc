"""`tractatus lab scale|persistence|adversarial|gap|multiagent` and `tractatus lab report --all`.

The five research experiments of issue 5, under the lab command contract: `--json` (summary on
stdout, progress on stderr), `--quick` (a reduced configuration, <= 60 s on 2 cores),
`--agents/--rounds/--seeds/--steps` overrides, `--full` (the configuration for larger machines),
`--backend local|ray` with `--ray-address`. A rerun of the same configuration resumes: finished
(configuration, seed) cells are read back, not recomputed.

`register(app)` adds the five commands to the `tractatus lab` group (cli/lab.py);
`report_all(...)` is what `tractatus lab report --all` runs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from tractatus.governance.errors import ConfigError, InputError

DEFAULT_OUT = Path("runs")
DEFAULT_DOCS = Path("docs")
EXPERIMENTS = ("scale", "persistence", "adversarial", "gap", "multiagent")
HELP = {
    "scale": "Q1: does governance cost stay constant from 1 to 1,000 agents? (--backend ray for a cluster)",
    "persistence": "Q2: do constraints hold over 10,000 rounds? Attempts, coverage, shield-off evaluations, drift.",
    "adversarial": "Q3: can agents learn to evade governance? Attack success by evasion operator.",
    "gap": "Q4: does governed reach the constrained optimum? Gap vs ungoverned, reward-vs-cost sweep.",
    "multiagent": "Q5: none vs per-agent vs centralized governance of agents sharing one feed.",
}


JSON_OPT = typer.Option(False, "--json", help="Print the summary as JSON on stdout (progress stays on stderr).")
QUICK_OPT = typer.Option(False, "--quick", help="Reduced configuration (<= 60 s on 2 cores).")
FULL_OPT = typer.Option(False, "--full", help="The full configuration, for larger machines or a Ray cluster.")
AGENTS_OPT = typer.Option(None, "--agents", help="Agents (scale: largest scale; multiagent: the one N).")
ROUNDS_OPT = typer.Option(None, "--rounds", help="Training rounds.")
SEEDS_OPT = typer.Option(None, "--seeds", help="Seeds (>= 5 for the report's CIs).")
STEPS_OPT = typer.Option(None, "--steps", help="Articles per agent per round.")
BACKEND_OPT = typer.Option(
    "local", "--backend", help="local (in this process) or ray."
)
AGL_BACKEND = "agentlightning"
RAY_ADDRESS_OPT = typer.Option(None, "--ray-address", help="HOST:PORT of a Ray cluster (default: start a local Ray).")
POLICY_OPT = typer.Option(None, "--policy", help="Policy file (default: the experiment's bundled policy).")
OUT_OPT = typer.Option(DEFAULT_OUT, "--out", help="Directory that receives runs/<experiment>-<config digest>/.")


def _options(model: Any = None, **values: Any) -> Any:
    """Validated options (`model`: an ExperimentOptions subclass with an experiment's own options)."""
    from tractatus.lab.experiments.grid import ExperimentOptions

    model = model or ExperimentOptions
    if values.get("quick") and values.get("full"):
        raise InputError("--quick and --full exclude each other")
    if values.get("ray_address") and values.get("backend") != "ray":
        raise InputError("--ray-address needs --backend ray")
    try:
        options = model(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        option = "--" + str(first["loc"][0]).replace("_", "-") if first["loc"] else "options"
        raise InputError(f"{option}: {first['msg']}") from None
    # Fail before any work starts (and before the progress bar draws): a missing policy, a dead cluster.
    if options.policy is not None:
        from tractatus.lab.experiments.grid import policy_path

        policy_path(options.policy)
    if options.backend == "ray" and options.ray_address:
        from tractatus.lab.backends import probe_ray_address

        probe_ray_address(options.ray_address)
    return options


def run_with_progress(name: str, options: Any) -> dict[str, Any]:
    """Run one experiment with a rich progress bar on stderr (one tick per finished cell)."""
    import importlib

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    module = importlib.import_module(f"tractatus.lab.experiments.{name}")
    err = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False) as progress:
        task = progress.add_task(f"{name}: starting", total=None)

        def tick(cell: Any, cached: bool) -> None:
            if progress.tasks[0].total is None:
                progress.update(task, total=_cell_count(module, options))
            progress.update(task, advance=1, description=f"{name}: {cell.key}{' (resumed)' if cached else ''}")

        try:
            return module.run(options, progress=tick)
        except KeyboardInterrupt:
            err.print(f"{name}: interrupted; finished cells are kept and a rerun of the same command resumes")
            raise


def _cell_count(module: Any, options: Any) -> int:
    config_cls = next(v for k, v in vars(module).items() if k.endswith("Config") and hasattr(v, "from_options"))
    return len(module.cells(config_cls.from_options(options), "policy"))


def _emit(as_json: bool, summary: dict[str, Any], view: Callable[[dict[str, Any]], Any]) -> None:
    from tractatus.lab.experiments.grid import _finite

    if as_json:
        sys.stdout.write(json.dumps(_finite(summary), indent=2, allow_nan=False) + "\n")
    else:
        Console().print(view(summary))


def _fmt(n: dict[str, Any] | float | None, digits: int = 3) -> str:
    """A mean ± 95% half-width, or a plain number (a pooled value such as Q1's audit bytes)."""
    if isinstance(n, (int, float)) and not isinstance(n, bool):
        return f"{n:.{digits}f}"
    if not n or n.get("mean") is None:
        return "n/a"
    ci = n.get("ci95")
    return f"{n['mean']:.{digits}f}" + (f" ± {ci:.{digits}f}" if ci is not None else "")


def _view(name: str, s: dict[str, Any]) -> Table:
    """A short table per experiment; the full numbers are in --json and the run's summary.json."""
    table = Table(title=f"{name} ({s.get('run_dir')})")
    if name == "scale":
        for col in ("agents", "µs / governed action", "governed/ungoverned wall", "reward cost %", "audit B/decision", "coverage"):
            table.add_column(col)
        for row in s["scales"]:
            table.add_row(str(row["agents"]), _fmt(row["us_per_governed_action"], 0), _fmt(row["wall_ratio"], 1),
                          _fmt(row["reward_cost_pct"], 1), _fmt(row["audit_bytes_per_decision"], 0), _fmt(row["coverage"]))
    elif name in ("persistence", "adversarial", "gap"):
        cols = {
            "persistence": ("executed_per_1000_overall", "attempted_per_1000_overall", "longest_attempt_run", "drift_alerts"),
            "adversarial": ("asr_overall", "executed_per_1000", "pct_of_constrained_optimum", "coverage"),
            "gap": ("final_engagement", "pct_of_constrained_optimum", "executed_per_1000", "coverage"),
        }[name]
        table.add_column("mode")
        for col in cols:
            table.add_column(col.replace("_", " "))
        for mode, values in s["modes"].items():
            table.add_row(mode, *(_fmt(values.get(col), 3) for col in cols))
    else:
        for col in ("agents", "variant", "joint violations / feed", "distinct share", "engagement cost %", "block fairness (Jain)"):
            table.add_column(col)
        for row in s["scales"]:
            for variant in ("none", "factored", "centralized"):
                if variant in row:
                    v = row[variant]
                    table.add_row(str(row["agents"]), variant, _fmt(v["joint_violations_per_feed"]), _fmt(v["distinct_share"]),
                                  _fmt(v["engagement_cost_pct"], 1), _fmt(v["block_fairness_jain"]))
    return table


def _command(name: str) -> Callable[..., None]:
    def command(
        as_json: bool = JSON_OPT,
        quick: bool = QUICK_OPT,
        full: bool = FULL_OPT,
        agents: int | None = AGENTS_OPT,
        rounds: int | None = ROUNDS_OPT,
        seeds: int | None = SEEDS_OPT,
        steps: int | None = STEPS_OPT,
        backend: str = BACKEND_OPT,
        ray_address: str | None = RAY_ADDRESS_OPT,
        policy: str | None = POLICY_OPT,
        out: Path = OUT_OPT,
    ) -> None:
        if backend == AGL_BACKEND:
            # The adversarial experiment on AGL re-implemented AGL's controller loop; it was removed
            # when Demo 2 moved onto AGL's own controller (docs/agentlightning.md).
            raise InputError(
                f"--backend {AGL_BACKEND} runs `tractatus lab demo2` only (on AGL's own controller); "
                "research experiments run on local or ray"
            )
        options = _options(quick=quick, full=full, agents=agents, rounds=rounds, seeds=seeds, steps=steps,
                           backend=backend, ray_address=ray_address, policy=policy, out=out)
        summary = run_with_progress(name, options)
        _emit(as_json, summary, lambda s: _view(name, s))

    command.__doc__ = HELP[name]
    return command


def register(app: typer.Typer) -> None:
    """Add the five research commands to the `tractatus lab` group."""
    for name in EXPERIMENTS:
        app.command(name, help=HELP[name])(_command(name))


def report_all(runs: Path = DEFAULT_OUT, docs: Path = DEFAULT_DOCS, as_json: bool = False) -> None:
    """`tractatus lab report --all`: regenerate docs/research-report.md (+ .html, PNGs in docs/research/)."""
    from tractatus.lab.research_report import generate

    if not runs.is_dir() and not (docs / "research").is_dir():
        raise ConfigError(f"no result files: neither {runs}/ nor {docs}/research/ exists; run the experiments first")
    result = generate(runs=runs, docs=docs)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        console = Console()
        console.print(f"report: {result['markdown']} and {result['html']}")
        for experiment, source in result["sources"].items():
            console.print(f"  {experiment}: {source or 'no results yet (section says so)'}")


app = typer.Typer(no_args_is_help=True, add_completion=False, help="The research experiments (issue 5).")
register(app)
