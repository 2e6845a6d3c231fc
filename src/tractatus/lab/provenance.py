"""Provenance of a run: digests of the code and of the data it read, and whether the tree was dirty.

A run manifest records them, and a resumable cell store keys stored results by them, so a result
computed by other code or from other data is never silently reused (issue 10, item 9).

- code digest: sha256 over the tractatus package's source and data files (*.py, *.yaml, *.json),
  path and bytes, in sorted order: any change to the code, a bundled policy or the committed
  engagement coefficients changes it;
- data digest: sha256 over the data files a run read (the clickbait source's files or the --pool
  file) and the committed splits' digest;
- dirty: whether `git status --porcelain` reports changes in the package's checkout (None outside
  a checkout). A dirty run's git commit does not describe its code; its code digest still does.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

from pydantic import BaseModel

from tractatus.data.paths import resolve_data_dir
from tractatus.data.readers import CLICKBAIT
from tractatus.data.splits import load_splits

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # src/tractatus
_CODE_SUFFIXES = (".py", ".yaml", ".yml", ".json")


class Provenance(BaseModel):
    code_digest: str
    data_digest: str | None
    splits_digest: str
    dirty: bool | None


def code_digest(root: Path = PACKAGE_ROOT) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\x00")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def files_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\x00")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def dirty_tree(root: Path = PACKAGE_ROOT) -> bool | None:
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=root, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(out.stdout.strip()) if out.returncode == 0 else None


def run_provenance(data_dir: str | os.PathLike[str] | None = None, pool_file: str | os.PathLike[str] | None = None) -> Provenance:
    """Provenance of a headline run: its code, its pool's data files and the splits."""
    splits = load_splits()
    if pool_file is not None:
        files = [Path(pool_file)]
    else:
        folder = resolve_data_dir(data_dir) / CLICKBAIT
        files = [p for p in folder.glob("*") if p.is_file() and p.name != "LICENSE"] if folder.is_dir() else []
    data = hashlib.sha256((files_digest(files) + splits.digest).encode()).hexdigest() if files else None
    return Provenance(code_digest=code_digest(), data_digest=data, splits_digest=splits.digest, dirty=dirty_tree())
