"""`tractatus lab scale-headlines`: Q1 on real headlines, N agents competing for one feed (issue 10).

The research command contract of cli/lab_research.py (--json, --quick, --full, --agents, --rounds,
--seeds, --backend local|ray, --ray-address, --policy, --out; a rerun resumes finished cells) plus
the headline options (--pool, --data-dir), the feed's size (--slots), the learner and how agents
share it. The summary is added to docs/results/q1-headlines.json (keyed by the governor's commit)
unless --record none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from tractatus.cli import lab_research
from tractatus.governance.errors import InputError

NAME = "scale-headlines"
HELP = "Q1 on real headlines: the converged price of governance when 1 to 1,000 agents compete for one feed."
DEFAULT_RECORD = "docs/results/q1-headlines.json"
POOL_OPT = typer.Option(None, "--pool", help="A JSONL file of {\"text\", \"label\": clickbait|news} lines instead of the lab_pool split.")
DATA_DIR_OPT = typer.Option(None, "--data-dir", help="Public datasets directory (default: $TRACTATUS_DATA_DIR).")


def _view(s: dict[str, Any]) -> Table:
    gov = s["governor"]
    table = Table(title=f"Q1 on real headlines: {s['config']['feed_slots']} feed slots, governor {gov['commit'][:12]}"
                  f"{' (dirty)' if gov['dirty'] else ''} ({s['run_dir']})", title_justify="left")
    columns = {"price_pct": 1, "leak_governed": 3, "base_leak": 3, "amplification": 2, "pct_of_constrained_optimum": 1,
               "passed_over_share_governed": 3, "cpu_us_per_decision": 0, "audit_bytes_per_decision": 0, "coverage": 3}
    for col in ("agents", "rounds", *(c.replace("_", " ") for c in columns)):
        table.add_column(col)
    for row in s["scales"]:
        table.add_row(str(row["agents"]), str(row["rounds"]), *(lab_research._fmt(row[c], d) for c, d in columns.items()))
    return table


def register(app: typer.Typer) -> None:
    @app.command(NAME, help=HELP)
    def scale_headlines(
        as_json: bool = lab_research.JSON_OPT,
        quick: bool = lab_research.QUICK_OPT,
        full: bool = lab_research.FULL_OPT,
        agents: int | None = typer.Option(None, "--agents", help="Largest scale: the default scales below it, and it."),
        rounds: int | None = typer.Option(None, "--rounds", help="The same rounds at every scale (default: enough for 2,400 proposals)."),
        seeds: int | None = lab_research.SEEDS_OPT,
        slots: int | None = typer.Option(None, "--slots", help="Headlines the feed publishes per round (default 10)."),
        learner: str | None = typer.Option(None, "--learner", help="linear-ts (default), pg or random."),
        independent: bool = typer.Option(False, "--independent", help="One learner per agent (default: N actors of one shared policy)."),
        backend: str = lab_research.BACKEND_OPT,
        ray_address: str | None = lab_research.RAY_ADDRESS_OPT,
        policy: str | None = lab_research.POLICY_OPT,
        pool: Path | None = POOL_OPT,
        data_dir: Path | None = DATA_DIR_OPT,
        out: Path = lab_research.OUT_OPT,
        record: str | None = typer.Option(None, "--record", help=f"History file the summary is added to (default {DEFAULT_RECORD}; 'none' to skip)."),
    ) -> None:
        from tractatus.lab.experiments.grid import _finite
        from tractatus.lab.experiments.headlines_adversarial import record as add_to_history
        from tractatus.lab.experiments.headlines_scale import ScaleHeadlinesOptions
        from tractatus.lab.learners.headline_learners import known_headline_learner

        if pool is not None and not pool.is_file():
            raise InputError(f"--pool {pool}: no such file")
        try:
            known_headline_learner(learner or "linear-ts")
        except ValueError as exc:
            raise InputError(f"--learner: {exc}") from None
        options = lab_research._options(
            ScaleHeadlinesOptions, quick=quick, full=full, agents=agents, rounds=rounds, seeds=seeds, steps=None, backend=backend,
            ray_address=ray_address, policy=policy, out=out, pool=str(pool) if pool else None,
            data_dir=str(data_dir) if data_dir else None, slots=slots, learner=learner, sharing="independent" if independent else None,
        )
        summary = _finite(lab_research.run_with_progress("headlines_scale", options))
        if record is None or record.lower() != "none":
            add_to_history(summary, Path(record or DEFAULT_RECORD))
        lab_research._emit(as_json, summary, _view)
