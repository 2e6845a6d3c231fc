"""The headline environment under governance, on a handmade pool and on the real lab_pool split."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tractatus.governance.audit import DECISION_KIND, audit_entries, open_audit_log
from tractatus.governance.governor import Governor
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.lab.envs.headlines import NOTHING, HeadlineEnv, HeadlineSettings, HeadlineWorld
from tractatus.lab.experiments.demo import SettingConfig
from tractatus.lab.experiments.headlines import HeadlineDemoConfig, run_headlines, upper95
from tractatus.lab.headline_platform import HeadlinePlatform
from tractatus.lab.learners.headline_learners import LinearThompson, RandomChooser, SoftmaxPolicyGradient
from tractatus.lab.learners.text_features import hashed_bag_of_words
from tractatus.lab.modes import Mode, ModeSettings
from tractatus.lab.world.engagement import EngagementModel
from tractatus.lab.world.pool import Headline, read_pool_file

HANDMADE = Path(__file__).parent / "data" / "handmade_pool.jsonl"
CONTACT_DETAILS = ("@", "555-")  # the handmade clickbait headlines the PII check must always refuse


@pytest.fixture(scope="module")
def policy():
    return load_policy(bundled_policy_path("lab-engagement"))


def _platform(pool: list[Headline], policy, mode: Mode, audit, *, slots: int = 8, k: int = 10, attempts: int = 3):
    world = HeadlineWorld(pool, EngagementModel.load_default())
    env = HeadlineEnv(slots, world, HeadlineSettings(candidates=k, max_attempts=attempts, readers=1000, feature_buckets=32))
    env.reset(seed=3)
    governor = Governor(policy, audit=audit) if mode.governed else None
    features = hashed_bag_of_words(world.texts, 32)
    return HeadlinePlatform(env, features, mode, governor, ModeSettings(), agents=1, agent_prefix="t"), governor


def test_the_shield_never_publishes_what_it_refuses_and_audits_every_attempt(tmp_path: Path, policy) -> None:
    pool = read_pool_file(HANDMADE)
    audit = open_audit_log(tmp_path / "audit.db")
    platform, governor = _platform(pool, policy, Mode.SHIELD, audit)
    rng = np.random.default_rng(0)
    learner = RandomChooser(1, 33)
    attempts = intercepted = 0
    for _ in range(20):
        step = platform.step(learner, rng)
        texts = [pool[i].text for i in step.published if i != NOTHING]
        assert not any(marker in t for t in texts for marker in CONTACT_DETAILS)
        assert np.all(step.audit_seq[step.published != NOTHING] >= 0)
        attempts += int(step.attempts.sum())
        intercepted += int(step.intercepted.sum())
    governor.close()
    with audit.engine.connect() as conn:
        decisions = conn.execute(audit_entries.select().where(audit_entries.c.kind == DECISION_KIND)).fetchall()
    audit.close()
    assert len(decisions) == attempts  # every proposal, refused or not, is in the audit log
    assert intercepted > 0


def test_no_free_fallback_when_nothing_is_allowed(tmp_path: Path, policy) -> None:
    blocked_only = [h for h in read_pool_file(HANDMADE) if any(m in h.text for m in CONTACT_DETAILS)]
    audit = open_audit_log(tmp_path / "audit.db")
    platform, governor = _platform(blocked_only, policy, Mode.SHIELD, audit, k=5, attempts=2)
    step = platform.step(LinearThompson(1, 33), np.random.default_rng(1))
    governor.close()
    audit.close()
    assert np.all(step.published == NOTHING)
    assert np.all(step.env.reward == 0.0) and np.all(step.env.cost == 0.0)
    assert np.all(step.attempts == 2) and np.all(step.intercepted == 2)  # proposed again, up to the limit


def test_preemptive_mode_chooses_only_allowed_candidates(tmp_path: Path, policy) -> None:
    pool = read_pool_file(HANDMADE)
    audit = open_audit_log(tmp_path / "audit.db")
    platform, governor = _platform(pool, policy, Mode.PREEMPTIVE, audit)
    for _ in range(5):
        step = platform.step(SoftmaxPolicyGradient(1, 33), np.random.default_rng(2))
        assert np.all(step.intercepted == 0)
        assert not any(m in pool[i].text for i in step.first_proposal if i != NOTHING for m in CONTACT_DETAILS)
    governor.close()
    audit.close()


def test_ungoverned_publishes_every_proposal(policy) -> None:
    pool = read_pool_file(HANDMADE)
    platform, _ = _platform(pool, policy, Mode.NONE, None)
    step = platform.step(RandomChooser(1, 33), np.random.default_rng(4))
    assert np.all(step.published == step.first_proposal) and np.all(step.attempts == 1)
    assert np.array_equal(step.env.cost.astype(bool), np.array([pool[i].clickbait for i in step.published]))


def _handmade_config(modes: tuple[Mode, ...], learner: str = "linear-ts", *, rounds: int = 6, steps: int = 5, seeds: int = 3) -> HeadlineDemoConfig:
    main = SettingConfig(name="default", agents=1, rounds=rounds, steps_per_round=steps, seeds=seeds)
    return HeadlineDemoConfig(modes=modes, learner=learner, settings=(main,), pool=str(HANDMADE), flow=False)


def test_pool_file_run_gives_the_expected_counts(tmp_path: Path) -> None:
    summary = run_headlines(_handmade_config((Mode.NONE, Mode.SHIELD)), experiment="demo2", run_dir=tmp_path)
    assert summary.pool_size == 20 and summary.pool_clickbait_share == 0.5
    assert summary.governor_on_pool.headlines_judged == 20
    assert summary.governor_on_pool.clickbait_blocked >= 0.5  # the five with contact details, at least
    assert summary.governor_on_pool.news_blocked == 0.0
    (setting,) = summary.settings
    ungoverned, governed = setting.modes["ungoverned"], setting.modes["governed"]
    assert ungoverned.nothing_published_rate == 0.0 and ungoverned.coverage == 0.0
    assert ungoverned.executed_violations == ungoverned.attempted_violations
    assert governed.coverage == 1.0
    assert governed.executed_violations == pytest.approx(governed.attempted_violations - governed.intercepted_violations)
    assert governed.intercepted_violations > 0
    payload = summary.to_json()
    for key in ("engagement", "coverage", "executed_violations", "attempted_violations", "strategy", "stability",
                "published_violation_rate", "base_leak", "amplification", "null_baselines"):
        assert key in payload["governed"], key
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"] == 2 * 3 * 6  # modes x seeds x rounds, one agent
    assert manifest["provenance"]["data_digest"] and manifest["provenance"]["code_digest"]


def test_a_null_agent_under_the_shield_cannot_reach_the_constrained_optimum(tmp_path: Path) -> None:
    config = _handmade_config((Mode.SHIELD,), learner="random", rounds=10, steps=40, seeds=5)
    summary = run_headlines(config, experiment="demo2", run_dir=tmp_path)
    governed = summary.settings[0].modes["governed"]
    detail = governed.detail["pct_of_constrained_optimum"]
    assert detail.mean + (detail.ci95 or 0.0) < 100.0
    baselines = governed.null_baselines
    assert baselines["random_shielded"].engagement.mean < baselines["oracle_constrained"].engagement.mean
    assert baselines["oracle_constrained"].published_violation_rate.mean == 0.0


@pytest.mark.slow
def test_a_null_agent_on_the_real_pool_stays_below_the_constrained_optimum(tmp_path: Path, data_dir: Path) -> None:
    # The leak is measured over the final window (3 rounds here, so the whole run) and the base leak
    # over the whole run: 10 seeds x 3 rounds x 200 slots, ~5,400 publications and ~400 leaks at a
    # ~7% leak, so the amplification's standard error is ~0.07 and the 0.3 band is ~4 of them. The
    # earlier 12 rounds x 20 slots measured only 3 rounds (~300 publications): a correct run fell
    # outside the band by chance (1.58 on seeds 0-4, 0.98 on seeds 40-59 of the same code).
    main = SettingConfig(name="default", agents=1, rounds=3, steps_per_round=200, seeds=10)
    config = HeadlineDemoConfig(modes=(Mode.SHIELD,), learner="random", settings=(main,), data_dir=str(data_dir), flow=False)
    governed = run_headlines(config, experiment="demo2", run_dir=tmp_path).settings[0].modes["governed"]
    detail = governed.detail["pct_of_constrained_optimum"]
    assert detail.mean + (detail.ci95 or 0.0) < 100.0
    assert abs(governed.amplification - 1.0) < 0.3  # a uniform proposer is its own base leak, up to noise


def test_upper_bound_is_the_rule_of_three_when_nothing_leaked() -> None:
    assert upper95(0, 1000) == pytest.approx(3 / 1000, rel=0.01)
    assert upper95(5, 5) == 1.0 and upper95(0, 0) == 1.0
    assert 0.5 < upper95(50, 100) < 0.6


def test_cli_demo2_with_a_pool_file(tmp_path: Path, monkeypatch, capsys) -> None:
    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["tractatus", "lab", "demo2", "--pool", str(HANDMADE), "--json", "--rounds", "3",
                                      "--seeds", "2", "--steps", "4", "--out", "runs"])
    code = run_cli(app)
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["env"] == "headlines" and data["pool_size"] == 20
    assert [s["name"] for s in data["settings"]] == ["seed", "default"]
    assert set(data["governed"]["null_baselines"]) >= {"oracle_constrained", "greedy_ctr", "random"}


def test_cli_gap_headlines_compares_learners_with_the_constrained_optimum(tmp_path: Path, monkeypatch, capsys) -> None:
    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["tractatus", "lab", "gap-headlines", "--pool", str(HANDMADE), "--json", "--rounds", "3",
                                      "--seeds", "2", "--out", "runs"])
    code = run_cli(app)
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert set(data["results"]) == {"bandit", "pg", "random"}
    assert set(data["results"]["random"]) == {"ungoverned", "governed", "lagrangian"}
    assert data["null_baselines"]["oracle_constrained"]["published_violation_rate"]["mean"] == 0.0
    assert len(data["results"]["bandit"]["governed"]["gap_curve"]) == 3


def test_lab_report_renders_a_headline_run(tmp_path: Path, monkeypatch, capsys) -> None:
    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    run_headlines(_handmade_config((Mode.NONE, Mode.SHIELD), rounds=3, steps=2, seeds=2), experiment="demo2", run_dir=tmp_path)
    monkeypatch.setattr(sys, "argv", ["tractatus", "lab", "report", str(tmp_path)])
    code = run_cli(app)
    _, err = capsys.readouterr()
    assert code == 0, err
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    plots = sorted(p.name for p in (tmp_path / "plots").glob("*.png"))
    assert any(name.endswith("-engagement.png") for name in plots) and any(name.endswith("-leak.png") for name in plots)
    assert all(f"plots/{name}" in page for name in plots)
