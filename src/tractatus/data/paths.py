"""Where the data directory is: `--data-dir`, then `TRACTATUS_DATA_DIR`, then a per-user cache.

The layout mirrors `../shared/datasets/`: one folder per source, named as in `sources.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

from tractatus.governance.errors import InputError

ENV_VAR = "TRACTATUS_DATA_DIR"


class MissingDataError(InputError):
    """A command needs a dataset that is not in the data directory. The message says how to get it."""


def default_data_dir() -> Path:
    """The per-user cache directory, following the XDG convention (as pooch's `os_cache` does)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "tractatus" / "datasets"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The data directory to read from; it need not exist yet (`tractatus data fetch` fills it)."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_VAR)
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def source_dir(data_dir: Path, source: str) -> Path:
    """The folder of one source, or a one-line `MissingDataError` saying how to get it."""
    folder = data_dir / source
    if not folder.is_dir():
        raise MissingDataError(
            f"dataset {source!r} not found in {data_dir}: run `tractatus data fetch {source}` "
            f"or point --data-dir / {ENV_VAR} at a directory that holds it"
        )
    return folder
