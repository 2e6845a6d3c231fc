"""`tractatus al`: the whole stack from one command, a governed call through it, a clean SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tractatus.governance.policy import bundled_policy_path

TRACTATUS = [sys.executable, "-c", "from tractatus.cli.main import main; main()"]


def in_process(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """The CLI's exit code for `tractatus ARGS`, run in this process (errors mapped as in main())."""
    from tractatus.cli.errors import run_cli
    from tractatus.cli.main import app

    monkeypatch.setattr(sys, "argv", ["tractatus", *args])
    return run_cli(app)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["al", "up", "--proxy-port", "-1"], "--proxy-port must be between 0 and 65535"),
        (["al", "up", "--model-url", "localhost:8000"], "--model-url must be an http(s) URL"),
        (["al", "up", "--host", "0.0.0.0"], "--agent-key are required"),
        (["al", "up", "--policy", "/no/such/policy.yaml"], "--policy /no/such/policy.yaml: no such file"),
        (["al", "up", "--proxy-policy", "/no/such.yaml"], "--proxy-policy /no/such.yaml: no such file"),
        (
            ["al", "up", "--policy", str(bundled_policy_path("lab-engagement"))],
            "no check runs on `response` actions",
        ),
    ],
)
def test_bad_options_are_one_clear_line(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = in_process(monkeypatch, *args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().count("\n") == 0 and message in err


def test_an_invalid_proxy_policy_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "proxy.yaml"
    bad.write_text("stream_release: paragraph\n", encoding="utf-8")
    assert in_process(monkeypatch, "al", "up", "--proxy-policy", str(bad)) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "stream_release" in err


def test_hooks_path_is_the_governance_hooks_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert in_process(monkeypatch, "al", "hooks-path") == 0
    assert Path(capsys.readouterr().out.strip()).name == "hooks.py"


@pytest.mark.slow  # a fresh interpreter plus three servers: ~15 s on a busy 2-core machine
@pytest.mark.e2e
def test_up_serves_a_governed_stack_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "AGL_KEY": "admin-secret"}
    audit = tmp_path / "audit.db"
    proc = subprocess.Popen(
        [
            *TRACTATUS,
            "al",
            "up",
            "--gateway-port",
            "0",
            "--proxy-port",
            "0",
            "--stub-port",
            "0",
            "--audit-db",
            str(audit),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any(line.startswith("AGL trainer") for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline, (
                proc.stderr.read() if proc.poll() is not None else "timeout"
            )
            lines.append(proc.stdout.readline())
        text = "".join(lines)
        gateway = re.search(r"AGL gateway\s+(\S+)", text).group(1)
        proxy = re.search(r"governed proxy\s+(\S+)", text).group(1)
        admin = {"authorization": "Bearer admin-secret"}
        assert httpx.get(f"{gateway}/api/rollouts?state_in=queuing").status_code == 401  # the key is enforced
        rid = httpx.post(f"{gateway}/api/rollouts", json=[{"input": {}}], headers=admin).json()[0][
            "rollout_id"
        ]
        url = f"{proxy}/proxy/rollout/{rid}/attempt/0/mode/train/openai/v1/chat/completions"
        answer = httpx.post(
            url, json={"messages": [{"role": "user", "content": "topic_id: 1\nstrategy: urgent"}]}, timeout=30
        )
        assert answer.status_code == 200 and answer.headers["x-tractatus-verdict"] == "block"
        assert answer.json()["choices"][0]["finish_reason"] == "content_filter"
        streamed = httpx.post(
            url,
            json={"messages": [{"role": "user", "content": "topic_id: 1\nstrategy: informative"}], "stream": True},
            timeout=30,
        )
        assert streamed.status_code == 200 and streamed.text.rstrip().endswith("data: [DONE]")
        assert '"finish_reason":"stop"' in streamed.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    from tractatus.governance.audit import open_audit_log

    with open_audit_log(audit) as log:
        verdicts = [e.verdict for e in log.tail(50)]
        assert verdicts[0] == "block" and set(verdicts[1:]) <= {"allow", "warn"} and log.verify().ok
