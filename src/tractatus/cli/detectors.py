"""`tractatus detectors`: retrain the learned tiers (and, from the eval module, measure them).

`train` rebuilds every shipped model file from the data directory; the result is byte-identical
to the committed files, which `--check` verifies (exit 1 when a retrain differs). scikit-learn is
imported inside the command: deciding never needs it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tractatus.cli.detectors_eval import eval_command
from tractatus.data.paths import resolve_data_dir, source_dir

app = typer.Typer(no_args_is_help=True, help="Train and measure the detectors' learned tiers.")
app.command("eval")(eval_command)


@app.command("train")
def train(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Public datasets (default: TRACTATUS_DATA_DIR or the user cache).")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Retrain, compare with the shipped files, write nothing.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the model files here (default: the package's models folder).")
    ] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Only this model (repeatable): clickbait, clickbait_styled, abuse, profanity.")
    ] = None,
) -> None:
    """Retrain every learned model from the data directory (fixed seeds: the same bytes each time)."""
    from tractatus.governance.errors import ConfigError, InputError

    try:
        from tractatus.governance.learning.trainers import EXPORTED, MODELS, build_all, shipped_models_dir
    except ImportError as error:
        raise ConfigError(f"training needs the 'train' extra ({error.name} is missing): pip install 'tractatus[train]'") from None

    known = [spec.name for spec in MODELS] + list(EXPORTED)
    unknown = sorted(set(model or []) - set(known))
    if unknown:
        raise InputError(f"unknown model(s) {', '.join(unknown)}: choose from {', '.join(known)}")
    folder = resolve_data_dir(data_dir)
    for spec in MODELS:
        if not model or spec.name in model:
            source_dir(folder, spec.source)  # one clear line naming the fetch command if missing
    console = Console(highlight=False, soft_wrap=True)
    built = build_all(folder, model)
    target = out if out is not None else shipped_models_dir()
    differs = []
    for name, raw in built.items():
        path = target / f"{name}.json"
        digest = hashlib.sha256(raw).hexdigest()
        if check:
            same = path.is_file() and path.read_bytes() == raw
            if not same:
                differs.append(name)
            console.print(f"{'[green]same[/green]' if same else '[red]differs[/red]'} {name}: retrain sha256 {digest[:16]}, {path}")
        else:
            target.mkdir(parents=True, exist_ok=True)
            path.write_bytes(raw)
            console.print(f"wrote {path} ({len(raw):,} bytes, sha256 {digest[:16]})")
    if differs:
        console.print(f"[red]retrain differs from the shipped file for: {', '.join(differs)}[/red]")
        raise typer.Exit(1)
