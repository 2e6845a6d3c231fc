"""Governance modes with a real Governor and a real (SQLite) audit log.

The check is the ground-truth check of conftest.py, so these tests pin what each mode does with
what governance recognises; how much the real detectors recognise is tested in test_demo.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.audit import open_audit_log
from tractatus.governance.errors import ConfigError
from tractatus.governance.governor import Governor
from tractatus.lab.envs.engagement import EngagementEnv
from tractatus.lab.learners.bandit import ThompsonBandit
from tractatus.lab.modes import GovernedPlatform, Mode, ModeSettings
from tractatus.lab.results import ResultTable
from tractatus.lab.runner import CellSpec, LabRunner
from tractatus.lab.training import CellConfig


def _run(tmp_path, policy, registry, grammar, mode: Mode, *, learner="bandit", rounds=25, agents=4, steps=10, seed=0):
    audit = open_audit_log(tmp_path / f"{mode.value}-{learner}.db")
    try:
        runner = LabRunner(policy=policy, audit=audit, table=ResultTable(grammar.strategy_labels), grammar=grammar, registry=registry)
        spec = CellSpec("t", CellConfig(mode=mode, seed=seed, learner=learner, agents=agents, rounds=rounds, steps_per_round=steps))
        (outcome,) = runner.run([spec], [])
        return outcome, audit.count()
    finally:
        audit.close()


def _total(outcome, field: str) -> int:
    return int(sum(getattr(r, field).sum() for r in outcome.records))


@pytest.mark.parametrize("learner", ["bandit", "pg"])
def test_shield_never_executes_a_recognised_violation(tmp_path, ground_truth_policy, ground_truth_registry, grammar, learner) -> None:
    shield, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.SHIELD, learner=learner)
    none, audited = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.NONE, learner=learner)
    assert _total(shield, "attempted_violations") > 0  # it did try
    assert _total(shield, "executed_violations") == 0
    assert _total(shield, "intercepted_violations") == _total(shield, "attempted_violations")
    assert _total(shield, "fallbacks") == _total(shield, "intercepted")  # the fallback is always allowed here
    assert _total(none, "executed_violations") > 0 and audited == 0


def test_ungoverned_prefers_clickbait_while_shielded_learns_informative(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    none, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.NONE, rounds=30)
    shield, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.SHIELD, rounds=30)
    final_none = none.records[-1].strategy_counts.sum(axis=0)
    final_shield = shield.records[-1].strategy_counts.sum(axis=0)
    labels = grammar.strategy_labels
    assert labels[int(np.argmax(final_none))] == "clickbait"
    assert labels[int(np.argmax(final_shield))] == "informative"


def test_penalty_mode_executes_violations_early_and_less_later(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    outcome, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.PENALTY, rounds=30)
    early = sum(int(r.executed_violations.sum()) for r in outcome.records[:3])
    late = sum(int(r.executed_violations.sum()) for r in outcome.records[-3:])
    assert early > 0
    assert late < early
    assert _total(outcome, "intercepted") == 0  # nothing is blocked in penalty mode
    assert _total(outcome, "flagged") == _total(outcome, "attempted_violations")


def test_lagrangian_mode_publishes_everything_and_lambda_rises(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    outcome, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.LAGRANGIAN, rounds=20)
    assert _total(outcome, "intercepted") == 0
    assert _total(outcome, "executed_violations") == _total(outcome, "attempted_violations") > 0
    assert outcome.records[-1].lagrange_lambda.max() > 0


def test_preemptive_mode_only_attempts_allowed_articles(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    outcome, _ = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.PREEMPTIVE, rounds=8, learner="pg")
    assert _total(outcome, "attempted_violations") == 0
    assert _total(outcome, "executed_violations") == 0
    assert _total(outcome, "published") == 8 * 4 * 10


@pytest.mark.parametrize("mode", [Mode.SHIELD, Mode.PREEMPTIVE, Mode.PENALTY, Mode.LAGRANGIAN])
def test_coverage_is_measured_and_complete_for_governed_modes(tmp_path, ground_truth_policy, ground_truth_registry, grammar, mode) -> None:
    outcome, audited = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, mode, rounds=6)
    assert outcome.coverage == 1.0
    assert audited >= outcome.received > 0


def test_ungoverned_coverage_is_zero(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    outcome, audited = _run(tmp_path, ground_truth_policy, ground_truth_registry, grammar, Mode.NONE, rounds=3)
    assert outcome.coverage == 0.0 and audited == 0


def test_coverage_drops_when_audit_records_are_missing(tmp_path, ground_truth_policy, ground_truth_registry, grammar) -> None:
    from sqlalchemy import delete

    from tractatus.governance.audit import audit_entries
    from tractatus.lab.coverage import measured_coverage

    audit = open_audit_log(tmp_path / "gap.db")
    try:
        runner = LabRunner(policy=ground_truth_policy, audit=audit, table=ResultTable(grammar.strategy_labels), grammar=grammar, registry=ground_truth_registry)
        spec = CellSpec("t", CellConfig(mode=Mode.SHIELD, seed=0, agents=2, rounds=3, steps_per_round=5))
        (outcome,) = runner.run([spec], [])
        seqs = np.concatenate([r.audit_seq for r in outcome.records])
        digests = np.concatenate([r.audit_digest for r in outcome.records])
        with audit.engine.begin() as conn:
            conn.execute(delete(audit_entries).where(audit_entries.c.seq == int(seqs[0])))
        assert measured_coverage(audit, seqs, digests, outcome.received) == pytest.approx(1 - 1 / outcome.received)
        assert math.isnan(measured_coverage(audit, seqs[:0], digests[:0], 0))
    finally:
        audit.close()


def test_shield_credits_the_attempt_with_the_penalty(ground_truth_policy, ground_truth_registry, grammar) -> None:
    env = EngagementEnv(2)
    env.reset(seed=0)
    settings = ModeSettings(shield_penalty=-0.25)
    with Governor(ground_truth_policy, registry=ground_truth_registry) as governor:
        platform = GovernedPlatform(env, Mode.SHIELD, governor, settings, agent_prefix="t", slots=2)
        learner = ThompsonBandit(grammar, 1, slots=2)
        learner.counts[:] = 5  # every arm tried; make it pick clickbait first (highest mean)
        learner.sums[:] = 0.0
        learner.sums[0, grammar.strategy_names.index("clickbait")] = 50.0
        out = platform.step(learner, np.random.default_rng(0))
        fallback = grammar.fallback
        for row in range(2):
            assert out.intercepted[row]
            assert out.published[row].tolist() == fallback.tolist()
            assert out.learner_reward[row] == -0.25
            assert out.env.reward[row] > 0  # the fallback earned engagement for the platform
        # The learner was updated with the attempted (clickbait) strategy, not the fallback.
        assert learner.counts[0, grammar.strategy_names.index("clickbait")] == 7
        assert learner.counts[0, grammar.strategy_names.index("informative")] == 5
        decided = governor.evaluate(Action(kind="publish", text=grammar.render(0, out.attempted[0])))
        assert decided.verdict == Verdict.BLOCK


def test_governed_mode_without_governor_is_refused(grammar) -> None:
    env = EngagementEnv(1)
    with pytest.raises(ConfigError, match="needs a governor"):
        GovernedPlatform(env, Mode.SHIELD, None, ModeSettings(), agent_prefix="t")
    with pytest.raises(ConfigError, match="unknown mode"):
        Mode.parse("sandbox")
