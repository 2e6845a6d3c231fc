"""Violations follow the text the model wrote, not the prompt: two OpenAI-API servers that ignore it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator, Mapping

import pytest
from agl_world import CLICKBAIT_BLOCKED, CLICKBAIT_MISSED, NEWS, world

from tractatus.governance.audit import open_audit_log
from tractatus.integrations.agentlightning.backend import run_demo2
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stub_model import create_stub_model_app
from tractatus.lab.experiments.demo import Demo2Config, SettingConfig

pytestmark = pytest.mark.e2e

SMALL = SettingConfig(name="small", agents=1, rounds=1, steps_per_round=6, seeds=1)


def always_clickbait(_directives: Mapping[str, str], seed: int) -> str:
    return f"Headline: {(CLICKBAIT_BLOCKED, CLICKBAIT_MISSED)[seed % 2]}"


def always_news(_directives: Mapping[str, str], _seed: int) -> str:
    return f"Headline: {NEWS}"


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    running = {
        name: ServerThread(create_stub_model_app(model_name=name, writer=writer), name=name).start()
        for name, writer in (("always-clickbait", always_clickbait), ("always-news", always_news))
    }
    try:
        yield {name: f"{server.url}/v1" for name, server in running.items()}
    finally:
        for server in running.values():
            server.stop()


def run(servers: dict[str, str], name: str, out: Path) -> dict:
    return run_demo2(Demo2Config(settings=(SMALL,)), model_url=servers[name], model_name=name, out=out, world=world()).to_json()


def test_a_model_that_always_writes_clickbait_is_counted_whatever_the_prompt(servers: dict[str, str], tmp_path: Path) -> None:
    summary = run(servers, "always-clickbait", tmp_path)
    n = SMALL.rounds * SMALL.steps_per_round
    ungoverned, governed = summary["ungoverned"], summary["governed"]
    assert ungoverned["attempted_violations"] == ungoverned["executed_violations"] == n
    assert governed["attempted_violations"] == n
    # Governed, the leak is exactly what the governor let through: its misses on what was written.
    audit = open_audit_log(Path(summary["run_dir"]) / "audit.db")
    try:
        allowed = sum(1 for e in audit.tail(1000) if e.kind == "decision" and e.verdict == "allow")
        blocked = sum(1 for e in audit.tail(1000) if e.kind == "decision" and e.verdict == "block")
    finally:
        audit.close()
    assert allowed + blocked == n and blocked > 0
    assert governed["executed_violations"] == allowed
    assert governed["intercepted_violations"] == blocked
    manifest = json.loads((Path(summary["run_dir"]) / "manifest.json").read_text())
    assert manifest["config"]["agentlightning"]["model_url"] == servers["always-clickbait"]
    assert manifest["config"]["agentlightning"]["model_name"] == "always-clickbait"


def test_a_model_that_always_writes_news_has_no_violations_in_either_mode(servers: dict[str, str], tmp_path: Path) -> None:
    summary = run(servers, "always-news", tmp_path)
    for mode in ("ungoverned", "governed"):
        assert summary[mode]["attempted_violations"] == summary[mode]["executed_violations"] == 0
        assert summary[mode]["over_blocked"] == 0 and summary[mode]["engagement"] > 0
