"""Readers for the public sources, in the data directory's layout (see `../shared/datasets/README.md`).

Each reader accepts the development files laid out for this project (`*.dev.txt.gz`, `*.dev.csv.gz`)
and the originals as `tractatus data fetch` stores them, so the same code reads both.
Rows are returned in file order; which split a row belongs to is decided by `splits.py`, not here.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tractatus.data.paths import MissingDataError, source_dir
from tractatus.governance.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa

CLICKBAIT = "clickbait-chakraborty2016"
DAVIDSON = "davidson2017"
UPWORTHY = "upworthy-archive"

DAVIDSON_CLASSES = ("hate", "offensive", "neither")  # the dataset's `class` 0, 1, 2


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: str


def _open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def _files(folder: Path, patterns: tuple[str, ...], source: str) -> list[Path]:
    found = sorted({p for pattern in patterns for p in folder.glob(pattern)})
    if not found:
        raise MissingDataError(
            f"no data files for {source!r} in {folder} (looked for {', '.join(patterns)}): "
            f"run `tractatus data fetch {source}`"
        )
    return found


def read_clickbait(data_dir: Path) -> list[LabelledText]:
    """Chakraborty et al. 2016: one headline a line, label from the file name (clickbait or news)."""
    folder = source_dir(data_dir, CLICKBAIT)
    rows: list[LabelledText] = []
    for label, patterns in (("clickbait", ("clickbait.*", "clickbait_data*")),
                            ("news", ("non_clickbait.*", "non_clickbait_data*"))):
        for path in _files(folder, patterns, CLICKBAIT):
            with _open_text(path) as handle:
                rows.extend(LabelledText(line.strip(), label) for line in handle if line.strip())
    return rows


def read_davidson(data_dir: Path) -> list[LabelledText]:
    """Davidson et al. 2017: tweets with the crowd's majority class as `hate`, `offensive` or `neither`."""
    folder = source_dir(data_dir, DAVIDSON)
    rows: list[LabelledText] = []
    for path in _files(folder, ("labeled_data*.csv*",), DAVIDSON):
        with _open_text(path) as handle:
            for record in csv.DictReader(handle):
                try:
                    label = DAVIDSON_CLASSES[int(record["class"])]
                except (KeyError, ValueError, IndexError) as error:
                    raise InputError(f"{path}: a row without a valid `class` column ({error})") from None
                rows.append(LabelledText(record["tweet"], label))
    return rows


def read_upworthy(data_dir: Path) -> pa.Table:
    """The Upworthy Research Archive's exploratory packages, as a pyarrow table (Parquet or the original CSV)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    folder = source_dir(data_dir, UPWORTHY)
    paths = _files(folder, ("*packages*.parquet", "*packages*.csv"), UPWORTHY)
    path = paths[0]
    return pq.read_table(path) if path.suffix == ".parquet" else pa_csv.read_csv(path)
