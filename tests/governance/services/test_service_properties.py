"""Property tests: no text makes a service raise, and every span lies inside the original text."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState

TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.sampled_from(
            ["never", "use", "port", "27017", "no", "clickbait", "guarantees", "100%", "zero risk", "of users", "87%",
             "production-ready", "optimize", "maximum engagement", "decide", "which users", "deserve", "don't", ",", ".",
             "mongodb://h:1/", "/var/x", "\u200b", "Ｎ", "not", "according to", "?", "'", '"']
        ),
        max_size=40,
    ).map(" ".join),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=TEXT)
def test_boundary_enforcer_never_raises_and_spans_fit(enforcer, text: str) -> None:
    for finding in enforcer.enforce(text):
        assert finding.span is not None
        assert 0 <= finding.span.start <= finding.span.end <= len(text)


@SETTINGS
@given(text=TEXT)
def test_classifier_never_raises(classifier, text: str) -> None:
    instruction = classifier.classify(text)
    assert 0.0 <= instruction.explicitness <= 1.0
    assert all(term for term in instruction.prohibitions)


@SETTINGS
@given(instruction_text=TEXT, action_text=TEXT)
def test_cross_reference_never_raises(classifier, validator, instruction_text: str, action_text: str) -> None:
    state = GovernanceState()
    state.add_instruction(classifier.classify(instruction_text))
    action = Action(text=action_text)
    for finding in validator.evaluate(CheckContext(action=action, text=normalize(action_text), state=state)):
        assert finding.span is None or 0 <= finding.span.start <= finding.span.end <= len(action_text)


@pytest.mark.parametrize(
    "text",
    ["a." * 10_000, "a" * 20_000, "1" * 20_000, "no " * 5_000, "/a" * 10_000, "never use " * 3_000, "1,1" * 7_000],
    ids=["dots", "long-word", "digits", "no-no", "slashes", "cues", "number-runs"],
)
def test_long_adversarial_inputs_stay_linear(classifier, enforcer, validator, text: str) -> None:
    """A regex that backtracks quadratically took 48 s on the "dots" input; linear ones take well
    under a second. The bound is generous (a loaded 2-core machine) but far below a blow-up."""
    instructions = [classifier.classify("Never use MongoDB"), classifier.classify("Use port 27027")]
    started = time.perf_counter()
    classifier.classify(text)
    enforcer.enforce(text)
    validator.validate(Action(text=text), instructions)
    assert time.perf_counter() - started < 10.0
