"""`tractatus detectors eval`: measure every detector on held-out data, peers side by side.

A plain function, registered by `cli/detectors.py` as `app.command("eval")(eval_command)`.
The harness lives in `tractatus.governance.learning.evaluation`; this module only maps options
to it and writes docs/detectors.json, docs/detectors.md and the PNG curves under docs/detectors/.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

_QUICK_HELP = "Subsample each held-out set (for tests and a first look); the report says so."


def _environment_notes() -> list[str]:
    from importlib import metadata

    from tractatus.governance.detectors.pii import presidio_available
    from tractatus.governance.learning.peers import BetterProfanityPeer, PresidioPatternPeer

    def version(package: str) -> str:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return "not installed"

    return [
        f"Machine: {os.cpu_count()} cores, shared with other jobs while this ran (measured under load).",
        "Peers: " + ", ".join(
            f"{p} {version(p)}" for p in ("alt-profanity-check", "better-profanity", "presidio-analyzer", "scikit-learn")
        ) + ".",
        f"{BetterProfanityPeer.name} is slow (a list scan per word), so it ran on a seeded sample of "
        f"{BetterProfanityPeer.max_rows} held-out rows and {BetterProfanityPeer.max_evasion_rows} positives per evasion "
        f"operator; {PresidioPatternPeer.name} on at most {PresidioPatternPeer.max_evasion_rows} positives per operator. "
        "Every table gives its n.",
        "Presidio ran its pattern recognizers only, without its NLP engine (no spaCy model can be fetched here): "
        "it finds no person names and no street addresses in this run.",
        "The PII detector's own NER tier (Presidio + spaCy) was "
        + ("on." if presidio_available() else "off: no spaCy model is installed, so names come from the pattern tier only."),
    ]  # fmt: skip


def eval_command(
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (default: TRACTATUS_DATA_DIR, then the user cache).")
    ] = None,
    json_path: Annotated[Path, typer.Option("--json", help="Where to write the JSON report.")] = Path("docs/detectors.json"),
    out: Annotated[Path, typer.Option("--out", help="Where to write the Markdown report.")] = Path("docs/detectors.md"),
    quick: Annotated[bool, typer.Option("--quick", help=_QUICK_HELP)] = False,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the PII corpus, the evasion operators and --quick.")] = 0,
    pii_n: Annotated[int, typer.Option("--pii-n", min=1, help="Sentences drawn from the PII corpus's eval split.")] = 2000,
    peers: Annotated[bool, typer.Option("--peers/--no-peers", help="Run the packaged peers beside the governor.")] = True,
    cases_dir: Annotated[
        Path | None, typer.Option("--cases-dir", help="Red-team case files (default: tests/governance/data in this checkout).")
    ] = None,
) -> None:
    """Measure every detector on held-out data through the real Governor; write JSON, Markdown and PR curves."""
    from tractatus.data.paths import resolve_data_dir, source_dir
    from tractatus.data.readers import CLICKBAIT, DAVIDSON
    from tractatus.governance.learning.eval_markdown import render_markdown
    from tractatus.governance.learning.evaluation import EvalOptions, run_evaluation
    from tractatus.governance.policy import policies_dir

    folder = resolve_data_dir(data_dir)
    for source in (CLICKBAIT, DAVIDSON):
        source_dir(folder, source)  # one line saying how to get the data, before any work
    root = policies_dir().parent
    command = "tractatus detectors eval" + (" --quick" if quick else "") + (f" --seed {seed}" if seed else "")
    command += (f" --pii-n {pii_n}" if pii_n != 2000 else "") + ("" if peers else " --no-peers")
    options = EvalOptions(
        data_dir=folder,
        policies_dir=policies_dir(),
        cases_dir=cases_dir if cases_dir is not None else root / "tests" / "governance" / "data",
        curve_dir=out.parent / "detectors",
        curve_link_base=out.parent,
        quick=quick,
        seed=seed,
        pii_n=pii_n,
        command=command,
        peers=peers,
        notes=tuple(_environment_notes()),
    )
    report = run_evaluation(options)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(report.model_dump_json(indent=2) + "\n", encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(report), encoding="utf-8")
    met = sum(1 for g in report.goals if g.met is True)
    missed = sum(1 for g in report.goals if g.met is False)
    typer.echo(f"wrote {out} and {json_path}: {met} goals met, {missed} missed ({report.seconds:g} s)")
