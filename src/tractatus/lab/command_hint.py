"""How to run `tractatus` again, as a path the user can paste (the hints under the lab's tables).

`make demo` installs into .venv and does not put it on PATH, so a bare `tractatus lab report ...`
hint fails with "command not found". The console script sits beside the running interpreter; the
hint names it relative to the working directory when it is below it (`.venv/bin/tractatus`, as the
Makefile prints), by its absolute path otherwise, and as plain `tractatus` only when that is what
PATH finds. Without the console script (e.g. run from a source tree), `python -m tractatus.cli`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def tractatus_command(*, cwd: Path | None = None, path_env: str | None = None) -> str:
    script = Path(sys.executable).parent / "tractatus"
    if not script.is_file():
        return f"{_shown(Path(sys.executable), cwd)} -m tractatus.cli"
    found = shutil.which("tractatus", path=path_env if path_env is not None else os.environ.get("PATH", ""))
    if found is not None and Path(found).resolve() == script.resolve():
        return "tractatus"
    return _shown(script, cwd)


def _shown(path: Path, cwd: Path | None) -> str:
    base = (cwd or Path.cwd()).absolute()
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(base))
    except ValueError:
        return str(absolute)
