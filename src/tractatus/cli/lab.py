"""`tractatus lab`: the governed training lab (issue 3) and the research experiments (issue 5).

The lab command contract, for every training command here:
- `--json`: the summary as JSON on stdout; progress and messages on stderr;
- `--quick`: a reduced configuration that finishes in <= 60 s on 2 cores;
- `--agents`, `--rounds`, `--seeds`, `--mode` (and `--steps`, `--learner`) override the default;
- a bad option is refused with one line naming it; Ctrl-C keeps the finished rounds and says where.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any, Callable

import typer
from rich.console import Console

from tractatus.cli import lab_engagement, lab_research, lab_scale_headlines, lab_upworthy
from tractatus.cli.errors import EXIT_INTERRUPTED
from tractatus.governance.errors import ConfigError, InputError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="The governed RL training lab: Demo 1, Demo 2, reports.")

DEFAULT_RUNS = Path("runs")

JsonOpt = typer.Option(False, "--json", help="Print the summary as JSON on stdout (progress stays on stderr).")
QuickOpt = typer.Option(False, "--quick", help="Reduced configuration (<= 60 s on 2 cores).")
AgentsOpt = typer.Option(None, "--agents", help="Agents trained side by side (default 1).")
RoundsOpt = typer.Option(None, "--rounds", help="Training rounds of the main setting (default 200; --quick 60).")
SeedsOpt = typer.Option(None, "--seeds", help="Seeds of the main setting (default 5; --quick 3).")
StepsOpt = typer.Option(None, "--steps", help="Articles each agent writes per round (default 40).")
LearnerOpt = typer.Option("bandit", "--learner", help="bandit (Thompson sampling: linear over word features on headlines, over strategies on grammar) or pg (REINFORCE); headlines also: linear-ts, random.")
PolicyOpt = typer.Option(None, "--policy", help="Policy file (default: policies/lab-engagement.yaml).")
OutOpt = typer.Option(DEFAULT_RUNS, "--out", help="Directory that receives runs/<id>/.")
EnvOpt = typer.Option(None, "--env", help="headlines (real labelled headlines; the default, and the only world of --backend agentlightning), grammar (the synthetic world, whose detectors were fitted to it) or upworthy (replay of real A/B tests, logged CTR as reward).")
PoolOpt = typer.Option(None, "--pool", help="headlines: a JSONL file of {\"text\", \"label\": clickbait|news} lines instead of the lab_pool split.")
DataDirOpt = typer.Option(None, "--data-dir", help="Public datasets directory (default: $TRACTATUS_DATA_DIR).")


# -- option parsing (one clear line per bad option) ------------------------------------------------


def _positive(option: str, value: str | None, *, maximum: int) -> int | None:
    # Parsed here rather than by typer so that "--agents abc" gets the same one-line error as "--agents 0".
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{option} must be a whole number between 1 and {maximum}, got {value!r}") from None
    if number < 1 or number > maximum:
        raise InputError(f"{option} must be between 1 and {maximum}, got {number}")
    return number


def parse_modes(value: str, option: str = "--mode") -> tuple[Any, ...]:
    from tractatus.lab.modes import Mode

    names = [m.strip().lower() for m in value.split(",") if m.strip()]
    if names == ["all"]:
        return tuple(Mode)
    if not names:
        raise InputError(f"{option} needs at least one mode")
    modes = []
    for name in names:
        try:
            modes.append(Mode(name))
        except ValueError:
            raise InputError(f"{option}: unknown mode {name!r}; expected all or a list of {', '.join(m.value for m in Mode)}") from None
    if len(set(modes)) != len(modes):
        raise InputError(f"{option}: a mode is listed twice")
    return tuple(modes)


def _learner(value: str) -> str:
    if value not in ("bandit", "pg"):
        raise InputError(f"--learner must be bandit or pg, got {value!r}")
    return value


def _setting_numbers(*, agents: str | None, rounds: str | None, seeds: str | None, steps: str | None, policy: Path | None) -> dict[str, int | None]:
    """The numeric overrides of a setting, each checked (one line per bad option), and the policy file."""
    numbers = {
        "agents": _positive("--agents", agents, maximum=100_000),
        "rounds": _positive("--rounds", rounds, maximum=1_000_000),
        "seeds": _positive("--seeds", seeds, maximum=1_000),
        "steps_per_round": _positive("--steps", steps, maximum=10_000),
    }
    if policy is not None and not policy.is_file():
        raise InputError(f"--policy {policy}: no such file")
    return numbers


def build_config(
    *,
    modes: tuple[Any, ...],
    quick: bool,
    agents: str | None,
    rounds: str | None,
    seeds: str | None,
    steps: str | None,
    learner: str,
    policy: Path | None,
) -> Any:
    from tractatus.lab.experiments.demo import DEFAULT_SETTING, QUICK_SETTING, SEED_SETTING, Demo2Config

    numbers = _setting_numbers(agents=agents, rounds=rounds, seeds=seeds, steps=steps, policy=policy)
    main = QUICK_SETTING if quick else DEFAULT_SETTING
    main = main.model_copy(update={k: v for k, v in numbers.items() if v is not None})
    steps_per_round = numbers["steps_per_round"]
    seed_setting = SEED_SETTING.model_copy(update={"steps_per_round": steps_per_round} if steps_per_round else {})
    return Demo2Config(
        learner=_learner(learner),
        modes=modes,
        settings=(seed_setting, main),
        policy=str(policy) if policy is not None else None,
    )


def _env(value: str) -> str:
    if value not in ("headlines", "grammar", "upworthy"):
        raise InputError(f"--env must be headlines, grammar or upworthy, got {value!r}")
    return value


def build_headline_config(
    *, modes: tuple[Any, ...], quick: bool, agents: str | None, rounds: str | None, seeds: str | None, steps: str | None,
    learner: str, policy: Path | None, pool: Path | None, data_dir: Path | None,
) -> Any:
    from tractatus.lab.experiments.headlines import (
        HEADLINE_DEFAULT_SETTING,
        HEADLINE_QUICK_SETTING,
        HEADLINE_SEED_SETTING,
        HeadlineDemoConfig,
    )
    from tractatus.lab.learners.headline_learners import HEADLINE_LEARNERS

    numbers = _setting_numbers(agents=agents, rounds=rounds, seeds=seeds, steps=steps, policy=policy)
    if pool is not None and not pool.is_file():
        raise InputError(f"--pool {pool}: no such file")
    if learner not in HEADLINE_LEARNERS:
        raise InputError(f"--learner must be one of {', '.join(HEADLINE_LEARNERS)} in the headline world, got {learner!r}")
    main = HEADLINE_QUICK_SETTING if quick else HEADLINE_DEFAULT_SETTING
    main = main.model_copy(update={k: v for k, v in numbers.items() if v is not None})
    seed_setting = HEADLINE_SEED_SETTING.model_copy(update={"steps_per_round": numbers["steps_per_round"]} if numbers["steps_per_round"] else {})
    return HeadlineDemoConfig(
        learner=learner, modes=modes, settings=(seed_setting, main), policy=str(policy) if policy is not None else None,
        pool=str(pool) if pool is not None else None, data_dir=str(data_dir) if data_dir is not None else None,
    )


def _demo2_headlines(*, as_json: bool, quick: bool, agents: str | None, rounds: str | None, seeds: str | None, mode: str,
                     steps: str | None, learner: str, policy: Path | None, out: Path, pool: Path | None, data_dir: Path | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tractatus.lab.experiments.demo import RunInterrupted
    from tractatus.lab.experiments.headlines import load_headline_policy, run_headlines, total_rounds
    from tractatus.lab.headline_tables import headline_demo_view, headline_setting_view
    from tractatus.lab.results import new_run_dir

    config = build_headline_config(modes=parse_modes(mode), quick=quick, agents=agents, rounds=rounds, seeds=seeds, steps=steps,
                                   learner=learner, policy=policy, pool=pool, data_dir=data_dir)
    policy_doc = load_headline_policy(config)
    run_dir = new_run_dir(out, "demo2")
    err = Console(stderr=True)
    with Progress(TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=False, redirect_stdout=False) as progress:
        task = progress.add_task("demo2 (headlines): loading the pool and the audience", total=total_rounds(config))

        def on_round(setting: str, cell: Any) -> None:
            progress.update(task, advance=1, description=f"demo2 (headlines): {setting}/{cell.mode.value}/seed {cell.seed}")

        def show(setting: Any) -> None:
            _stdout_console().print(headline_setting_view(setting))

        try:
            summary = run_headlines(config, experiment="demo2", run_dir=run_dir, on_round=on_round,
                                    on_setting=None if as_json else show, policy=policy_doc)
        except RunInterrupted as stop:
            progress.stop()
            err.print(f"{stop} (manifest status 'interrupted')")
            sys.exit(EXIT_INTERRUPTED)
    _emit(as_json, summary.to_json(), lambda: headline_demo_view(summary, settings=False))


# -- running with a progress bar -------------------------------------------------------------------


def _run_with_progress(
    config: Any, *, experiment: str, out: Path, on_setting: Callable[[Any], None] | None = None
) -> tuple[Any, list[Any]]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tractatus.lab.experiments.demo import RunInterrupted, load_lab_policy, run_local, total_rounds
    from tractatus.lab.results import new_run_dir

    policy = load_lab_policy(config)  # a bad or unfitting policy is refused before anything starts
    run_dir = new_run_dir(out, experiment)
    err = Console(stderr=True)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
        redirect_stdout=False,  # tables go to stdout as each setting finishes; progress stays on stderr
    ) as progress:
        task = progress.add_task(f"{experiment}: training", total=total_rounds(config))

        def on_round(spec: Any, _round: int) -> None:
            progress.update(task, advance=1, description=f"{experiment}: {spec.setting}/{spec.config.mode.value}/seed {spec.config.seed}")

        try:
            return run_local(
                config, experiment=experiment, run_dir=run_dir, on_round=on_round, policy=policy, on_setting=on_setting
            )
        except RunInterrupted as stop:
            progress.stop()
            err.print(f"{stop} (manifest status 'interrupted')")
            # sys.exit rather than typer.Exit: run_cli drops the code typer returns for Exit in
            # non-standalone mode (reported to the lead), and an interrupted run must not exit 0.
            sys.exit(EXIT_INTERRUPTED)


def _emit(as_json: bool, payload: dict[str, Any], view: Callable[[], Any]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(_finite(payload), indent=2, allow_nan=False) + "\n")
    else:
        _stdout_console().print(view())


def _stdout_console() -> Console:
    # Rich assumes 80 columns when stdout is not a terminal; the tables need more to stay readable.
    return Console() if sys.stdout.isatty() else Console(width=130)


def _finite(value: Any) -> Any:
    """JSON has no NaN: a number that could not be computed (no data) becomes null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


# -- commands --------------------------------------------------------------------------------------


@app.command("demo2")
def demo2(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    agents: str | None = AgentsOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    mode: str = typer.Option("none,shield", "--mode", help="Modes to train, comma-separated, or all: none, shield, preemptive, penalty, lagrangian."),
    steps: str | None = StepsOpt,
    learner: str = LearnerOpt,
    backend: str = typer.Option("local", "--backend", help="local (in this process) or agentlightning."),
    model_url: str | None = typer.Option(
        None, "--model-url", help="agentlightning backend: an OpenAI-compatible endpoint (vLLM, llama.cpp, OpenAI) instead of the stub model."
    ),
    model_name: str | None = typer.Option(None, "--model-name", help="agentlightning backend: the model name at --model-url."),
    policy: Path | None = PolicyOpt,
    out: Path = OutOpt,
    env: str | None = EnvOpt,
    pool: Path | None = PoolOpt,
    data_dir: Path | None = DataDirOpt,
) -> None:
    """Ungoverned vs governed training: the seed's Demo 2 table, then a longer run with CIs."""
    from tractatus.lab.tables import demo2_view

    world = _env(env) if env is not None else "headlines"
    if backend == "agentlightning" and world != "headlines":
        raise InputError("--backend agentlightning runs the headline task on AGL's runtime: drop --env grammar")
    if world == "upworthy" and backend == "local":  # the replay of real A/B tests (cli/lab_upworthy.py)
        if pool is not None or agents is not None or steps is not None:
            raise InputError("--pool, --agents and --steps do not apply to --env upworthy (one agent per seed, one test per step)")
        lab_upworthy.demo2_upworthy(as_json=as_json, quick=quick, rounds=_positive("--rounds", rounds, maximum=1_000_000),
                                    seeds=_positive("--seeds", seeds, maximum=100), mode=mode, learner=learner, policy=policy,
                                    out=out, data_dir=data_dir, emit=_emit)
        return
    if world == "headlines" and backend == "local":
        _demo2_headlines(as_json=as_json, quick=quick, agents=agents, rounds=rounds, seeds=seeds, mode=mode, steps=steps,
                         learner=learner, policy=policy, out=out, pool=pool, data_dir=data_dir)
        return
    if pool is not None and backend != "agentlightning":
        raise InputError("--pool goes with --env headlines")
    config = build_config(
        modes=parse_modes(mode), quick=quick, agents=agents, rounds=rounds, seeds=seeds, steps=steps, learner=learner, policy=policy
    )
    if backend != "agentlightning" and (model_url or model_name):
        raise InputError("--model-url and --model-name go with --backend agentlightning")
    if backend == "local":
        from tractatus.lab.tables import demo2_setting_view

        def show(setting: Any) -> None:  # each table as soon as its setting is done
            _stdout_console().print(demo2_setting_view(setting))

        summary, _ = _run_with_progress(config, experiment="demo2", out=out, on_setting=None if as_json else show)
    elif backend == "agentlightning":
        try:
            from tractatus.integrations.agentlightning.backend import run_demo2
        except ImportError as exc:
            raise ConfigError(f"--backend agentlightning: the Agent Lightning backend is unavailable ({exc})") from None
        extra: dict[str, Any] = {"model_name": model_name} if model_name else {}
        agl = run_demo2(config, quick=quick, model_url=model_url, out=out, pool_file=pool, data_dir=data_dir, **extra)
        from tractatus.lab.headline_tables import headline_demo_view

        _emit(as_json, agl.to_json(), lambda: headline_demo_view(agl, settings=True))
        return
    else:
        raise InputError(f"--backend must be local or agentlightning, got {backend!r}")
    _emit(as_json, summary.to_json(), lambda: demo2_view(summary, settings=backend != "local"))


@app.command("demo1")
def demo1(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    agents: str | None = AgentsOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    mode: str = typer.Option("none", "--mode", help="The one mode to train (default none: ungoverned)."),
    steps: str | None = StepsOpt,
    learner: str = LearnerOpt,
    policy: Path | None = PolicyOpt,
    out: Path = OutOpt,
) -> None:
    """The ungoverned optimization alone: engagement round by round."""
    from tractatus.lab.experiments.demo import demo1_summary
    from tractatus.lab.tables import demo1_view

    modes = parse_modes(mode)
    if len(modes) != 1:
        raise InputError("--mode: demo1 trains exactly one mode")
    config = build_config(
        modes=modes, quick=quick, agents=agents, rounds=rounds, seeds=seeds, steps=steps, learner=learner, policy=policy
    )
    summary, outcomes = _run_with_progress(config, experiment="demo1", out=out)
    result = demo1_summary(summary, outcomes)
    _emit(as_json, result.to_json(), lambda: demo1_view(result))


@app.command("report")
def report(
    run: Annotated[Path | None, typer.Argument(help="A run directory, e.g. runs/demo2-20261125-193000.")] = None,
    all_: bool = typer.Option(False, "--all", help="Regenerate docs/research-report.md (+ .html, plots) from the result files."),
    as_json: bool = JsonOpt,
) -> None:
    """Render RUN/report.html with matplotlib plots, or with --all the research report."""
    from tractatus.lab.report import render_report

    if all_:
        if run is not None:
            raise InputError("give either RUN or --all, not both")
        lab_research.report_all(as_json=as_json)
        return
    if run is None:
        raise InputError("RUN: give a run directory, or --all")
    if not run.is_dir():
        raise InputError(f"RUN {run}: no such run directory")
    result = render_report(run)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
    else:
        Console().print(f"report: {result['html']}")
        for plot in result["plots"]:
            Console().print(f"  plot: {plot}")


lab_research.register(app)  # the five research experiments (issue 5) live in their own module
lab_scale_headlines.register(app)  # Q1 on real headlines (issue 10)
lab_upworthy.register(app)  # the Upworthy replay: Q2 on real data (demo2 --env upworthy dispatches there too)
app.add_typer(lab_engagement.app, name="engagement")  # the engagement model (issue 10) refits here


def _headline_setting(base: Any, rounds: str | None, seeds: str | None, policy: Path | None, pool: Path | None) -> Any:
    """A headline experiment's setting (`base`: default or --quick) with --rounds/--seeds applied, after
    checking every option (one line per bad one)."""
    numbers = _setting_numbers(agents=None, rounds=rounds, seeds=seeds, steps=None, policy=policy)
    if pool is not None and not pool.is_file():
        raise InputError(f"--pool {pool}: no such file")
    return base.model_copy(update={k: v for k, v in numbers.items() if v is not None})


@app.command("gap-headlines")
def gap_headlines(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    policy: Path | None = PolicyOpt,
    pool: Path | None = PoolOpt,
    data_dir: Path | None = DataDirOpt,
    out: Path = OutOpt,
) -> None:
    """Q4 on real headlines: bandit, pg and random against the labels' constrained optimum and the null baselines."""
    from rich.table import Table

    from tractatus.lab.experiments.headlines_gap import (
        GAP_QUICK_SETTING,
        GAP_SETTING,
        GapHeadlinesConfig,
        run_gap_headlines,
    )

    setting = _headline_setting(GAP_QUICK_SETTING if quick else GAP_SETTING, rounds, seeds, policy, pool)
    config = GapHeadlinesConfig(setting=setting, policy=str(policy) if policy else None, pool=str(pool) if pool else None,
                                data_dir=str(data_dir) if data_dir else None)
    summary = run_gap_headlines(config, out=out)

    def view() -> Table:
        table = Table(title=f"Q4 on real headlines: % of the constrained optimum ({summary.constrained_optimum.mean:.4f}), "
                      f"{setting.rounds} rounds x {setting.steps_per_round}, {setting.seeds} seeds", title_justify="left")
        for column in ("learner", "mode", "% of constrained optimum", "leak", "amplification"):
            table.add_column(column)
        for learner, modes in summary.results.items():
            for mode, cell in modes.items():
                pct, amp = cell.pct_of_constrained_optimum, cell.amplification
                table.add_row(learner, mode, f"{pct.mean:.1f} ± {pct.ci95 or 0:.1f}", f"{cell.published_violation_rate.mean:.1%}",
                              f"{amp.mean:.2f} ± {amp.ci95 or 0:.2f}")
        return table

    _emit(as_json, summary.to_json(), view)


def _limits(value: str | None) -> tuple[float, ...] | None:
    if value is None:
        return None
    try:
        limits = tuple(float(v) for v in value.split(",") if v.strip())
    except ValueError:
        raise InputError(f"--limits must be comma-separated shares such as 0.01,0.05,0.2, got {value!r}") from None
    if not limits or any(not 0.0 <= v <= 1.0 for v in limits) or len(set(limits)) != len(limits):
        raise InputError(f"--limits must be distinct shares between 0 and 1, got {value!r}")
    return limits


@app.command("cost-sweep")
def cost_sweep(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    limits: str | None = typer.Option(None, "--limits", help="Cost limits: the largest allowed share of published headlines "
                                      "labelled clickbait (default 0.01,0.02,0.05,0.1,0.2; --quick 0.02,0.1)."),
    policy: Path | None = PolicyOpt,
    pool: Path | None = PoolOpt,
    data_dir: Path | None = DataDirOpt,
    out: Path = OutOpt,
) -> None:
    """Reward against achieved cost across cost limits: the Lagrangian learner, alone and under the shield (10 seeds)."""
    from rich.table import Table

    from tractatus.lab.experiments.headlines_cost_sweep import (
        LIMITS,
        QUICK_LIMITS,
        SWEEP_QUICK_SETTING,
        SWEEP_SETTING,
        CostSweepConfig,
        run_cost_sweep,
    )

    setting = _headline_setting(SWEEP_QUICK_SETTING if quick else SWEEP_SETTING, rounds, seeds, policy, pool)
    config = CostSweepConfig(limits=_limits(limits) or (QUICK_LIMITS if quick else LIMITS), setting=setting,
                             policy=str(policy) if policy else None, pool=str(pool) if pool else None,
                             data_dir=str(data_dir) if data_dir else None)
    summary = run_cost_sweep(config, out=out)

    def view() -> Table:
        table = Table(title=f"Cost-limit sweep on real headlines: reward (% of the constrained optimum) vs achieved cost (leak), "
                      f"{setting.rounds} rounds x {setting.steps_per_round}, {setting.seeds} seeds", title_justify="left")
        for column in ("method", "limit", "% of constrained optimum", "leak", "leak upper 95%", "limit met"):
            table.add_column(column)
        rows = [(name, limit, point) for name, points in summary.results.items() for limit, point in points.items()]
        rows += [(name, "-", point) for name, point in summary.references.items()]
        for name, limit, point in rows:
            pct, cost = point.pct_of_constrained_optimum, point.achieved_cost
            met = "-" if point.limit_met is None else ("yes" if point.limit_met else "no")
            table.add_row(name, limit, f"{pct.mean:.1f} ± {pct.ci95 or 0:.1f}", f"{cost.mean:.1%} ± {cost.ci95 or 0:.1%}",
                          f"{point.achieved_cost_upper95:.1%}", met)
        return table

    _emit(as_json, summary.to_json(), view)


RecordOpt = typer.Option(None, "--record", help="Add the summary, keyed by the governor's commit, to this history file "
                         "(default docs/results/<q>-headlines.json; 'none' to skip).")


def _record(summary: dict[str, Any], record: str | None, default: str) -> None:
    from tractatus.lab.experiments.headlines_adversarial import record as add_to_history

    if record is not None and record.lower() == "none":
        return
    add_to_history(summary, Path(record or default))


def _question_config(base: Any, numbers: dict[str, int | None], pool: Path | None, data_dir: Path | None, **extra: Any) -> Any:
    """A Q3/Q5 configuration: `base` (default or --quick) with the options given on the command line."""
    if pool is not None and not pool.is_file():
        raise InputError(f"--pool {pool}: no such file")
    fields = type(base).model_fields
    given = {k: v for k, v in numbers.items() if k in fields and v is not None}
    from pydantic import ValidationError

    try:  # validated (model_copy would not): e.g. --rounds 1 where the experiment needs two
        return type(base).model_validate({**base.model_dump(), **given, **extra, "pool": str(pool) if pool else None,
                                          "data_dir": str(data_dir) if data_dir else None})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InputError(f"--{'-'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


@app.command("adversarial-headlines")
def adversarial_headlines(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    policy: Path | None = PolicyOpt,
    pool: Path | None = PoolOpt,
    data_dir: Path | None = DataDirOpt,
    out: Path = OutOpt,
    record: str | None = RecordOpt,
) -> None:
    """Q3 on real headlines: an adversary learns which rewrites of real clickbait the governor publishes."""
    from rich.table import Table

    from tractatus.lab.experiments.headlines_adversarial import (
        QUICK,
        AdversarialHeadlinesConfig,
        run_adversarial_headlines,
    )
    from tractatus.lab.results import new_run_dir

    numbers = _setting_numbers(agents=None, rounds=rounds, seeds=seeds, steps=None, policy=policy)
    config = _question_config(QUICK if quick else AdversarialHeadlinesConfig(), numbers, pool, data_dir,
                              policy=str(policy) if policy else None)
    summary = run_adversarial_headlines(config, run_dir=new_run_dir(out, "q3-headlines"))
    _record(summary, record, "docs/results/q3-headlines.json")

    def view() -> Table:
        gov = summary["governor"]
        table = Table(title=f"Q3 on real headlines: attack success (published / attempts), governor {gov['commit'][:12]}"
                      f"{' (dirty)' if gov['dirty'] else ''}, {config.seeds} seeds", title_justify="left")
        for column in ("mode", "adversary", "ASR", "identity", "seen families", "held-out families"):
            table.add_column(column)
        for mode, adversaries in summary["results"].items():
            for adversary, r in adversaries.items():
                fam = r["by_family"]
                table.add_row(mode, adversary, f"{r['asr']['mean']:.3f} ± {r['asr']['ci95'] or 0:.3f}",
                              *(f"{fam[f]['asr']:.3f}" if fam[f]["asr"] is not None else "-" for f in ("identity", "seen", "held_out")))
        return table

    _emit(as_json, summary, view)


@app.command("multiagent-headlines")
def multiagent_headlines(
    as_json: bool = JsonOpt,
    quick: bool = QuickOpt,
    agents: str | None = AgentsOpt,
    rounds: str | None = RoundsOpt,
    seeds: str | None = SeedsOpt,
    pool: Path | None = PoolOpt,
    data_dir: Path | None = DataDirOpt,
    out: Path = OutOpt,
    record: str | None = RecordOpt,
) -> None:
    """Q5 on real headlines: a 30%-clickbait feed constraint under no, factored and centralized governance."""
    from rich.table import Table

    from tractatus.lab.experiments.headlines_feed import QUICK, FeedConfig, run_feed_experiment
    from tractatus.lab.results import new_run_dir

    numbers = _setting_numbers(agents=agents, rounds=rounds, seeds=seeds, steps=None, policy=None)
    config = _question_config(QUICK if quick else FeedConfig(), numbers, pool, data_dir)
    summary = run_feed_experiment(config, run_dir=new_run_dir(out, "q5-headlines"))
    _record(summary, record, "docs/results/q5-headlines.json")

    def view() -> Table:
        table = Table(title=f"Q5 on real headlines: feed windows of {config.feed_window} over the limit, {config.agents} agents, "
                      f"{config.seeds} seeds", title_justify="left")
        for column in ("limit", "mode", "windows over (labels)", "windows over (detector flags)", "clickbait share", "flagged share"):
            table.add_column(column)
        for limit, modes in summary["results"].items():
            for mode, r in modes.items():
                table.add_row(limit, mode, f"{r['joint_violation_rate']['mean']:.3f} ± {r['joint_violation_rate']['ci95'] or 0:.3f}",
                              f"{r['joint_violation_rate_flagged']['mean']:.3f} ± {r['joint_violation_rate_flagged']['ci95'] or 0:.3f}",
                              f"{r['clickbait_share']['mean']:.1%}", f"{r['flagged_share']['mean']:.1%}")
        return table

    _emit(as_json, summary, view)
