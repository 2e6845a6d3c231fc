"""The `tractatus` command."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Tractatus governance for Agent Lightning.")


def main() -> None:
    app()
