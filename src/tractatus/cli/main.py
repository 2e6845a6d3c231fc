"""The `tractatus` command: one module per command group, errors mapped in cli/errors.py."""

from __future__ import annotations

import sys

import typer

from tractatus.cli import al, audit, check, data, detectors, escalations, lab, policy, serve
from tractatus.cli.errors import run_cli

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    help="Tractatus governance for Agent Lightning: decide, audit, train and measure.",
)
app.command("check")(check.check)
app.add_typer(policy.app, name="policy")

# Groups that need heavy libraries (Ray, matplotlib, FastAPI, Agent Lightning) import them inside
# their commands, so `tractatus check` starts fast.
app.add_typer(audit.app, name="audit")
app.add_typer(escalations.app, name="escalations")
app.add_typer(lab.app, name="lab")
app.add_typer(al.app, name="al")
app.add_typer(serve.app, name="serve")
# Training imports scikit-learn and fetching imports pooch, each inside its command.
app.add_typer(detectors.app, name="detectors")
app.add_typer(data.app, name="data")


def main() -> None:
    sys.exit(run_cli(app))
