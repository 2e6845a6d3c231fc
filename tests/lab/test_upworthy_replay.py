"""The Upworthy replay (issue 10, item 3 and Q2) on a handmade archive written in tmp_path.

The archive is a Parquet file with the reader's columns; its headlines are invented for the
test (no dataset content). Everything else is real: the reader, the production governor with the
bundled persistence policy, the audit log, the judge, the learners.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tractatus.data.readers import UPWORTHY, read_upworthy
from tractatus.governance.governor import Governor
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.lab.envs.headlines import NOTHING, HeadlineSettings
from tractatus.lab.envs.upworthy import UpworthyReplayEnv, UpworthyWorld
from tractatus.lab.experiments.persistence_headlines import summarize_persistence
from tractatus.lab.experiments.upworthy_replay import summarize_replay
from tractatus.lab.modes import Mode
from tractatus.lab.upworthy_facts import headline_facts
from tractatus.lab.upworthy_replay import ReplayConfig, run_replay
from tractatus.lab.world.engagement_refit import weekly_refits
from tractatus.lab.world.judge import ClickbaitJudge
from tractatus.lab.world.upworthy_archive import PAD, load_replay_archive, week_ordered_schedule

HEADLINES = [
    "City council approves budget for new library branch",
    "You won't believe what this dog did next",
    "State legislature passes water safety bill",
    "10 photos that will restore your faith in humanity",
    "Local school board names new superintendent",
    "This one trick will change how you see the world forever",
    "Researchers publish study on river pollution levels",
    "What happened next left everyone speechless",
]


def _archive_rows() -> list[dict[str, object]]:
    """Six tests over weeks 201401 (faulty, dropped), 201402, 201403, 201404; clicks chosen by hand."""
    rows: list[dict[str, object]] = []
    tests = [
        ("t-faulty", 201401, [(0, 1000, 10), (1, 1000, 30)]),
        ("t-a", 201402, [(0, 1000, 10), (1, 1000, 30), (2, 2000, 20)]),
        ("t-b", 201402, [(3, 1000, 50), (4, 1000, 5)]),
        ("t-c", 201403, [(5, 1000, 40), (6, 1000, 12), (7, 500, 10)]),
        ("t-d", 201404, [(2, 1000, 8), (3, 1000, 25)]),
        ("t-single", 201404, [(4, 1000, 9)]),  # one headline: nothing to choose, dropped
    ]
    for test, week, packages in tests:
        for k, (headline, impressions, clicks) in enumerate(packages):
            rows.append({"index": len(rows), "clickability_test_id": test, "headline": HEADLINES[headline], "lede": "", "excerpt": "",
                         "impressions": impressions, "clicks": clicks, "significance": 0.0, "winner": False, "first_place": False,
                         "test_week": week, "eyecatcher_id": f"img-{k % 2}", "winner_count_anomaly": False, "ctr": clicks / impressions})
    # A second image of t-a's first headline: pooled with it (clicks 10+15, impressions 1000+500).
    rows.append({**rows[2], "index": len(rows), "eyecatcher_id": "img-9", "impressions": 500, "clicks": 15, "ctr": 0.03})
    return rows


@pytest.fixture()
def tiny_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / UPWORTHY
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(_archive_rows()), folder / "exploratory-packages.parquet")
    return tmp_path / "data"


def test_archive_drops_faulty_weeks_and_single_headline_tests_and_pools_packages(tiny_data: Path) -> None:
    archive = load_replay_archive(read_upworthy(tiny_data), dropped_weeks=(201326, 201401))
    assert archive.test_ids == ["t-a", "t-b", "t-c", "t-d"]
    assert archive.dropped == {"faulty_week_tests": 1, "empty_packages": 0, "single_headline_tests": 1}
    assert list(archive.week) == [201402, 201402, 201403, 201404]
    row = archive.test_ids.index("t-a")
    column = archive.texts.index(HEADLINES[0])
    at = int(np.flatnonzero(archive.candidates[row] == column)[0])
    assert archive.clicks[row, at] == 25 and archive.impressions[row, at] == 1500


def test_replay_reward_equals_the_logged_ctr(tiny_data: Path) -> None:
    archive = load_replay_archive(read_upworthy(tiny_data))
    world = UpworthyWorld(archive, np.zeros(len(archive.texts), dtype=bool))
    schedule = np.array([[0, 1, 2, 3], [3, 2, 1, 0]])
    env = UpworthyReplayEnv(archive, world, schedule, HeadlineSettings())
    env.reset()
    expected_ctr = {("t-a", HEADLINES[1]): 0.03, ("t-b", HEADLINES[4]): 0.005, ("t-c", HEADLINES[7]): 0.02, ("t-d", HEADLINES[3]): 0.025,
                    ("t-a", HEADLINES[0]): 25 / 1500}
    for _ in range(4):
        tests = env.tests.copy()
        picks = []
        for row, test in enumerate(tests.tolist()):
            wanted = [h for (tid, h) in expected_ctr if tid == archive.test_ids[test]]
            picks.append(archive.texts.index(wanted[-1]) if row == 0 else NOTHING)
        result = env.step(np.array(picks))
        test_id = archive.test_ids[int(tests[0])]
        headline = archive.texts[picks[0]]
        assert result.reward[0] == pytest.approx(expected_ctr[(test_id, headline)])
        assert result.reward[1] == 0.0  # nothing published earns 0
    with pytest.raises(Exception, match="exhausted"):
        env.step(np.array([NOTHING, NOTHING]))


def test_a_headline_from_another_test_is_refused(tiny_data: Path) -> None:
    archive = load_replay_archive(read_upworthy(tiny_data))
    env = UpworthyReplayEnv(archive, UpworthyWorld(archive, np.zeros(len(archive.texts), dtype=bool)), np.array([[1]]), HeadlineSettings())
    env.reset()
    with pytest.raises(Exception, match="not one of its row's candidates"):
        env.step(np.array([archive.texts.index(HEADLINES[5])]))  # a headline of t-c offered in t-b


def test_schedule_respects_week_order_and_replays_every_test_of_a_week_before_repeating(tiny_data: Path) -> None:
    archive = load_replay_archive(read_upworthy(tiny_data))
    once = week_ordered_schedule(archive, len(archive), seed=3)
    assert sorted(once.tolist()) == list(range(len(archive)))
    for seed in range(5):
        schedule = week_ordered_schedule(archive, 40, seed)
        weeks = archive.week[schedule]
        assert len(schedule) == 40
        assert np.all(np.diff(weeks) >= 0)
        week_two = schedule[weeks == 201402]
        assert len(week_two) == 20  # two of the four tests: half the rounds
        assert set(week_two[:2].tolist()) == {0, 1}  # both tests before either repeats


def test_engagement_refit_is_bit_identical_and_uses_only_past_weeks(tiny_data: Path) -> None:
    table = read_upworthy(tiny_data)
    archive = load_replay_archive(table)
    first, _ = weekly_refits(table, archive.weeks(), every=1)
    second, _ = weekly_refits(table, archive.weeks(), every=1)
    assert first.block_start == [201402, 201403, 201404]
    assert first.models[0] is None  # nothing before the first week
    for a, b in zip(first.models[1:], second.models[1:], strict=True):
        assert a is not None and b is not None
        assert np.array_equal(a.coefficients, b.coefficients) and np.array_equal(a.mean, b.mean)
    # Block 1 knows week 201402 only; block 2 also 201403: different data, different fit.
    assert not np.array_equal(first.models[1].coefficients, first.models[2].coefficients)  # type: ignore[union-attr]


def test_stale_facts_cache_is_never_reused(tmp_path: Path) -> None:
    governor = Governor(load_policy(bundled_policy_path("persistence")))
    judge = ClickbaitJudge.load_default()
    texts = HEADLINES[:4]
    first = headline_facts(texts, governor, judge, code_digest="code-a", cache_dir=tmp_path)
    again = headline_facts(texts, governor, judge, code_digest="code-a", cache_dir=tmp_path)
    changed = headline_facts(texts, governor, judge, code_digest="code-b", cache_dir=tmp_path)
    other_texts = headline_facts(texts[:3], governor, judge, code_digest="code-a", cache_dir=tmp_path)
    assert (first.reused, again.reused, changed.reused, other_texts.reused) == (False, True, False, False)
    assert np.array_equal(first.allowed, again.allowed) and np.array_equal(first.clickbait, changed.clickbait)
    cached = [json.loads(p.read_text()) for p in tmp_path.glob("upworthy-facts-*.json")]
    assert all(HEADLINES[0] not in json.dumps(c) for c in cached)  # booleans only, no text


@pytest.fixture()
def replay(tiny_data: Path, tmp_path: Path):
    config = ReplayConfig(learners=("bandit", "random"), modes=(Mode.NONE, Mode.SHIELD), rounds=30, seeds=3, refit_every=1, buckets=3,
                          data_dir=str(tiny_data))
    return run_replay(config, run_dir=tmp_path / "run", experiment="test", cache_dir=tmp_path / "cache")


def test_no_agent_beats_the_oracle_and_shielded_agents_stay_under_the_best_allowed(replay) -> None:
    oracle, allowed = replay.nulls["oracle"].ctr, replay.nulls["oracle_allowed"].ctr
    for name, null in replay.nulls.items():
        assert np.all(null.ctr <= oracle + 1e-12), name
    for trace in replay.traces:
        assert np.all(trace.ctr <= oracle + 1e-12)
        if trace.mode is Mode.SHIELD:
            assert np.all(trace.ctr <= allowed + 1e-12)
            published = trace.published[trace.published != NOTHING]
            assert replay.facts.allowed[published].all()  # the shield publishes only what the governor allows
    random_none = next(t for t in replay.traces if t.learner == "random" and t.mode is Mode.NONE)
    assert random_none.ctr.mean() < oracle.mean()  # the null agent does not reach the oracle


def test_logged_ctr_is_what_every_cell_earned_and_week_order_holds(replay) -> None:
    archive = replay.archive
    ctr = np.nan_to_num(archive.ctr, nan=0.0)
    for trace in replay.traces:
        assert np.all(np.diff(archive.week[trace.tests], axis=1) >= 0)
        for s, t in zip(*np.nonzero(trace.published != NOTHING), strict=True):
            column = np.flatnonzero(archive.candidates[trace.tests[s, t]] == trace.published[s, t])
            assert len(column) == 1 and trace.ctr[s, t] == ctr[trace.tests[s, t], column[0]]


def test_summaries_report_coverage_bounds_and_the_price_of_governance(replay) -> None:
    item3 = summarize_replay(replay)
    q2 = summarize_persistence(replay)
    assert 0.0 <= item3["price_of_governance"]["mean"] <= 1.0
    shield = q2["results"]["bandit"]["shield"]
    assert [c["mean"] for c in shield["coverage"]] == [1.0, 1.0, 1.0]  # every published headline has its audit record
    assert q2["results"]["bandit"]["none"]["coverage"] == []
    assert all(0.0 <= b["upper95"] <= 1.0 for b in shield["leak"])
    assert len(q2["buckets"]) == 3 and q2["buckets"][0]["weeks"][0] == 201402
    assert (replay.run_dir / "manifest.json").is_file() and (replay.run_dir / "results.parquet").is_file()
    manifest = json.loads((replay.run_dir / "manifest.json").read_text())
    assert manifest["provenance"]["code_digest"] and manifest["provenance"]["data_digest"]


def _cli(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """The real CLI entry (`run_cli`, where errors become exit codes), in this process."""
    import sys

    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    monkeypatch.setattr(sys, "argv", ["tractatus", "lab", *args])
    code = run_cli(app)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_refuses_a_bad_mode_in_one_line(tiny_data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    code, _, err = _cli(["persistence-headlines", "--mode", "penalty", "--data-dir", str(tiny_data), "--out", str(tmp_path)], monkeypatch, capsys)
    assert code == 2
    assert "--mode" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_demo2_env_upworthy_runs_on_the_tiny_archive(tiny_data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    code, out, err = _cli(["demo2", "--env", "upworthy", "--json", "--seeds", "2", "--learner", "random", "--data-dir", str(tiny_data),
                           "--out", str(tmp_path)], monkeypatch, capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["archive"]["tests"] == 4 and summary["rounds"] == 4
    assert set(summary["results"]["random"]) == {"none", "shield"}
    assert PAD == NOTHING


def test_cli_persistence_headlines_writes_the_result_file(tiny_data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    target = tmp_path / "q2.json"
    code, out, err = _cli(["persistence-headlines", "--rounds", "20", "--seeds", "2", "--learner", "random", "--mode", "shield",
                           "--data-dir", str(tiny_data), "--out", str(tmp_path), "--result", str(target)], monkeypatch, capsys)
    assert code == 0, err
    written = json.loads(target.read_text())
    assert written["rounds"] == 20 and written["provenance"]["code_digest"]
    assert "Q2 on real headlines" in out


def test_report_section_is_rendered_from_the_result_files(replay, tmp_path: Path) -> None:
    from tractatus.lab.experiments.persistence_headlines import write_result
    from tractatus.lab.experiments.upworthy_replay import run_metadata
    from tractatus.lab.research_report_headlines import addendum

    docs = tmp_path / "docs"
    (docs / "research").mkdir(parents=True)
    assert "No results yet" in addendum("persistence", docs)
    q2 = {"experiment": "q2-headlines", **run_metadata(replay), **summarize_persistence(replay)}
    write_result(q2, docs / "results" / "q2-headlines.json")  # strict JSON: no NaN
    write_result({**run_metadata(replay), **summarize_replay(replay)}, docs / "results" / "replay-upworthy.json")
    text = addendum("persistence", docs)
    assert "Q2 on real headlines" in text and "Real data: not yet" not in text
    assert (docs / "research" / "q2-headlines.png").stat().st_size > 1000
    first_leak = q2["results"]["bandit"]["shield"]["leak"][0]
    assert f"(≤ {first_leak['upper95']:.1%})" in text
    assert "price of governance" in text.lower() and "independent clickbait judge" in text


def test_cli_refuses_options_that_do_not_apply_to_the_replay(tiny_data: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    for extra in (["--steps", "5"], ["--learner", "dqn"]):
        code, _, err = _cli(["demo2", "--env", "upworthy", *extra, "--data-dir", str(tiny_data), "--out", str(tmp_path)], monkeypatch, capsys)
        assert code == 2 and extra[0] in err and "Traceback" not in err
