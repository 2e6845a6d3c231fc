"""Demo 2 on Agent Lightning's own runtime (controller, rollout manager, store), with run records."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from agl_world import world

from tractatus.governance.audit import open_audit_log
from tractatus.governance.errors import ConfigError
from tractatus.governance.policy import bundled_policy_path
from tractatus.integrations.agentlightning.backend import run_demo2
from tractatus.lab.experiments.demo import Demo2Config, SettingConfig
from tractatus.lab.modes import Mode

pytestmark = pytest.mark.e2e

TINY = SettingConfig(name="tiny", agents=1, rounds=2, steps_per_round=4, seeds=1)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("runs")
    return run_demo2(Demo2Config(settings=(TINY,)), quick=False, out=out, world=world())


def test_governed_rollouts_are_all_audited_and_nothing_bypasses_governance(tiny) -> None:
    modes = tiny.to_json()
    ungoverned, governed = modes["ungoverned"], modes["governed"]
    assert tiny.backend == "agentlightning"
    assert governed["coverage"] == 1.0 and ungoverned["coverage"] == 0.0
    assert ungoverned["intercepted_violations"] == 0
    # What governance stopped never reached the environment: executed = attempted - intercepted.
    assert governed["executed_violations"] == governed["attempted_violations"] - governed["intercepted_violations"]
    assert tiny.settings[0].modes["governed"].rounds_finished == TINY.rounds
    # The lab's headline measures, with the null baselines computed on the same candidates.
    assert {"published_violation_rate", "base_leak", "amplification", "null_baselines"} <= set(governed)
    assert {"random_shielded", "oracle_constrained"} <= set(governed["null_baselines"])


def test_every_run_writes_its_record_and_keeps_its_audit_log(tiny) -> None:
    run_dir = Path(tiny.run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    agl = manifest["config"]["agentlightning"]
    assert agl["version"] == "1.0.2" and agl["model_url"] == "stub" and agl["model_name"].startswith("tractatus-stub")
    assert len(agl["judge_sha256"]) == 64 and len(manifest["policy_digest"]) == 64
    assert manifest["status"] == "complete" and manifest["package_versions"]["agentlightning"] == "1.0.2"
    table = pq.read_table(run_dir / "results.parquet").to_pylist()
    assert len(table) == 2 * TINY.rounds  # one row per mode, round and agent
    assert {row["mode"] for row in table} == {"none", "shield"} and "proposal_value" in table[0]
    assert sum(row["published"] for row in table if row["mode"] == "none") == TINY.rounds * TINY.steps_per_round
    audit = open_audit_log(run_dir / "audit.db")
    try:
        decisions = [e for e in audit.tail(1000) if e.kind == "decision"]
        assert len(decisions) >= TINY.rounds * TINY.steps_per_round  # every governed model call, kept
        assert audit.verify().ok
    finally:
        audit.close()


def test_other_modes_and_learners_are_refused_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--mode penalty"):
        run_demo2(Demo2Config(modes=(Mode.NONE, Mode.PENALTY), settings=(TINY,)), out=tmp_path, world=world())
    with pytest.raises(ConfigError, match="--learner"):
        run_demo2(Demo2Config(learner="pg", settings=(TINY,)), out=tmp_path, world=world())
    publish_only = str(bundled_policy_path("lab-engagement"))  # would let every model answer through
    with pytest.raises(ConfigError, match="no check runs on `response` actions"):
        run_demo2(Demo2Config(policy=publish_only, settings=(TINY,)), out=tmp_path, world=world())


@pytest.mark.slow
def test_the_quick_cli_run_keeps_the_lab_json_contract(tmp_path: Path) -> None:
    pytest.importorskip("tractatus.lab.world.engagement", reason="the lab's engagement model (branch lab-realdata)")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "from tractatus.cli.main import main; main()",
         "lab", "demo2", "--backend", "agentlightning", "--quick", "--json", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    for mode in ("ungoverned", "governed"):
        assert {"engagement", "coverage", "executed_violations", "attempted_violations", "strategy", "stability",
                "published_violation_rate", "base_leak", "amplification", "null_baselines"} <= set(payload[mode])
    assert payload["backend"] == "agentlightning" and payload["governed"]["coverage"] == 1.0
    assert Path(payload["run_dir"]).parent == tmp_path and (Path(payload["run_dir"]) / "audit.db").is_file()
    print(f"quick AGL demo2: {elapsed:.1f} s")
