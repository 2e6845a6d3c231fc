"""Demo 2 trained through the real Agent Lightning runtime (gateway, proxy, hooks) on the CPU."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tractatus.governance.errors import ConfigError
from tractatus.governance.policy import bundled_policy_path
from tractatus.integrations.agentlightning.backend import run_demo2
from tractatus.lab.experiments.demo import Demo2Config, SettingConfig
from tractatus.lab.modes import Mode

pytestmark = pytest.mark.e2e

TINY = SettingConfig(name="tiny", agents=2, rounds=2, steps_per_round=8, seeds=1)


@pytest.fixture(scope="module")
def tiny_summary():
    return run_demo2(Demo2Config(settings=(TINY,)), quick=False)


def test_governed_rollouts_are_all_audited_and_ungoverned_ones_execute_violations(tiny_summary) -> None:
    modes = tiny_summary.to_json()
    ungoverned, governed = modes["ungoverned"], modes["governed"]
    assert tiny_summary.backend == "agentlightning"
    assert governed["coverage"] == 1.0 and ungoverned["coverage"] == 0.0
    assert ungoverned["executed_violations"] > 0 and ungoverned["intercepted_violations"] == 0
    assert governed["intercepted_violations"] > 0
    # Whatever governance stopped never reached the environment: executed = attempted - intercepted.
    assert (
        governed["executed_violations"]
        == governed["attempted_violations"] - governed["intercepted_violations"]
    )
    assert governed["executed_violations"] < ungoverned["executed_violations"]
    assert tiny_summary.settings[0].modes["governed"].rounds_finished == TINY.rounds


def test_other_modes_and_learners_are_refused_with_one_line() -> None:
    with pytest.raises(ConfigError, match="--mode penalty"):
        run_demo2(Demo2Config(modes=(Mode.NONE, Mode.PENALTY), settings=(TINY,)))
    with pytest.raises(ConfigError, match="--learner"):
        run_demo2(Demo2Config(learner="pg", settings=(TINY,)))
    publish_only = str(bundled_policy_path("lab-engagement"))  # would let every model answer through
    with pytest.raises(ConfigError, match="no check runs on `response` actions"):
        run_demo2(Demo2Config(policy=publish_only, settings=(TINY,)))


@pytest.mark.slow
def test_the_quick_cli_run_keeps_the_lab_json_contract() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from tractatus.cli.main import main; main()",
            "lab",
            "demo2",
            "--backend",
            "agentlightning",
            "--quick",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    for mode in ("ungoverned", "governed"):
        assert {
            "engagement",
            "coverage",
            "executed_violations",
            "attempted_violations",
            "strategy",
            "stability",
        } <= set(payload[mode])
    assert payload["backend"] == "agentlightning"
    assert payload["governed"]["coverage"] == 1.0 and payload["ungoverned"]["executed_violations"] > 0
    print(f"quick AGL demo2: {elapsed:.1f} s")  # recorded in docs/benchmarks/agentlightning.md
