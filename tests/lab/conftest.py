"""Shared fixtures of the lab tests.

`ground_truth_registry` plugs a *test-only* check into a real Governor: it flags exactly the
articles the environment's hidden ground truth marks as violations (it looks the text up among
everything the grammar can write). It is not a stand-in for the detectors: it lets the tests pin
what the architecture guarantees ("what governance recognises is never published") separately
from how well the detectors recognise it (measured with the real policy elsewhere).
"""

from __future__ import annotations

from typing import ClassVar, Sequence

import pytest

from tractatus.governance.actions import Finding, Severity
from tractatus.governance.checks import CheckContext, CheckSettings
from tractatus.governance.policy import Policy, parse_policy
from tractatus.governance.registry import default_registry
from tractatus.lab.envs.grammar import Grammar, load_grammar


@pytest.fixture(scope="session")
def grammar() -> Grammar:
    return load_grammar()


class _NoSettings(CheckSettings):
    pass


def make_ground_truth_check(grammar: Grammar) -> type:
    violating = set()
    labels = grammar.labels(grammar.all_actions)["violation"]
    for topic in range(len(grammar.topics)):
        for j, action in enumerate(grammar.all_actions):
            if labels[j]:
                violating.add(grammar.render(topic, action))

    class GroundTruthCheck:
        name: ClassVar[str] = "ground_truth"
        kind: ClassVar[str] = "detector"
        stateful: ClassVar[bool] = False
        Settings: ClassVar[type[CheckSettings]] = _NoSettings

        def __init__(self, settings: CheckSettings) -> None:
            self.settings = settings

        def evaluate(self, ctx: CheckContext) -> Sequence[Finding]:
            if ctx.action.text in violating:
                return (Finding("ground_truth", "detector", "violation", Severity.HIGH, "ground_truth.violation", "violates the guidelines"),)
            return ()

    return GroundTruthCheck


ORACLE_POLICY = """
version: 1
name: lab-ground-truth
limits: {max_text_bytes: 65536, check_timeout_ms: 1000, cache_entries: 65536}
severity_verdicts: {info: allow, low: warn, medium: block, high: block, critical: block}
checks:
  ground_truth: {kinds: [publish]}
"""


@pytest.fixture(scope="session")
def ground_truth_registry(grammar: Grammar) -> dict:
    registry = dict(default_registry())
    registry["ground_truth"] = make_ground_truth_check(grammar)
    return registry


@pytest.fixture(scope="session")
def ground_truth_policy(ground_truth_registry: dict) -> Policy:
    return parse_policy(ORACLE_POLICY, source="<ground-truth test policy>", registry=ground_truth_registry)
