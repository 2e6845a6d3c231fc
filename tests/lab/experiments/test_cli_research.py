"""The research commands under the lab contract: bad options are one line and exit 2; --json holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

RUN = "import sys; from tractatus.cli.errors import run_cli; from tractatus.cli.lab_research import app; sys.exit(run_cli(app))"


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gap", "--quick", "--full"], "--quick and --full exclude each other"),
        (["scale", "--seeds", "0"], "--seeds"),
        (["persistence", "--backend", "spark"], "--backend"),
        (["multiagent", "--ray-address", "10.0.0.1:6379"], "--ray-address needs --backend ray"),
        (["adversarial", "--policy", "no-such-policy.yaml"], "no such policy file"),
        (["scale", "--backend", "ray", "--ray-address", "127.0.0.1:9", "--quick"], "cannot reach Ray cluster at '127.0.0.1:9'"),
    ],
)
def test_bad_options_are_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    result = _cli(*args, "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and "Token authentication" not in line]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_json_summary_on_stdout_progress_on_stderr(tmp_path: Path) -> None:
    result = _cli("multiagent", "--quick", "--agents", "3", "--rounds", "6", "--seeds", "2", "--json", "--out", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["experiment"] == "multiagent" and summary["profile"] == "quick"
    assert [row["agents"] for row in summary["scales"]] == [3]
    assert set(summary["scales"][0]) == {"agents", "none", "factored", "centralized"}
    assert summary["scales"][0]["centralized"]["joint_violations_per_feed"]["n"] == 2  # one value per seed
    assert "multiagent" in result.stderr  # the progress bar
