"""`tractatus policy`: validate policy files and show what they decide."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tractatus.governance.policy import load_policy

app = typer.Typer(no_args_is_help=True, help="Validate and inspect policy files.")


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Policy files to validate.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print name and digest as JSON.")] = False,
) -> None:
    """Validate policy files; the first invalid one is named with its line and field (exit 2)."""
    console = Console(highlight=False)
    for path in files:
        policy = load_policy(path)
        doc = policy.document
        if as_json:
            print(json.dumps({"file": str(path), "name": policy.name, "digest": policy.digest, "valid": True}))
        else:
            console.print(
                f"[green]valid[/green] {path}: policy {policy.name!r}, {len(doc.checks)} checks, "
                f"{len(doc.rules)} rules, {len(doc.tools.known)} known tools, digest {policy.digest[:16]}"
            )
