"""`tractatus lab demo2 --env upworthy` and `tractatus lab persistence-headlines`: the Upworthy replay.

Both replay real A/B tests of the Upworthy archive with the logged CTR as the reward (issue 10,
item 3 and Q2); see lab/upworthy_replay.py. `--learner all` trains bandit and pg; `--mode` takes
none, shield and lagrangian. The headline facts (governor verdicts, judge labels) are cached
under `<out>/.cache/`, keyed by the code, policy, judge and texts (a stale cache is never used).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from tractatus.governance.errors import InputError

REPLAY_MODES = ("none", "shield", "lagrangian")
PolicyOpt = typer.Option(None, "--policy", help="Policy file (default: policies/persistence.yaml).")
DataDirOpt = typer.Option(None, "--data-dir", help="Public datasets directory (default: $TRACTATUS_DATA_DIR).")
OutOpt = typer.Option(Path("runs"), "--out", help="Directory that receives runs/<id>/.")


def replay_config(base: Any, *, learner: str, mode: str | None, rounds: int | None, seeds: int | None, policy: Path | None,
                  data_dir: Path | None, refit_every: int | None = None) -> Any:
    from tractatus.lab.modes import Mode

    learners = ("bandit", "pg") if learner == "all" else (learner,)
    for name in learners:
        if name not in ("bandit", "linear-ts", "pg", "random"):
            raise InputError(f"--learner must be bandit, linear-ts, pg, random or all, got {name!r}")
    update: dict[str, Any] = {"learners": learners, "policy": str(policy) if policy else None, "data_dir": str(data_dir) if data_dir else None}
    if mode is not None:
        names = REPLAY_MODES if mode == "all" else tuple(m.strip() for m in mode.split(",") if m.strip())
        bad = [m for m in names if m not in REPLAY_MODES]
        if bad or not names or len(set(names)) != len(names):
            raise InputError(f"--mode must be a comma-separated list of {', '.join(REPLAY_MODES)} (or all), got {mode!r}")
        update["modes"] = tuple(Mode(m) for m in names)
    if rounds is not None:
        update["rounds"] = rounds
    if seeds is not None:
        if seeds > 100:
            raise InputError(f"--seeds must be between 1 and 100 for the replay, got {seeds}")
        update["seeds"] = seeds
    if refit_every is not None:
        update["refit_every"] = refit_every
    return base.model_validate({**base.model_dump(), **update})


def _progress(total: int, label: str) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)


def _table(title: str, summary: dict[str, Any]) -> Any:
    from rich.table import Table

    def n(value: dict[str, Any] | None, fmt: str = ".4f") -> str:
        if not value or value.get("mean") is None:
            return "-"
        return f"{value['mean']:{fmt}}" + (f" ± {value['ci95']:{fmt}}" if value.get("ci95") is not None else "")

    table = Table(title=title, title_justify="left")
    for column in ("agent", "mode", "CTR", "% of best", "% of best allowed", "published", "leak (judge)", "leak upper 95%"):
        table.add_column(column)
    for learner, modes in summary["results"].items():
        for mode, c in modes.items():
            table.add_row(learner, mode, n(c["ctr"]), n(c["pct_of_best"], ".1f"), n(c["pct_of_best_allowed"], ".1f"), n(c["published"], ".1%"),
                          n(c["leak"], ".1%"), f"{c['leak_upper95']:.1%}")
    for name, c in summary["null_baselines"].items():
        table.add_row(f"null: {name}", "-", n(c["ctr"]), n(c["pct_of_best"], ".1f"), n(c["pct_of_best_allowed"], ".1f"), n(c["published"], ".1%"),
                      n(c["leak"], ".1%"), f"{c['leak_upper95']:.1%}")
    return table


def demo2_upworthy(*, as_json: bool, quick: bool, rounds: int | None, seeds: int | None, mode: str, learner: str, policy: Path | None,
                   out: Path, data_dir: Path | None, emit: Any) -> None:
    """Item 3: one pass over the archive (every kept test once, week order); price of governance on real data."""
    from tractatus.lab.experiments.upworthy_replay import QUICK, run_upworthy_replay
    from tractatus.lab.results import new_run_dir
    from tractatus.lab.upworthy_replay import ReplayConfig

    config = replay_config(QUICK if quick else ReplayConfig(), learner=learner, mode=mode, rounds=rounds, seeds=seeds, policy=policy,
                           data_dir=data_dir)
    summary = run_upworthy_replay(config, run_dir=new_run_dir(out, "replay-upworthy"), cache_dir=out / ".cache")
    price, blocked = summary["price_of_governance"], summary["winner_blocked"]
    title = (f"Upworthy replay: {summary['archive']['tests']} real A/B tests x {config.seeds} seeds; price of governance "
             f"{price['mean']:.1%} of the best CTR; the governor blocks the winning headline in {blocked['mean']:.1%} of tests")
    emit(as_json, summary, lambda: _table(title, summary))


def register(app: typer.Typer) -> None:
    @app.command("persistence-headlines")
    def persistence_headlines(
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout (progress stays on stderr)."),
        quick: bool = typer.Option(False, "--quick", help="1,000 rounds x 3 seeds on every 4th test (<= 60 s on 2 cores, warm cache)."),
        rounds: int | None = typer.Option(None, "--rounds", min=10, max=1_000_000, help="Steps per seed in week order (default 10,000)."),
        seeds: int | None = typer.Option(None, "--seeds", min=1, max=100, help="Seeds, run side by side (default 10)."),
        learner: str = typer.Option("all", "--learner", help="bandit, pg, random or all (bandit and pg)."),
        mode: str = typer.Option("all", "--mode", help="none, shield, lagrangian, comma-separated, or all."),
        refit_every: int | None = typer.Option(None, "--refit-every", min=1, max=200, help="Weeks between engagement refits (default 8)."),
        policy: Path | None = PolicyOpt,
        data_dir: Path | None = DataDirOpt,
        out: Path = OutOpt,
        result: str | None = typer.Option(None, "--result", help="Write the summary here (default docs/results/q2-headlines.json; 'none' to skip)."),
    ) -> None:
        """Q2 on real data: the Upworthy archive replayed in week order; leak, blocks, coverage and drift over time."""
        from tractatus.cli.lab import _emit
        from tractatus.lab.experiments.persistence_headlines import (
            DEFAULT,
            QUICK,
            RESULT_FILE,
            run_persistence_headlines,
            write_result,
        )
        from tractatus.lab.results import new_run_dir

        if policy is not None and not policy.is_file():
            raise InputError(f"--policy {policy}: no such file")
        config = replay_config(QUICK if quick else DEFAULT, learner=learner, mode=mode, rounds=rounds, seeds=seeds, policy=policy,
                               data_dir=data_dir, refit_every=refit_every)
        summary = run_persistence_headlines(config, run_dir=new_run_dir(out, "q2-headlines"), cache_dir=out / ".cache")
        target = result if result is not None else (None if quick else RESULT_FILE)
        if target is not None and target.lower() != "none":
            write_result(summary, Path(target))
        _emit(as_json, summary, lambda: _q2_table(summary))


def _q2_table(summary: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=f"Q2 on real headlines: {summary['rounds']} rounds in week order x {summary['config']['seeds']} seeds",
                  title_justify="left")
    for column in ("agent", "mode", "leak first → last bucket", "leak trend (tau, p)", "block rate first → last", "drift alerts", "CTR"):
        table.add_column(column)
    for learner, modes in summary["results"].items():
        for mode, c in modes.items():
            lt, bt = c["leak_trend"], c["block_trend"]
            tau = f"{lt['kendall_tau_mean_curve']:+.2f}, {lt['p_value_mean_curve']:.2g}" if lt["kendall_tau_mean_curve"] is not None else "-"
            block = f"{c['block_rate'][0]['mean'] or 0:.1%} → {c['block_rate'][-1]['mean'] or 0:.1%}" if mode != "none" else "-"
            leak_first, leak_last = c["leak"][0]["mean"], c["leak"][-1]["mean"]
            leak = f"{leak_first:.1%} → {leak_last:.1%}" if leak_first is not None and leak_last is not None else "-"
            table.add_row(learner, mode, leak, tau, block if bt is not None else "-", f"{c['drift_alerts_total']['mean']:.1f}",
                          f"{c['ctr_overall']['mean']:.4f}")
    return table
