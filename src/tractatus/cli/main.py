"""The `tractatus` command: one module per command group, errors mapped in cli/errors.py."""

from __future__ import annotations

import sys
from typing import ClassVar, Mapping

import typer

from tractatus.cli import check
from tractatus.cli.errors import run_cli
from tractatus.cli.lazy import LazyGroup, LazyTyperGroup


class TractatusGroup(LazyTyperGroup):
    # Groups are imported only when they run (issue 12, item 6: `--help` lists them from this
    # table without importing Ray, FastAPI, SQLAlchemy, pydantic or the detectors).
    # tests/cli/test_cli_startup.py checks each help text equals the group's own.
    lazy_groups: ClassVar[Mapping[str, LazyGroup]] = {
        "policy": LazyGroup("tractatus.cli.policy", "app", "Validate and inspect policy files."),
        "audit": LazyGroup("tractatus.cli.audit", "app", "Verify and read the hash-chained audit log."),
        "escalations": LazyGroup("tractatus.cli.escalations", "app", "Review escalated actions: list, approve, deny."),
        "lab": LazyGroup("tractatus.cli.lab", "app", "The governed RL training lab: Demo 1, Demo 2, reports."),
        "al": LazyGroup("tractatus.cli.al", "app", "Run the governed Agent Lightning 1.x stack."),
        "serve": LazyGroup("tractatus.cli.serve", "app", "Run the feedback service, governance API and dashboard."),
        "detectors": LazyGroup("tractatus.cli.detectors", "app", "Train and measure the detectors' learned tiers."),
        "data": LazyGroup("tractatus.cli.data", "app", "Public datasets: locate them and fetch the originals."),
    }


app = typer.Typer(
    cls=TractatusGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain click help, not typer's rich panels: rendering help through rich imports rich.markdown,
    # markdown_it, pygments and attrs (~0.3 s of the 0.43 s `--help` took under load; issue 12,
    # item 6). The help texts use no rich markup, so nothing is lost but the boxes. The command
    # groups are separate typer apps and keep their own (rich) help.
    rich_markup_mode=None,
    help="Tractatus governance for Agent Lightning: decide, audit, train and measure.",
)


@app.callback()
def _root() -> None:
    # A callback keeps typer from collapsing a one-command app into that command: the lazy groups
    # are not registered with typer, so without it `tractatus check X` would parse as `tractatus X`.
    pass


# `check` is a command, not a group: its module is light, and it imports the governor when it runs.
app.command("check")(check.check)


def main() -> None:
    sys.exit(run_cli(app))
