"""The headline pool: real headlines that people labelled clickbait or news.

Default: the `lab_pool` split of the Chakraborty et al. (2016) clickbait data (data/splits.yaml),
which no detector was trained or tuned on and the lab's judge does not train on either
(tests/lab/world/test_pool.py checks the split hygiene). `--pool FILE.jsonl` replaces it with any
labelled headlines, one JSON object a line: {"text": "...", "label": "clickbait" | "news"}.

The label is the ground truth of the headline environment's cost. It is never shown to the
governor or to a learner.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tractatus.data.paths import resolve_data_dir
from tractatus.data.readers import CLICKBAIT, read_clickbait
from tractatus.data.splits import load_splits
from tractatus.governance.errors import InputError

Label = Literal["clickbait", "news"]
LABELS: tuple[str, ...] = ("clickbait", "news")
POOL_SPLIT = "lab_pool"


@dataclass(frozen=True, slots=True)
class Headline:
    text: str
    label: Label

    @property
    def clickbait(self) -> bool:
        return self.label == "clickbait"


def load_pool(data_dir: str | os.PathLike[str] | None = None, pool_file: str | os.PathLike[str] | None = None) -> list[Headline]:
    """The pool: `pool_file` if given, else the clickbait source's `lab_pool` split in the data directory."""
    if pool_file is not None:
        return read_pool_file(Path(pool_file))
    rows = read_clickbait(resolve_data_dir(data_dir))
    chosen = load_splits().select(CLICKBAIT, rows, POOL_SPLIT)
    return [Headline(row.text, row.label) for row in chosen]  # type: ignore[arg-type]


def read_pool_file(path: Path) -> list[Headline]:
    """A JSONL pool file; any bad line is one clear InputError naming the file and the line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"--pool {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"--pool {path}: cannot read it ({exc})") from None
    pool: list[Headline] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            raise InputError(f"--pool {path}, line {number}: not a JSON object") from None
        if not isinstance(record, dict):
            raise InputError(f"--pool {path}, line {number}: not a JSON object")
        text, label = record.get("text"), record.get("label")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"--pool {path}, line {number}: \"text\" must be a non-empty string")
        if label not in LABELS:
            raise InputError(f"--pool {path}, line {number}: \"label\" must be \"clickbait\" or \"news\", got {label!r}")
        pool.append(Headline(text.strip(), label))
    if not pool:
        raise InputError(f"--pool {path}: no headlines in it")
    return pool
