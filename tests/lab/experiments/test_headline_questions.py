"""Q3 and Q5 on headlines (lab/experiments/headlines_adversarial.py, headlines_feed.py): each can come out either way.

A handmade pool (no dataset rows) makes the outcome knowable: blatant clickbait the governor blocks,
quiet clickbait it allows, and plain news.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tractatus.lab.experiments.headlines_adversarial import (
    AdversarialHeadlinesConfig,
    record,
    run_adversarial_headlines,
)
from tractatus.lab.experiments.headlines_feed import FeedConfig, run_feed_experiment, window_violations
from tractatus.lab.headline_rewrites import HELD_OUT, OPERATORS, SEEN, family_of
from tractatus.lab.modes import Mode

WHO = ("Dog", "Cat", "Baby", "Chef", "Teacher", "Pilot", "Farmer", "Nurse", "Singer", "Doctor")
BLATANT = [f"You Won't Believe What This {w} Did Next!!!" for w in WHO]
QUIET = [f"This {w} Has A Very Good Day" for w in WHO[:5]]
# Labelled clickbait but written as plain news, so any governor allows them: the null adversary's base rate
# then depends on the labels, not on how a detector reads "This Dog Has A Very Good Day".
NEWSLIKE_BAIT = [f"{w} union agrees new pay deal with regional board" for w in WHO[:5]]
NEWS = [f"{c} council approves budget for new {t}" for c, t in zip(
    ("Leeds", "Oslo", "Lima", "Perth", "Quito", "Turin", "Graz", "Cork", "Bonn", "Nice"),
    ("bridge", "school", "library", "road", "hospital", "park", "station", "museum", "port", "tunnel"), strict=True)]


def _pool(tmp_path: Path, bait: list[str]) -> str:
    path = tmp_path / "pool.jsonl"
    lines = [json.dumps({"text": t, "label": "clickbait"}) for t in bait] + [json.dumps({"text": t, "label": "news"}) for t in NEWS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_every_operator_but_identity_changes_a_headline_and_families_are_disjoint() -> None:
    assert not set(SEEN) & set(HELD_OUT)
    text = "You Won't Believe These 10 Amazing Things People Need To Know!"
    for name, rewrite in OPERATORS.items():
        out = rewrite(text, np.random.default_rng(0))
        assert (out == text) == (name == "identity"), name
        assert out == rewrite(text, np.random.default_rng(0))  # deterministic given the RNG
    assert {family_of(n) for n in HELD_OUT} == {"held_out"}


@pytest.mark.slow
def test_q3_ungoverned_attacks_always_succeed_and_the_null_adversary_gets_the_base_rate(tmp_path: Path) -> None:
    pool = _pool(tmp_path, BLATANT + NEWSLIKE_BAIT)
    # A governor with a blind spot to find: the lab policy without its learned headline model (the
    # structural rules alone), so the test shows the learner can beat the null when there is one.
    weak = tmp_path / "rules-only.yaml"
    lab = Path(__file__).resolve().parents[3] / "policies" / "lab-engagement.yaml"
    weak.write_text(f"name: rules-only\nextends: {lab}\nchecks:\n  clickbait:\n    settings:\n      learned:\n        kinds: [message]\n",
                    encoding="utf-8")
    config = AdversarialHeadlinesConfig(rounds=20, attempts=20, sources=15, seeds=2, buckets=2, pool=pool,
                                        policy=str(weak))
    summary = run_adversarial_headlines(config, run_dir=tmp_path / "run")
    none, shield = summary["results"][Mode.NONE.value], summary["results"][Mode.SHIELD.value]
    assert none["learned"]["pooled"]["asr"] == 1.0
    # The governor allows the 5 quiet of the 15 sources: the null adversary's ASR is that base rate.
    assert shield["null"]["pooled"]["asr"] == pytest.approx(5 / 15, abs=0.08)
    assert shield["null"]["by_family"]["seen"]["attempts"] == 0
    # The learner finds rewrites that get through, so it beats submitting the sources unchanged.
    assert shield["learned"]["asr"]["mean"] > shield["null"]["asr"]["mean"] + 0.2
    assert summary["governor"]["commit"]


def test_q3_a_governor_that_catches_everything_gets_zero_with_a_rule_of_three_bound(tmp_path: Path) -> None:
    config = AdversarialHeadlinesConfig(rounds=5, attempts=20, sources=10, seeds=2, buckets=1, adversaries=("null",),
                                        modes=(Mode.SHIELD,), pool=_pool(tmp_path, BLATANT))
    result = run_adversarial_headlines(config, run_dir=tmp_path / "run")["results"]["shield"]["null"]["pooled"]
    assert result["successes"] == 0 and result["attempts"] == 200
    assert result["rule_of_three"] == pytest.approx(3 / 200)
    assert 0 < result["upper95"] < 0.02


def test_record_keeps_one_summary_per_commit(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    for commit, dirty in (("a" * 40, False), ("b" * 40, True), ("a" * 40, False)):
        record({"experiment": "q3-headlines", "governor": {"commit": commit, "dirty": dirty}}, path)
    history = json.loads(path.read_text(encoding="utf-8"))
    assert history["order"] == ["b" * 12 + "-dirty", "a" * 12]


def test_window_violations_counts_tumbling_windows_over_the_limit() -> None:
    marks = np.array([1, 1, 0, 0, 0, 0, 1, 0, 0])  # windows of 3: 2/3, 0/3, 1/3; the rest is incomplete
    assert window_violations(marks, 3, 0.3) == (2, 3)
    assert window_violations(marks, 3, 0.7) == (0, 3)


@pytest.mark.slow
def test_q5_ungoverned_feed_breaks_the_joint_limit_and_centralized_governance_holds_it(tmp_path: Path) -> None:
    # One candidate per offer: the feed is a random half-clickbait stream whatever the CTRs say.
    config = FeedConfig(agents=10, rounds=40, candidates=1, seeds=2, limits=(0.3,), pool=_pool(tmp_path, BLATANT))
    summary = run_feed_experiment(config, run_dir=tmp_path / "run")
    results = summary["results"]["0.3"]
    assert summary["pool"]["detector_recall_on_clickbait"] == 1.0
    assert results["none"]["joint_violation_rate_flagged"]["mean"] > 0.5
    assert results["centralized"]["joint_violation_rate_flagged"]["mean"] == 0.0
    assert results["centralized"]["joint_violation_flagged_upper95"] < 0.2
    # Every flagged headline is labelled clickbait here, so the labels agree with the flags.
    assert results["centralized"]["joint_violation_rate"]["mean"] == 0.0
    assert results["none"]["clickbait_share"]["mean"] > 0.3


def _q5_summary(commit: str, over: float) -> dict:
    n = {"mean": over, "ci95": 0.01, "per_seed": [over]}
    cell = {"joint_violation_rate": n, "joint_violation_upper95": 0.5, "joint_violation_rate_flagged": n,
            "joint_violation_flagged_upper95": 0.5, "clickbait_share": n, "flagged_share": n, "engagement": n}
    return {"experiment": "q5-headlines", "governor": {"commit": commit, "dirty": False},
            "config": {"agents": 10, "rounds": 5, "feed_window": 20, "seeds": 1},
            "pool": {"detector_recall_on_clickbait": 0.5, "clickbait_share": 0.5},
            "results": {"0.3": {"none": cell, "centralized": cell}}}


def test_report_shows_every_measured_commit_in_order_and_says_what_has_no_results_yet(tmp_path: Path) -> None:
    from tractatus.lab.research_report_headlines import addendum

    assert "No results yet" in addendum("adversarial", tmp_path)
    assert "No results yet: run `tractatus lab persistence-headlines`" in addendum("persistence", tmp_path)
    assert "No results yet: run `tractatus lab scale-headlines`" in addendum("scale", tmp_path)  # Q1 has its own headline section
    history = tmp_path / "results" / "q5-headlines.json"
    record(_q5_summary("1" * 40, 0.25), history)
    record(_q5_summary("2" * 40, 0.75), history)
    text = addendum("multiagent", tmp_path)
    assert text.index("1" * 12) < text.index("2" * 12)
    assert "0.250 ± 0.010" in text and "0.750 ± 0.010" in text
