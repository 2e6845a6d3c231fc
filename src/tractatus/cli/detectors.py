"""`tractatus detectors`: measure the content detectors (training lives on branch detectors-learned).

Temporary on this branch: the detectors-learned branch owns this module (with `train`); when merging,
keep its version and add `app.command("eval")(eval_command)` from `cli/detectors_eval.py`.
"""

from __future__ import annotations

import typer

from tractatus.cli.detectors_eval import eval_command

app = typer.Typer(no_args_is_help=True, help="Train and measure the content detectors.")
app.command("eval")(eval_command)
