#!/usr/bin/env python3
"""Fill the generated numbers in README.md and docs/**/*.md from the result files that hold them.

A number in the docs that comes from a result file is written between two HTML comments that
name its source (invisible when the Markdown is rendered):

    <!-- value: benchmarks/results/bench_cli_startup.json#cases.help.wall_median_s fmt=.2f -->0.88<!-- /value -->

`FILE#KEY` is a JSON file (relative to the repository root) and a dotted key path into it (list
items by index: `runs.0.seconds`); `fmt` is a Python format spec (default: the value as is).
`scripts/render-docs.py` rewrites every such number from its source; `--check` changes nothing and
exits 1 naming each number that differs (tests/docs/test_docs_numbers.py runs it), or 2 when a
source file or key is missing.

Run:  .venv/bin/python scripts/render-docs.py [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(
    # A key may hold spaces ("clickbait (publish)"): it runs to " fmt=" or " -->".
    r"<!-- value: (?P<file>[^#\s]+)#(?P<key>[^\n]+?)(?: fmt=(?P<fmt>[^\s]+))? -->(?P<shown>.*?)<!-- /value -->"
)


class SourceError(Exception):
    """A marker names a file or key that does not exist."""


def documents(root: Path) -> list[Path]:
    return [p for p in [root / "README.md", *sorted((root / "docs").rglob("*.md"))] if p.is_file()]


def lookup(root: Path, file: str, key: str, cache: dict[str, Any]) -> Any:
    if file not in cache:
        path = root / file
        if not path.is_file():
            raise SourceError(f"{file}: no such result file")
        cache[file] = json.loads(path.read_text(encoding="utf-8"))
    value = cache[file]
    parts = key.split(".")
    while parts:
        part = parts[0]
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value, parts = value[int(part)], parts[1:]
            continue
        # A key may hold dots itself ("0.3", a cost limit): the longest dotted run that is a key wins.
        taken = next((n for n in range(len(parts), 0, -1) if isinstance(value, dict) and ".".join(parts[:n]) in value), 0)
        if not taken:
            raise SourceError(f"{file}#{key}: no such key ({part!r})")
        value, parts = value[".".join(parts[:taken])], parts[taken:]
    return value


def render(text: str, root: Path, cache: dict[str, Any]) -> tuple[str, list[str]]:
    """The text with every marked number rendered, and a line for each one that changed."""
    changes: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = lookup(root, match["file"], match["key"], cache)
        shown = format(value, match["fmt"]) if match["fmt"] else str(value)
        if shown != match["shown"]:
            changes.append(f"{match['file']}#{match['key']}: docs say {match['shown']!r}, source says {shown!r}")
        fmt = f" fmt={match['fmt']}" if match["fmt"] else ""
        return f"<!-- value: {match['file']}#{match['key']}{fmt} -->{shown}<!-- /value -->"

    return MARKER.sub(fill, text), changes


def main(argv: list[str] | None = None, root: Path = ROOT) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a number differs")
    args = parser.parse_args(argv)
    cache: dict[str, Any] = {}
    stale: list[str] = []
    try:
        for path in documents(root):
            text = path.read_text(encoding="utf-8")
            rendered, changes = render(text, root, cache)
            where = path.relative_to(root)
            stale.extend(f"{where}: {change}" for change in changes)
            if changes and not args.check:
                path.write_text(rendered, encoding="utf-8")
    except SourceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for line in stale:
        print(line)
    if args.check and stale:
        print(f"{len(stale)} number(s) differ from their source: run scripts/render-docs.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
