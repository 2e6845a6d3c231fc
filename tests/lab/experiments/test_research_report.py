"""The research report renders from the result files: every question a section, plots, numbers with CIs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tractatus.lab.research_report import EXPERIMENTS, fmt, generate

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "research"


def test_format_shows_mean_ci_and_spread_across_seeds() -> None:
    assert fmt({"mean": 0.5, "ci95": 0.1, "per_seed": [0.4, 0.6]}, 2) == "0.50 ± 0.10 [0.40..0.60]"
    assert fmt({"mean": 0.5, "ci95": None, "per_seed": [0.5]}, 1) == "0.5"
    assert fmt(None) == "n/a"


def test_missing_results_say_so_instead_of_inventing_numbers(tmp_path: Path) -> None:
    result = generate(runs=tmp_path / "runs", docs=tmp_path / "docs")
    text = Path(result["markdown"]).read_text(encoding="utf-8")
    for experiment in EXPERIMENTS:
        assert f"No results yet: run `tractatus lab {experiment}`" in text
    assert result["plots"] == []


@pytest.mark.skipif(not all((COMMITTED / f"{e}.json").is_file() for e in EXPERIMENTS), reason="no committed results yet")
def test_report_renders_every_question_from_the_committed_results(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(COMMITTED, docs / "research", ignore=shutil.ignore_patterns("*.png"))
    result = generate(runs=tmp_path / "no-runs", docs=docs)
    text = Path(result["markdown"]).read_text(encoding="utf-8")
    for q in ("Q1.", "Q2.", "Q3.", "Q4.", "Q5."):
        assert f"## {q}" in text
    for heading in ("**The seed's claim.**", "**Our method.**", "**Our answer.**", "**Limitations and threats to validity.**"):
        assert text.count(heading) == 5
    assert len(result["plots"]) == 5 and all(Path(p).stat().st_size > 10_000 for p in result["plots"])
    html = Path(result["html"]).read_text(encoding="utf-8")
    assert "<table>" in html and html.count("<img") == 5
    # a number in the report is the one in the result file
    gap = json.loads((docs / "research" / "gap.json").read_text(encoding="utf-8"))
    assert fmt(gap["constrained_optimum"], 4) in text
