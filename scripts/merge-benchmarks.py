"""Assemble docs/benchmarks.md from the per-area fragments in docs/benchmarks/*.md.

Each area (governance, lab, Agent Lightning, service) records its own measurements in a fragment,
so that the people measuring different parts never edit one file at the same time.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["governance", "lab", "agentlightning", "service", "research"]
HEADER = """# Benchmarks

Measured, not asserted: each section gives the date, the command, the machine and the numbers, and
says plainly where a target is missed and why. The scripts live in `benchmarks/`; raw results in
`benchmarks/results/*.json`. This file is assembled from `docs/benchmarks/*.md` by
`scripts/merge-benchmarks.py`.
"""


def main() -> None:
    fragments = sorted((ROOT / "docs" / "benchmarks").glob("*.md"), key=lambda p: (ORDER.index(p.stem) if p.stem in ORDER else 99, p.stem))
    parts = [HEADER]
    for fragment in fragments:
        parts.append(fragment.read_text(encoding="utf-8").strip() + "\n")
    (ROOT / "docs" / "benchmarks.md").write_text("\n".join(parts), encoding="utf-8")
    print(f"docs/benchmarks.md: {len(fragments)} sections")


if __name__ == "__main__":
    main()
