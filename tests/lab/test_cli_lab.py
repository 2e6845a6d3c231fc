"""The `tractatus lab` command contract, run as a real subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tractatus.lab.results import MANIFEST_FILE, read_manifest, read_results

CONTRACT_FIELDS = ("engagement", "coverage", "executed_violations", "attempted_violations", "strategy", "stability")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("tractatus")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from tractatus.cli.main import main; main()"]


def _run(args: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*_cli(), "lab", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def _in_process(args: list[str], monkeypatch, capsys) -> tuple[int, str, str]:
    """Run the real CLI entry (`run_cli`, the one place errors become exit codes) in this process."""
    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    monkeypatch.setattr(sys, "argv", ["tractatus", "lab", *args])
    code = run_cli(app)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def json_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("cli")
    done = _run(["demo2", "--env", "grammar", "--json", "--rounds", "4", "--seeds", "2", "--steps", "10", "--mode", "none,shield,penalty", "--out", "runs"], cwd)
    return cwd, done


def test_demo2_json_contract(json_run) -> None:
    tmp_path, done = json_run
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)  # stdout is pure JSON; progress went to stderr
    for mode in ("ungoverned", "governed", "penalty"):
        for field in CONTRACT_FIELDS:
            assert field in data[mode], (mode, field)
    assert data["governed"]["coverage"] == 1.0 and data["penalty"]["coverage"] == 1.0
    assert data["ungoverned"]["coverage"] == 0.0
    assert [s["name"] for s in data["settings"]] == ["seed", "default"]
    assert data["settings"][0]["agents"] == 1 and data["settings"][0]["rounds"] == 5
    assert data["settings"][1]["rounds"] == 4 and len(data["settings"][1]["seeds"]) == 2
    run_dir = tmp_path / data["run_dir"]
    assert read_manifest(run_dir).status == "complete"
    assert "demo2" in done.stderr  # the progress bar


def test_demo2_prints_the_table(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _in_process(["demo2", "--env", "grammar", "--rounds", "3", "--seeds", "2", "--steps", "5", "--out", "runs"], monkeypatch, capsys)
    assert code == 0, err
    for text in ("Demo 2, seed setting", "Demo 2, default setting", "Governance coverage", "Executed violations",
                 "Dominant strategy", "Governed vs ungoverned", "Governed vs constrained optimum", "±"):
        assert text in out, text


def test_demo1_json_is_round_by_round(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _in_process(["demo1", "--json", "--rounds", "3", "--seeds", "1", "--steps", "5", "--out", "runs"], monkeypatch, capsys)
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] == "none"
    assert [p["round"] for p in data["settings"][0]["series"]] == [1, 2, 3, 4, 5]
    for field in CONTRACT_FIELDS:
        assert field in data["settings"][1]["summary"]


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["demo2", "--agents", "0"], "--agents"),
        (["demo2", "--agents", "abc"], "--agents"),
        (["demo1", "--steps", "2.5"], "--steps"),
        (["demo2", "--rounds", "-3"], "--rounds"),
        (["demo2", "--seeds", "5000"], "--seeds"),
        (["demo2", "--mode", "shield,sandbox"], "--mode"),
        (["demo2", "--env", "grammar", "--learner", "dqn"], "--learner"),
        (["demo2", "--backend", "cloud"], "--backend"),
        (["demo2", "--policy", "missing.yaml"], "--policy"),
        (["demo2", "--env", "moon"], "--env"),
        (["demo2", "--pool", "missing.jsonl"], "--pool"),
        (["demo2", "--env", "grammar", "--pool", "p.jsonl"], "--pool"),
        (["demo2", "--env", "headlines", "--learner", "dqn"], "--learner"),
        (["demo1", "--mode", "none,shield"], "--mode"),
        (["report", "no-such-run"], "RUN"),
        (["cost-sweep", "--limits", "abc"], "--limits"),
        (["cost-sweep", "--limits", "0.05,1.5"], "--limits"),
        (["cost-sweep", "--limits", "0.05,0.05"], "--limits"),
        (["cost-sweep", "--rounds", "0"], "--rounds"),
        (["cost-sweep", "--pool", "missing.jsonl"], "--pool"),
    ],
)
def test_bad_options_get_one_line_naming_the_option(tmp_path, monkeypatch, capsys, args, names) -> None:
    monkeypatch.chdir(tmp_path)
    code, _out, err = _in_process(args, monkeypatch, capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and names in lines[0], err
    assert not (tmp_path / "runs").exists()  # refused before anything ran


def test_a_policy_that_does_not_fit_the_environment_is_refused(tmp_path, monkeypatch, capsys) -> None:
    policy = tmp_path / "tools-only.yaml"
    policy.write_text(
        "version: 1\nname: tools-only\nlimits: {max_text_bytes: 65536, check_timeout_ms: 250, cache_entries: 0}\n"
        "severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, _, err = _in_process(["demo2", "--policy", str(policy), "--rounds", "2", "--out", "runs"], monkeypatch, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "does not fit the engagement environment" in err
    assert not (tmp_path / "runs").exists()


def test_ctrl_c_keeps_finished_rounds_and_says_so(tmp_path) -> None:
    proc = subprocess.Popen(
        [*_cli(), "lab", "demo2", "--env", "grammar", "--rounds", "100000", "--seeds", "1", "--steps", "5", "--out", "runs"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    runs = tmp_path / "runs"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(runs.glob("*/audit.db")):
        time.sleep(0.2)
    time.sleep(2.0)  # let it finish some rounds of the long setting
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "finished rounds are readable in" in err
    (run_dir,) = [p.parent for p in runs.glob(f"*/{MANIFEST_FILE}")]
    manifest = read_manifest(run_dir)
    assert manifest.status == "interrupted"
    table = read_results(run_dir)
    assert table.num_rows == sum(manifest.rounds_finished.values()) > 0


def test_report_command_renders(json_run, monkeypatch, capsys) -> None:
    cwd, done = json_run
    monkeypatch.chdir(cwd)
    run_dir = json.loads(done.stdout)["run_dir"]
    code, out, err = _in_process(["report", run_dir, "--json"], monkeypatch, capsys)
    assert code == 0, err
    result = json.loads(out)
    assert Path(cwd / result["html"]).is_file() and len(result["plots"]) == 6  # 3 plots x 2 settings
