"""The research experiments' invariants, on tiny cells (fast) and on each --quick configuration (slow).

What governance guarantees is pinned apart from how well the detectors recognise violations:
- coverage is 1.0 in every governed run (measured from the audit log);
- nothing the governor refused is published: every executed violation under the shield is one
  the governor allowed (a detector miss, reported by the experiments, never a bypass);
- the constrained optimum bounds governed reward from above within noise when the governor
  recognises every violation the learner can make (gap, bandit learner);
- centralized governance never lets two identical articles into one feed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tractatus.governance.actions import Verdict
from tractatus.lab.backends import Cell
from tractatus.lab.envs.multiagent import FeedRules, MultiAgentFeedEnv
from tractatus.lab.experiments import adversarial, gap, multiagent, persistence, scale
from tractatus.lab.experiments.grid import ExperimentOptions, moving_average, policy_path


def test_gap_cell_shield_has_full_coverage_and_executes_no_refused_article() -> None:
    config = gap.GapConfig(agents=2, rounds=20, steps=2, seeds=1)
    cells = [c for c in gap.cells(config, policy_path(None)) if c.params["setting"] == "main"]
    results = {c.params["mode"]: gap.run_cell(c) for c in cells if c.params["mode"] in ("none", "shield", "penalty")}
    assert results["shield"]["coverage"] == 1.0
    assert results["penalty"]["coverage"] == 1.0
    assert results["none"]["coverage"] == 0.0  # ungoverned: no audit record at all
    shield = results["shield"]["series"]
    # the shield intercepts what it flags: flagged attempts are never the published article
    assert sum(shield["intercepted"]) == sum(shield["flagged"]) > 0
    assert sum(shield["executed_violations"]) < sum(results["none"]["series"]["executed_violations"])
    assert results["shield"]["constrained_optimum"] < results["shield"]["unconstrained_optimum"]


def test_adversarial_cell_evasions_are_articles_the_governor_allowed() -> None:
    config = adversarial.AdversarialConfig(agents=4, rounds=12, steps=4, seeds=1, buckets=2)
    cell = next(c for c in adversarial.cells(config, policy_path(None)) if c.params["mode"] == "shield")
    result = adversarial.run_cell(cell)
    assert result["coverage"] == 1.0
    executed, attempts = np.array(result["executed"]), np.array(result["attempts"])
    assert (executed <= attempts).all()
    assert sum(map(sum, result["chosen"])) == 4 * 4 * 12  # every article slot counted once
    assert all(e["verdict"] <= Verdict.WARN for e in result["examples"])  # evasions were allowed, not bypassed


def test_persistence_cell_counts_and_coverage_per_bucket() -> None:
    config = persistence.PersistenceConfig.from_options(ExperimentOptions(rounds=200, agents=1, seeds=1))
    policy = policy_path(None, default=persistence.POLICY)
    cell = next(c for c in persistence.cells(config, policy) if c.params["mode"] == "shield")
    cell = Cell(cell.config, cell.seed, {**cell.params, "checkpoints": 2, "eval_steps": 5})
    result = persistence.run_cell(cell)
    assert len(result["attempts_per_1000"]) == 20 and result["coverage"] == [1.0] * 20
    assert all(e <= a for e, a in zip(result["executed_per_1000"], result["attempts_per_1000"], strict=True))
    assert result["actions"] == 200 and 0 <= result["longest_attempt_run"] <= 200
    assert next(e["round"] for e in result["shield_off"]) == 1 and len(result["shield_off"]) == 3


def test_longest_run_of_attempts() -> None:
    flags = np.array([[1, 0], [1, 1], [0, 1], [1, 1], [1, 1]], dtype=bool)
    assert persistence._longest_run(flags) == 4  # second agent: rounds 2-5
    assert persistence._longest_run(np.zeros((4, 2), dtype=bool)) == 0


def test_moving_average_starts_with_the_running_mean() -> None:
    assert moving_average([1, 3, 5, 7], 2).tolist() == [1.0, 2.0, 4.0, 6.0]


def test_multiagent_feed_zeroes_duplicate_copies_and_reports_joint_constraints() -> None:
    env = MultiAgentFeedEnv(3, rules=FeedRules(coordination_weight=0.0))
    env.reset(seed=1)
    env._topics[:] = 0  # all three write on the same topic
    g = env.grammar
    same = g.choice({"hook": "none", "claim": "accurate", "source": "cited", "tone": "emotional", "personal": "omit"})
    other = g.choice({"hook": "none", "claim": "accurate", "source": "cited", "tone": "neutral", "personal": "include"})
    result = env.step(np.stack([same, same, other]))
    joint = result.info["joint"]
    assert result.info["duplicate"].tolist() == [False, True, False]
    assert result.reward[1] == 0.0
    assert joint["duplicates"] == 1 and joint["pii_items"] == 1 and joint["pii_over_budget"] == 0
    assert joint["sensational_share"] == pytest.approx(2 / 3) and joint["sensational_excess"]


def test_multiagent_policy_variants_differ_only_in_scope_and_budget() -> None:
    policy = policy_path(None, default=multiagent.POLICY)
    rules = FeedRules()
    central = multiagent.variant_policy(policy, "centralized", 20, rules).check_settings("quota")
    factored = multiagent.variant_policy(policy, "factored", 20, rules).check_settings("quota")
    assert {q.scope for q in central.quotas} == {"global"} and {q.scope for q in factored.quotas} == {"agent"}
    pii_central = next(q for q in central.quotas if q.id == "pii_exposure")
    pii_factored = next(q for q in factored.quotas if q.id == "pii_exposure")
    assert pii_central.limit == rules.pii_budget(20) == 2 and pii_factored.limit == 0  # 2 // 20


def test_multiagent_centralized_cell_never_publishes_duplicates() -> None:
    config = multiagent.MultiAgentConfig(scales=(6,), rounds=16, seeds=1)
    cells = multiagent.cells(config, policy_path(None, default=multiagent.POLICY))
    results = {c.params["variant"]: multiagent.run_cell(c) for c in cells}
    assert results["centralized"]["duplicates_per_feed"] == 0.0
    assert results["centralized"]["pii_over_budget_per_feed"] == 0.0
    assert results["none"]["block_rate"] == 0.0 and results["centralized"]["block_rate"] > 0
    assert 0 < results["centralized"]["block_fairness_jain"] <= 1
    assert multiagent.jain(np.array([1.0, 1.0])) == 1.0 and multiagent.jain(np.array([1.0, 0.0])) == 0.5


def test_scale_cell_measures_both_runs() -> None:
    cell = scale.cells(scale.ScaleConfig(scales=(3,), rounds=3, steps=1, seeds=1), policy_path(None))[0]
    result = scale.run_cell(cell)
    assert result["shield"]["coverage"] == 1.0 and result["none"]["coverage"] == 0.0
    assert result["shield"]["decisions"] >= result["shield"]["actions"] == 9
    assert result["shield"]["audit_bytes"] > 0 and result["none"]["audit_bytes"] == 0


# -- each --quick configuration, end to end (minutes on 2 cores: slow) ------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("module", [scale, persistence, adversarial, gap, multiagent], ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_quick_configuration_runs_and_holds_its_invariants(module: object, tmp_path: Path) -> None:
    summary = module.run(ExperimentOptions(quick=True, out=tmp_path))  # type: ignore[attr-defined]
    assert Path(summary["run_dir"], "summary.json").is_file() and Path(summary["run_dir"], "manifest.json").is_file()
    name = summary["experiment"]
    if name == "scale":
        assert all(row["coverage"]["mean"] == 1.0 for row in summary["scales"])
    elif name == "persistence":
        for mode in ("shield", "preemptive"):
            assert all(c["mean"] == 1.0 for c in summary["modes"][mode]["coverage"])
    elif name == "adversarial":
        assert summary["modes"]["shield"]["coverage"]["mean"] == 1.0
        assert summary["modes"]["none"]["asr_overall"]["mean"] == 1.0
    elif name == "gap":
        for mode in ("shield", "penalty", "lagrangian"):
            assert summary["modes"][mode]["coverage"]["mean"] == 1.0
        excess = summary["governed_minus_constrained_optimum"]
        # the constrained optimum bounds governed reward from above, within noise (3 CI half-widths + 2%)
        assert excess["mean"] <= 3 * (excess["ci95"] or 0) + 0.02 * summary["constrained_optimum"]["mean"]
    elif name == "multiagent":
        for row in summary["scales"]:
            assert row["centralized"]["duplicates_per_feed"]["mean"] == 0.0
    # resumable: the same configuration again reads every cell back
    again = module.run(ExperimentOptions(quick=True, out=tmp_path))  # type: ignore[attr-defined]
    assert again["run_dir"] == summary["run_dir"]
