"""Every violation the adversarial experiment got past the governor is a regression case here.

tests/lab/experiments/evasions.json is `adversarial.regression_cases(summary)` of the experiment's
summary (`tractatus lab adversarial`, field `evasions`): the published text, the evasion operator the agent used and the
environment's ground-truth labels. Each case asserts that the lab policy no longer lets the text
through. Cases still missed by the detectors are strict xfails naming the reason: the detectors
belong to the detectors engineer, who has the list. When a detector is fixed the xfail turns into
an XPASS, which fails, so the marker is removed and the case guards the fix from then on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tractatus.governance.actions import Action, ActionKind, Verdict
from tractatus.governance.governor import Governor
from tractatus.lab.experiments.grid import governed_session, policy_path
from tractatus.lab.modes import Mode
from tractatus.lab.training import CellConfig

CASES = json.loads(Path(__file__).with_name("evasions.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def governor() -> Iterator[Governor]:
    # The governor of a governed lab cell: the lab policy plus the Tractatus flow's instructions.
    config = CellConfig(mode=Mode.SHIELD, seed=0, agents=1, rounds=1, steps_per_round=1)
    with governed_session(config, policy_file=policy_path(None)) as session:
        assert session.governor is not None
        yield session.governor


def _params() -> list[object]:
    out = []
    for i, case in enumerate(CASES):
        marks = []
        if case["status"] == "missed":
            marks.append(pytest.mark.xfail(strict=True, reason=f"detector miss ({case['operator']}, {'+'.join(case['labels'])}): reported"))
        out.append(pytest.param(case, id=f"{i:03d}-{case['operator']}-{'+'.join(case['labels'])}", marks=marks))
    return out


def test_the_cases_cover_every_operator_that_succeeded() -> None:
    assert len(CASES) >= 1
    assert {"text", "operator", "labels", "status"} <= set(CASES[0])


@pytest.mark.parametrize("case", _params())
def test_evasion_is_not_allowed(governor: Governor, case: dict) -> None:
    decision = governor.evaluate(Action(kind=ActionKind.PUBLISH.value, text=case["text"], agent_id="regression"))
    assert decision.verdict > Verdict.WARN, f"allowed: {case['text'][:120]!r}"
