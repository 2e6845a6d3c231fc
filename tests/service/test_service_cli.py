"""`tractatus serve` refuses bad start-ups with one clear line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each case starts a fresh interpreter (imports FastAPI, SQLAlchemy, the detectors): seconds each.
pytestmark = pytest.mark.slow


def serve(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TRACTATUS_API_KEY", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "-c", "from tractatus.cli.main import main; main()", "serve", "--data-dir", str(tmp_path), *args],
        capture_output=True, text=True, timeout=120, env=env,
    )


def test_non_loopback_without_a_key_is_refused(tmp_path):
    result = serve(tmp_path, "--host", "0.0.0.0")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "non-loopback" in lines[0] and "TRACTATUS_API_KEY" in lines[0]


def test_unreachable_database_is_one_line_with_the_password_hidden(tmp_path):
    result = serve(tmp_path, "--database-url", "postgresql+psycopg://svc:hunter2@127.0.0.1:1/feedback")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "postgresql+psycopg://svc:***@127.0.0.1:1/feedback" in lines[0] and "hunter2" not in result.stderr


def test_bad_policy_is_refused(tmp_path):
    policy = tmp_path / "broken.yaml"
    policy.write_text("version: 1\nname: broken\n")
    result = serve(tmp_path, "--policy", str(policy))
    assert result.returncode != 0 and "broken.yaml" in result.stderr and len(result.stderr.strip().splitlines()) == 1
