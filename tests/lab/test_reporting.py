"""Reporting as safe-RL papers do (issue 10, item 8): raw per-step logs, curves, runnable hints.

The handmade pool of tests/lab/experiments/test_headline_questions.py (no dataset rows) makes
every count knowable.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from tractatus.lab.command_hint import tractatus_command
from tractatus.lab.curves import ratio_curve, segments
from tractatus.lab.experiments.headlines_adversarial import (
    AdversarialHeadlinesConfig,
    run_adversarial_headlines,
)
from tractatus.lab.experiments.headlines_feed import FeedConfig, run_feed_experiment
from tractatus.lab.modes import Mode
from tractatus.lab.step_log import STEPS_FILE, StepLog

WHO = ("Dog", "Cat", "Baby", "Chef", "Teacher")
BLATANT = [f"You Won't Believe What This {w} Did Next!!!" for w in WHO]
NEWS = [f"{c} council approves budget for new {t}" for c, t in zip(
    ("Leeds", "Oslo", "Lima", "Perth", "Quito"), ("bridge", "school", "library", "road", "hospital"), strict=True)]


def _pool(tmp_path: Path) -> str:
    path = tmp_path / "pool.jsonl"
    rows = [{"text": t, "label": "clickbait"} for t in BLATANT] + [{"text": t, "label": "news"} for t in NEWS]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def test_segments_cover_every_step_once() -> None:
    assert segments(25, 10) == [(0, 2), (2, 5), (5, 7), (7, 10), (10, 12), (12, 15), (15, 17), (17, 20), (20, 22), (22, 25)]
    assert segments(3, 10) == [(0, 1), (1, 2), (2, 3)]
    assert segments(0) == []


def test_ratio_curve_is_a_ratio_of_sums_per_seed_then_a_mean_over_seeds() -> None:
    numerator = np.array([[1, 0, 2, 2], [0, 0, 4, 4]])
    denominator = np.array([[2, 2, 4, 4], [1, 3, 4, 4]])
    curve = ratio_curve(numerator, denominator, points=2)
    assert [p["steps"] for p in curve] == [[1, 2], [3, 4]]
    assert curve[0]["per_seed"] == [0.25, 0.0] and curve[0]["mean"] == 0.125
    assert curve[1]["per_seed"] == [0.5, 1.0] and curve[1]["ci95"] > 0
    # A seed with nothing in the denominator has no value there; it is left out, not counted as 0.
    assert ratio_curve(np.array([[1], [0]]), np.array([[2], [0]]))[0]["per_seed"] == [0.5]


def test_step_log_repeats_scalars_and_reads_back(tmp_path: Path) -> None:
    log = StepLog()
    log.add(mode="shield", seed=3, round=0, published=np.array([True, False]))
    log.add(mode="none", seed=3, round=1, published=np.array([True, True]))
    log.write(tmp_path / STEPS_FILE)
    table = pq.read_table(tmp_path / STEPS_FILE)
    assert log.rows == table.num_rows == 4
    assert table.column("mode").to_pylist() == ["shield", "shield", "none", "none"]
    assert table.column("round").to_pylist() == [0, 0, 1, 1]
    assert table.schema.field("published").type == "bool"


def test_q3_writes_one_row_per_rewrite_that_agrees_with_its_summary(tmp_path: Path) -> None:
    config = AdversarialHeadlinesConfig(rounds=4, attempts=5, sources=5, seeds=2, buckets=2, adversaries=("uniform", "null"),
                                        modes=(Mode.SHIELD,), pool=_pool(tmp_path))
    summary = run_adversarial_headlines(config, run_dir=tmp_path / "run")
    table = pq.read_table(tmp_path / "run" / STEPS_FILE)
    assert table.num_rows == 2 * 2 * 4 * 5  # adversaries x seeds x rounds x attempts
    for adversary in ("uniform", "null"):
        rows = table.filter(pc.equal(table.column("adversary"), adversary))
        assert (pc.sum(rows.column("published")).as_py() or 0) == summary["results"]["shield"][adversary]["pooled"]["successes"]
    null = table.filter(pc.equal(table.column("adversary"), "null"))
    assert set(null.column("operator").to_pylist()) == {"identity"}


def test_q5_writes_one_row_per_feed_slot_and_curves_from_the_same_counts(tmp_path: Path) -> None:
    config = FeedConfig(agents=4, rounds=6, candidates=1, seeds=2, limits=(0.3,), modes=("none", "centralized"), pool=_pool(tmp_path))
    summary = run_feed_experiment(config, run_dir=tmp_path / "run")
    table = pq.read_table(tmp_path / "run" / STEPS_FILE)
    assert table.num_rows == 2 * 2 * 6 * 4  # modes x seeds x rounds x agents
    none = table.filter(pc.equal(table.column("mode"), "none"))
    assert all(none.column("published").to_pylist())  # ungoverned: every slot publishes
    curves = summary["results"]["0.3"]["none"]["curves"]
    bait = sum(none.column("clickbait").to_pylist())
    # Cost curve: clickbait share of published per segment; its per-seed values times the slots give the count back.
    per_segment = [p["steps"][1] - p["steps"][0] + 1 for p in curves["cost"]]
    recovered = sum(v * n * config.agents for p, n in zip(curves["cost"], per_segment, strict=True) for v in p["per_seed"])
    assert recovered == pytest.approx(bait)
    assert len(curves["reward"]) == len(curves["cost"]) == 6


def test_hint_names_a_command_that_runs_from_here(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "tractatus"
    if not script.is_file():
        assert tractatus_command(cwd=tmp_path, path_env="").endswith(" -m tractatus.cli")
        return
    # Not on PATH: a path, relative when the script is below the working directory, as `make demo` prints.
    assert tractatus_command(cwd=tmp_path, path_env="") == str(script.absolute())
    venv_root = script.absolute().parents[2]
    assert tractatus_command(cwd=venv_root, path_env="") == str(script.absolute().relative_to(venv_root))
    # On PATH: the bare name works.
    assert tractatus_command(cwd=tmp_path, path_env=str(script.parent)) == "tractatus"


# Labelled clickbait by "people" yet plain to read: the governor lets them through, so they leak.
DISGUISED = [f"{c} library extends opening hours in {m}" for c, m in zip(
    ("Derby", "Bergen", "Cusco", "Hobart", "Loja"), ("March", "April", "May", "June", "July"), strict=True)]


def test_cost_sweep_shapes_the_shielded_learner_only_when_a_limit_is_exceeded(tmp_path: Path) -> None:
    from tractatus.lab.experiments.demo import SettingConfig
    from tractatus.lab.experiments.headlines_cost_sweep import CostSweepConfig, run_cost_sweep

    pool = tmp_path / "pool.jsonl"
    rows = [{"text": t, "label": "clickbait"} for t in DISGUISED] + [{"text": t, "label": "news"} for t in NEWS]
    pool.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    setting = SettingConfig(name="default", agents=1, rounds=3, steps_per_round=10, seeds=2)
    summary = run_cost_sweep(CostSweepConfig(limits=(0.0, 1.0), setting=setting, pool=str(pool)), out=tmp_path / "runs")
    assert set(summary.results) == {"lagrangian", "shield+lagrangian"} and set(summary.references) == {"none", "shield"}
    for method, points in summary.results.items():
        never, always = points["0"], points["1"]
        # Disguised clickbait gets through the shield, so a 0 limit is exceeded and lambda rises; a limit of 1 never is.
        assert never.lagrange_lambda > 0, method
        assert always.lagrange_lambda == 0.0 and always.limit_met, method
        assert never.limit_met == (never.achieved_cost.mean <= 0.0)
    assert summary.references["shield"].achieved_cost.mean > 0  # the premise: the shield does not see it
    assert summary.references["none"].limit_met is None
    assert len(summary.run_dirs) == 3  # the references and one run per limit
