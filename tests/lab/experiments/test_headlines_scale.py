"""Q1 on headlines (lab/experiments/headlines_scale.py, lab/competitive_feed.py): agents compete for one feed.

A handmade pool (no dataset rows) makes the outcome knowable: blatant clickbait the governor blocks,
quiet clickbait it allows, and plain news.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

# The handmade pool of the Q3/Q5 tests (pytest puts this folder on sys.path): blatant clickbait the
# governor blocks, quiet clickbait it allows, plain news.
from test_headline_questions import BLATANT, NEWS, QUIET

from tractatus.cli.lab_scale_headlines import _view
from tractatus.lab.backends import Cell
from tractatus.lab.competitive_feed import NOTHING, publish_top
from tractatus.lab.experiments.grid import policy_path
from tractatus.lab.experiments.headlines_adversarial import record
from tractatus.lab.experiments.headlines_scale import (
    ScaleHeadlinesConfig,
    ScaleHeadlinesOptions,
    cells,
    run,
    run_cell,
)
from tractatus.lab.research_report_headlines import addendum


@pytest.fixture()
def pool(tmp_path: Path) -> str:
    path = tmp_path / "pool.jsonl"
    lines = [json.dumps({"text": t, "label": "clickbait"}) for t in BLATANT + QUIET] + [json.dumps({"text": t, "label": "news"}) for t in NEWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_feed_publishes_the_best_distinct_proposals_up_to_its_slots() -> None:
    ctr = np.array([0.01, 0.05, 0.03, 0.04, 0.02])
    proposed = np.array([1, 1, 3, NOTHING, 0, 2])  # agents 0 and 1 propose the same headline
    order = np.arange(6)
    published = publish_top(proposed, ctr, 2, order)
    # Two slots: headline 1 (best, to agent 0 who comes first) and headline 3; agent 1's duplicate loses.
    assert published.tolist() == [1, NOTHING, 3, NOTHING, NOTHING, NOTHING]
    assert publish_top(proposed, ctr, 2, order[::-1]).tolist() == [NOTHING, 1, 3, NOTHING, NOTHING, NOTHING]
    everything = publish_top(proposed, ctr, 10, order)
    assert sorted(everything[everything != NOTHING].tolist()) == [0, 1, 2, 3]  # N <= F: all distinct proposals
    assert (publish_top(np.full(4, NOTHING), ctr, 2, np.arange(4)) == NOTHING).all()


def _config(pool: str, **update: Any) -> ScaleHeadlinesConfig:
    base = {"scales": (1, 8), "feed_slots": 2, "samples": 48, "min_rounds": 8, "seeds": 2, "pool": pool}
    return ScaleHeadlinesConfig(**{**base, **update})


def _cell(config: ScaleHeadlinesConfig, agents: int) -> Cell:
    return next(c for c in cells(config, policy_path(None)) if c.params["agents"] == agents)


def test_competition_binds_only_when_agents_outnumber_the_slots_and_counts_are_deterministic(pool: str) -> None:
    config = _config(pool)
    alone, crowd = run_cell(_cell(config, 1)), run_cell(_cell(config, 8))
    assert config.rounds_at(1) == 48 and config.rounds_at(8) == 8
    for seed in alone["seeds"]:
        for mode in ("none", "shield"):
            assert seed[mode]["passed_over_share"] == 0.0  # one agent, two slots: every allowed proposal is published
    for seed in crowd["seeds"]:
        run_ = seed["shield"]
        assert run_["published"] <= 2 * run_["window_rounds"]  # never more than F per round
        assert run_["passed_over_share"] > 0.5  # 8 agents, 2 slots: most allowed proposals are not published
        assert run_["decisions"] >= run_["proposals"] and run_["coverage"] == 1.0
        # The governor blocks the blatant half of the pool (the learned headline model blocks most of the quiet
        # half too): the governed feed leaks less than the ungoverned one.
        assert run_["leak"] < seed["none"]["leak"]
        assert run_["baselines"]["oracle_constrained"]["leak"] == 0.0
    assert run_cell(_cell(config, 8))["seeds"][1]["shield"]["published"] == crowd["seeds"][1]["shield"]["published"]
    again = run_cell(_cell(config, 8))["seeds"]
    for a, b in zip(again, crowd["seeds"], strict=True):
        for mode in ("none", "shield"):
            assert {k: a[mode][k] for k in ("engagement", "published", "clickbait", "proposals", "decisions", "curve")} == \
                   {k: b[mode][k] for k in ("engagement", "published", "clickbait", "proposals", "decisions", "curve")}


@pytest.mark.slow
def test_summary_holds_the_equivalence_tests_renders_and_a_stale_cell_is_recomputed(pool: str, tmp_path: Path) -> None:
    options = ScaleHeadlinesOptions(out=tmp_path / "runs", pool=pool, slots=2, seeds=2, rounds=8, agents=8, quick=True)
    seen: list[tuple[str, bool]] = []
    summary = run(options, progress=lambda cell, cached: seen.append((cell.key, cached)))
    assert [r["agents"] for r in summary["scales"]] == [1, 8]  # --agents 8: the quick scales below 8, and 8
    eq = summary["equivalence"]
    assert eq["reference_agents"] == 1 and set(eq) >= {"price_pct", "leak_pp", "log_cpu_per_decision"}
    assert eq["price_pct"]["margin"] == 2.0 and "8" in eq["price_pct"]["by_agents"]
    assert summary["governor"]["policy_digest"] and summary["provenance"]["data_digest"]
    assert all(not cached for _, cached in seen)
    # The command's table renders every column (a pooled number sits beside means with intervals).
    console = Console(record=True, width=400)
    console.print(_view(summary))
    assert "audit bytes per decision" in console.export_text() and "n/a" not in console.export_text()
    # The report's section renders from the recorded history, with its plot.
    record(summary, tmp_path / "docs" / "results" / "q1-headlines.json")
    section = addendum("scale", tmp_path / "docs")
    assert "Q1 on real headlines" in section and "Real data: not yet" not in section
    assert "| 8 | 8 | yes |" in section and "| 1 | 8 | no (N ≤ F) |" in section
    assert (tmp_path / "docs" / "research" / "q1-headlines.png").stat().st_size > 10_000
    # The same command resumes: every cell is read back.
    seen.clear()
    run(options, progress=lambda cell, cached: seen.append((cell.key, cached)))
    assert seen and all(cached for _, cached in seen)
    # A cell stored by other code (another code digest) is never reused.
    run_dir = Path(summary["run_dir"])
    stored = next((run_dir / "cells").glob("n8*.json"))
    stored_cell = json.loads(stored.read_text(encoding="utf-8"))
    stored_cell["code_digest"] = "0" * 64
    stored.write_text(json.dumps(stored_cell), encoding="utf-8")
    seen.clear()
    run(options, progress=lambda cell, cached: seen.append((cell.key, cached)))
    assert dict(seen) == {"n1__seed0": True, "n8__seed0": False}
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"]["stale_cells_recomputed"] == ["n8__seed0"]


RUN = "import sys; from tractatus.cli.errors import run_cli; from tractatus.cli.lab import app; sys.exit(run_cli(app))"


@pytest.mark.parametrize(("args", "message"), [
    (["--pool", "no-such-pool.jsonl"], "no such file"),
    (["--quick", "--full"], "--quick and --full exclude each other"),
    (["--seeds", "0"], "--seeds"),
    (["--learner", "oracle"], "unknown learner"),
])
def test_bad_options_are_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", RUN, "scale-headlines", *args, "--out", str(tmp_path), "--record", "none"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=300, check=False)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
