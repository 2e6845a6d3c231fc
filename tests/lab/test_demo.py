"""Demo 2 end to end in process, with the real lab policy, detectors, services and audit log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tractatus.governance.audit import open_audit_log
from tractatus.lab.experiments.demo import Demo2Config, SettingConfig, run_local
from tractatus.lab.modes import Mode
from tractatus.lab.report import render_report
from tractatus.lab.results import AUDIT_FILE, MANIFEST_FILE, RESULTS_FILE, read_manifest, read_results

SMALL = SettingConfig(name="small", agents=2, rounds=4, steps_per_round=10, seeds=2)


def _config(*modes: Mode) -> Demo2Config:
    return Demo2Config(modes=modes or (Mode.NONE, Mode.SHIELD), settings=(SMALL,))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("demo2")
    summary, outcomes = run_local(_config(), experiment="demo2", run_dir=run_dir)
    return run_dir, summary, outcomes


def test_summary_has_every_contract_field(demo_run) -> None:
    _, summary, _ = demo_run
    data = summary.to_json()
    for mode in ("ungoverned", "governed"):
        for field in ("engagement", "coverage", "executed_violations", "attempted_violations", "strategy", "stability"):
            assert field in data[mode], (mode, field)
    assert data["governed"]["coverage"] == 1.0
    assert data["ungoverned"]["coverage"] == 0.0
    assert set(data["settings"][0]["gaps"]) == {"governed_vs_ungoverned", "governed_vs_constrained_optimum"}


def test_governed_run_is_audited_and_publishes_only_allowed_articles(demo_run) -> None:
    run_dir, _summary, outcomes = demo_run
    governed = [o for o in outcomes if o.spec.config.mode is Mode.SHIELD]
    ungoverned = [o for o in outcomes if o.spec.config.mode is Mode.NONE]
    for outcome in governed:
        assert outcome.coverage == 1.0
        # Every violation that was executed was an article the governor allowed, i.e. a miss
        # of detection, never a leak of the shield: intercepted + executed = attempted.
        attempted = sum(int(r.attempted_violations.sum()) for r in outcome.records)
        executed = sum(int(r.executed_violations.sum()) for r in outcome.records)
        intercepted = sum(int(r.intercepted_violations.sum()) for r in outcome.records)
        assert intercepted + executed == attempted
    governed_executed = sum(int(r.executed_violations.sum()) for o in governed for r in o.records)
    ungoverned_executed = sum(int(r.executed_violations.sum()) for o in ungoverned for r in o.records)
    assert governed_executed < ungoverned_executed
    with open_audit_log(run_dir / AUDIT_FILE) as audit:
        assert audit.verify().ok
        stats = audit.stats()
    assert stats.by_kind.get("deliberation") == 1
    assert sum(n for agent, n in stats.by_agent.items() if agent.startswith("small/shield/")) >= sum(o.received for o in governed)


def test_tractatus_flow_runs_before_training(demo_run) -> None:
    _, summary, _ = demo_run
    flow = summary.flow
    assert flow is not None
    services = [step["service"] for step in flow.steps]
    assert services[:2] == ["boundary_enforcer", "pluralistic_deliberation_orchestrator"]
    assert flow.steps[0]["verdict"] == "escalate"  # the task is a values decision
    assert flow.steps[1]["outcome"] == "approved_with_constraints"
    assert {i["persistence"] for i in flow.instructions} == {"HIGH"}
    checks = {t.check: t for t in flow.checks}
    assert {"clickbait", "pii", "boundary_enforcer", "cross_reference_validator"} <= set(checks)
    for tally in checks.values():
        assert sum(tally.verdicts.values()) == tally.decisions > 0


def test_results_are_tidy_and_the_manifest_names_the_policy(demo_run) -> None:
    run_dir, _, _ = demo_run
    table = read_results(run_dir)
    assert table.num_rows == 2 * 2 * 4 * 2  # modes x seeds x rounds x agents
    assert {"setting", "mode", "seed", "round", "agent", "engagement", "executed_violations"} <= set(table.column_names)
    manifest = read_manifest(run_dir)
    assert manifest.status == "complete"
    assert manifest.policy_name == "lab-engagement" and len(manifest.policy_digest or "") == 64
    assert manifest.seeds == [0, 1]
    assert "numpy" in manifest.package_versions and manifest.git_commit


def test_same_seed_and_config_give_identical_result_files(demo_run, tmp_path) -> None:
    run_dir, _, _ = demo_run
    _again, _ = run_local(_config(), experiment="demo2", run_dir=tmp_path)
    for name in (RESULTS_FILE, MANIFEST_FILE):
        assert (tmp_path / name).read_bytes() == (run_dir / name).read_bytes(), name
    other = _config().model_copy(update={"settings": (SMALL.model_copy(update={"first_seed": 5}),)})
    run_local(other, experiment="demo2", run_dir=tmp_path / "other")
    assert (tmp_path / "other" / RESULTS_FILE).read_bytes() != (run_dir / RESULTS_FILE).read_bytes()


def test_report_renders_html_and_plots(demo_run) -> None:
    run_dir, _, _ = demo_run
    result = render_report(run_dir)
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert len(result["plots"]) == 3
    for plot in result["plots"]:
        data = Path(plot).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
        assert f"plots/{plot.rsplit('/', 1)[-1]}" in html
    assert "governed" in html and "lab-engagement" in html
    json.loads((run_dir / "summary.json").read_text())
