"""Properties every detector keeps: the Check interface, no code defaults, and no crash on any text."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import all_detectors, run, shipped_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tractatus.governance.checks import Check
from tractatus.governance.detectors import builtin_detectors

DETECTORS = all_detectors()


def test_builtin_detectors_are_the_four_checks() -> None:
    classes = builtin_detectors()
    assert [c.name for c in classes] == ["pii", "abuse", "clickbait", "compliance"]
    for cls in classes:
        assert cls.kind == "detector" and cls.stateful is False
        assert isinstance(cls(shipped_settings(cls.name)), Check)


@pytest.mark.parametrize("cls", builtin_detectors(), ids=lambda c: c.name)
def test_thresholds_have_no_code_defaults(cls: Any) -> None:
    with pytest.raises(ValidationError):
        cls.Settings.model_validate({})
    assert all(field.is_required() for field in cls.Settings.model_fields.values())
    with pytest.raises(ValidationError):
        cls.Settings.model_validate({**shipped_settings(cls.name).model_dump(), "typo_field": 1})


def test_default_policy_loads_the_detector_settings() -> None:
    from tractatus.governance.policy import bundled_policy_path, load_policy

    policy = load_policy(bundled_policy_path("default"))
    for cls in builtin_detectors():
        assert isinstance(policy.check_settings(cls.name), cls.Settings)


TEXT = st.text(alphabet=st.characters(codec=None), max_size=300) | st.lists(
    st.sampled_from(["you", " are ", "an", " idiot", "!!!", "won't", "believe", "john", "@", " at ", "dot", "com", "5", "-", "4111",
                     " ", "\u200b", "е", "ｅ", "HIV", " has ", "keep", "forever", "=", "%40", "&#64;", "am9obg==", "1d10t"]),
    max_size=60,
).map("".join)  # fmt: skip


@settings(max_examples=250, deadline=None)
@given(TEXT)
def test_detectors_never_raise_and_spans_stay_inside_the_original(text: str) -> None:
    for detector in DETECTORS.values():
        for finding in run(detector, text):
            assert finding.span is not None
            assert 0 <= finding.span.start <= finding.span.end <= len(text)
