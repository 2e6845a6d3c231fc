"""`tractatus lab engagement`: refit and show the lab's engagement model (the simulated audience).

`fit` refits the within-test conditional logit on the Upworthy archive in the data directory and
writes the coefficients (default: the committed file in the package); `--check` writes nothing and
exits 1 if the refit differs from the committed file. `show` prints every coefficient and the
held-out evaluation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from tractatus.governance.errors import InputError

app = typer.Typer(no_args_is_help=True, add_completion=False, help="The engagement model learned from the Upworthy archive.")

DataDirOpt = typer.Option(None, "--data-dir", help="Public datasets directory (default: $TRACTATUS_DATA_DIR).")


@app.command("fit")
def fit(
    data_dir: Path | None = DataDirOpt,
    out: Path | None = typer.Option(None, "--out", help="Where to write the coefficients (default: the committed file)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if the refit differs from the committed file."),
) -> None:
    """Refit on the earlier weeks, evaluate on the later ones, write the coefficients."""
    from tractatus.data.paths import resolve_data_dir, source_dir
    from tractatus.data.readers import UPWORTHY, read_upworthy
    from tractatus.lab.world.engagement import data_digest, default_coefficients_path, fit_engagement_model, write_coefficients

    folder = resolve_data_dir(data_dir)
    table = read_upworthy(folder)
    files = sorted(source_dir(folder, UPWORTHY).glob("*packages*.parquet")) or sorted(source_dir(folder, UPWORTHY).glob("*packages*.csv"))
    document = fit_engagement_model(table, source_digest=data_digest(files[0]))
    target = out if out is not None else default_coefficients_path()
    if check:
        committed = json.loads(default_coefficients_path().read_text(encoding="utf-8"))
        same = committed == json.loads(json.dumps(document))
        sys.stderr.write("refit is identical to the committed coefficients\n" if same else "refit DIFFERS from the committed coefficients\n")
        raise typer.Exit(0 if same else 1)
    try:
        write_coefficients(document, target)
    except OSError as exc:
        raise InputError(f"--out {target}: cannot write ({exc.strerror or exc})") from None
    evaluation = document["evaluation"]
    sys.stderr.write(
        f"wrote {target}: pairwise accuracy {evaluation['pairwise_accuracy']:.3f} on {evaluation['pairs']} held-out pairs "
        f"({evaluation['pairwise_accuracy_significant']:.3f} on {evaluation['significant_pairs']} significant ones)\n"
    )


@app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="The committed document as JSON.")) -> None:
    """Every coefficient of the committed model and its held-out evaluation."""
    from tractatus.lab.world.engagement import default_coefficients_path

    document = json.loads(default_coefficients_path().read_text(encoding="utf-8"))
    if as_json:
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        return
    print(f"base CTR {document['base_ctr']:.4f}; train weeks {document['train']['weeks']}, held-out weeks {document['evaluation']['weeks']}")
    print(f"{'feature':<20} {'coefficient':>12}  meaning")
    for feature in document["features"]:
        print(f"{feature['name']:<20} {feature['coefficient']:>12.4f}  {feature['meaning']}")
    evaluation = document["evaluation"]
    print(f"pairwise accuracy {evaluation['pairwise_accuracy']:.3f} ({evaluation['pairs']} pairs); "
          f"{evaluation['pairwise_accuracy_significant']:.3f} on {evaluation['significant_pairs']} significant pairs")
