"""`tractatus data`: where the public datasets are read from, and fetching their originals."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from tractatus.data.paths import ENV_VAR, resolve_data_dir

app = typer.Typer(no_args_is_help=True, help="Public datasets: locate them and fetch the originals.")

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help=f"Data directory (default: ${ENV_VAR}, then the user cache).")
]


@app.command("path")
def path(data_dir: DataDirOption = None) -> None:
    """Print the data directory commands read from (it need not exist yet)."""
    print(resolve_data_dir(data_dir))


@app.command("fetch")
def fetch(
    sources: Annotated[list[str] | None, typer.Argument(help="Sources to fetch (default: all).")] = None,
    data_dir: DataDirOption = None,
    allow_unverified: Annotated[
        bool, typer.Option("--allow-unverified", help="Download files whose sha256 is not pinned (prints it).")
    ] = False,
    mirror: Annotated[
        str | None, typer.Option("--mirror", help="Base URL of a copy laid out like the data directory.")
    ] = None,
) -> None:
    """Download the public originals (pinned checksums) into the data directory."""
    from tractatus.data.sources import fetch as fetch_source
    from tractatus.data.sources import resolve_sources

    folder = resolve_data_dir(data_dir)
    for source in resolve_sources(sources):
        paths = fetch_source(
            source, folder, allow_unverified=allow_unverified, mirror=mirror,
            report=lambda line: print(line, file=sys.stderr),
        )
        for file in paths:
            print(f"{source.name}: {file}")
