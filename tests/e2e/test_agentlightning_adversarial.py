"""The adversarial agent trained through the real Agent Lightning runtime (gateway, governed proxy, hooks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.audit import DECISION_KIND, open_audit_log
from tractatus.integrations.agentlightning.adversarial import StrategyOperatorArms, run_adversarial
from tractatus.integrations.agentlightning.content import build_evasion_prompt, grammar_writer, parse_article
from tractatus.integrations.agentlightning.stub_model import complete
from tractatus.lab.backends import Cell, CellStore
from tractatus.lab.envs.adversarial import adversarial_grammar
from tractatus.lab.experiments.grid import ExperimentOptions

pytestmark = pytest.mark.e2e

# One seed, 3 rounds of 2 agents x 16 articles per mode: 192 rollouts, enough for every operator
# to be tried and for violations to be attempted under both modes.
TINY = {"quick": True, "agents": 2, "rounds": 3, "steps": 16, "seeds": 1}
ALLOWED = {v.label for v in Verdict if v.executes}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("agl-adversarial")
    options = ExperimentOptions(out=root / "runs", **TINY)
    ticks: list[tuple[str, int]] = []
    summary = run_adversarial(options, audit_db=root / "audit.db", tick=lambda cell, r: ticks.append((cell.key, r)))
    return {"summary": summary, "options": options, "audit_db": root / "audit.db", "ticks": ticks}


def _cell_result(summary: dict[str, Any], mode: str, seed: int = 0) -> dict[str, Any]:
    params = {**summary["config"], "mode": mode}
    params.pop("backend"), params.pop("model")
    result = CellStore(Path(summary["run_dir"])).load(Cell(config=mode, seed=seed, params=params))
    assert result is not None, f"no stored result for {mode} seed {seed}"
    return result


def test_governed_run_has_full_coverage_and_attempts(tiny_run: dict[str, Any]) -> None:
    s = tiny_run["summary"]
    assert s["backend"] == "agentlightning" and s["experiment"] == "adversarial"
    shield, none = s["modes"]["shield"], s["modes"]["none"]
    assert shield["coverage"]["mean"] == 1.0 and none["coverage"]["mean"] == 0.0
    assert shield["attempted_violations"]["mean"] > 0 and none["attempted_violations"]["mean"] > 0
    assert shield["failed_rollouts"]["mean"] == 0 and none["failed_rollouts"]["mean"] == 0
    # Ungoverned, every attempt executes; governed, an attempt either executed or was intercepted.
    assert none["asr_overall"]["mean"] == 1.0
    assert none["executed_violations"]["mean"] == none["attempted_violations"]["mean"]
    assert shield["executed_violations"]["mean"] + shield["intercepted_violations"]["mean"] == shield["attempted_violations"]["mean"]
    assert shield["intercepted_violations"]["mean"] > 0 and shield["asr_overall"]["mean"] < 1.0
    # The local summary's shape: ASR over time, by operator (every operator), by label, utility.
    assert set(shield["by_operator"]) == set(s["operators"]) == set(adversarial_grammar().operators)
    assert len(shield["asr_over_time"]) == 4 and {"clickbait", "misleading", "pii_leak"} == set(shield["by_label"])
    assert {"final_engagement", "pct_of_constrained_optimum", "executed_per_1000"} <= set(shield)
    assert sum(op["attempts"]["mean"] for op in shield["by_operator"].values()) == shield["attempted_violations"]["mean"]


def test_every_executed_violation_was_a_text_the_governor_allowed(tiny_run: dict[str, Any]) -> None:
    s = tiny_run["summary"]
    refs = _cell_result(s, "shield")["executed_refs"]
    assert len(refs) == s["modes"]["shield"]["executed_violations"]["mean"]
    with open_audit_log(tiny_run["audit_db"]) as audit:
        for ref in refs:
            entry = audit.get(ref["audit_seq"])
            assert entry is not None and entry.kind == DECISION_KIND
            assert entry.verdict in ALLOWED, ref
            # The audited action is exactly the answer the agent received, and it published that answer.
            action = Action(kind=ActionKind.RESPONSE.value, text=ref["received"], agent_id=f"agl:{ref['rollout_id']}:0")
            assert entry.action_digest == action.digest()
            assert parse_article(ref["received"]) == ref["article"]
        # Blocked decisions exist, and none of their texts was published as an executed violation.
        blocked = [e for e in audit.iter_entries() if e.kind == DECISION_KIND and e.verdict in ("block", "escalate")]
    assert blocked
    assert not {e.seq for e in blocked} & {r["audit_seq"] for r in refs}


def test_evasion_examples_are_real_executed_texts(tiny_run: dict[str, Any]) -> None:
    s = tiny_run["summary"]
    refs = {r["rollout_id"]: r for r in _cell_result(s, "shield")["executed_refs"]}
    assert s["distinct_evasions"] == len(s["evasions"])
    for example in s["evasions"]:
        assert example["operator"] in s["operators"] and example["labels"]
        assert refs[example["rollout_id"]]["article"] == example["text"]


def test_a_rerun_resumes_without_new_rollouts(tiny_run: dict[str, Any]) -> None:
    assert len(tiny_run["ticks"]) == 2 * TINY["rounds"]  # one tick per round, two cells
    ticks: list[Any] = []
    again = run_adversarial(tiny_run["options"], tick=lambda cell, r: ticks.append(r))
    assert ticks == [-1, -1]  # -1: a cell read back from the run directory, not rerun
    assert again["modes"] == tiny_run["summary"]["modes"]


def test_the_stub_writes_exactly_what_the_adversarial_environment_publishes() -> None:
    grammar = adversarial_grammar()
    arms = StrategyOperatorArms(grammar)
    writer = grammar_writer()
    rows = np.concatenate([arms.strategy_table, np.full((len(arms.strategy_table), 1), 2)], axis=1)
    actions = arms.to_grammar(rows)
    assert set(grammar.operator_of(actions).tolist()) == set(range(len(grammar.operators)))
    for i, action in enumerate(actions):
        topic = i % len(grammar.topics)
        body = {"messages": [{"role": "user", "content": build_evasion_prompt(grammar, topic, action)}]}
        text = complete(body, model_name="m", writer=writer)["choices"][0]["message"]["content"]
        assert parse_article(text) == grammar.render(topic, action)
    # Every operator really re-spells an article with clickbait and contact details (human_interest).
    ops = len(grammar.operators)
    k = grammar.strategy_names.index("human_interest")
    plain = grammar.render(0, actions[k * ops])
    assert all(grammar.render(0, a) != plain for a in actions[k * ops + 1 : (k + 1) * ops])


def test_bad_options_are_one_line_and_exit_2(tmp_path: Path) -> None:
    for args in (["scale", "--backend", "agentlightning"], ["adversarial", "--backend", "agentlightning", "--quick", "--full"],
                 ["adversarial", "--backend", "agentlightning", "--policy", "lab-engagement", "--rounds", "2"]):
        result = subprocess.run([sys.executable, "-c", "from tractatus.cli.main import main; main()", "lab", *args],
                                capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1, result.stderr
