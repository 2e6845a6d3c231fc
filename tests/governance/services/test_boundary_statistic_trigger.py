"""The RE2 prefilter of the unsourced-statistic rule must find a candidate wherever a statistic
pattern matches: if it ever missed one, the speed-up would silently drop findings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance.services.boundary_enforcer import (
    _STATISTIC,
    BoundaryEnforcer,
    BoundaryEnforcerSettings,
    _anchored,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_decisions_unchanged import corpus

PATTERNS = [anchored.regex for anchored in _anchored(_STATISTIC).patterns]


@pytest.fixture(scope="module")
def enforcer() -> BoundaryEnforcer:
    return BoundaryEnforcer(
        BoundaryEnforcerSettings(rules=("unsourced_statistic",), values_max_gap_words=4, negation_window_chars=60)
    )


def _assert_superset(enforcer: BoundaryEnforcer, text: str) -> None:
    if any(p.search(text) for p in PATTERNS):
        assert enforcer._may_hold_statistic(text), text


def test_trigger_covers_every_statistic_in_the_corpus(enforcer: BoundaryEnforcer) -> None:
    hits = 0
    for text in corpus():
        for view in (text.lower(), text):
            _assert_superset(enforcer, view)
            hits += any(p.search(view) for p in PATTERNS)
    assert hits > 20  # the corpus does hold statistics: the check above was exercised


@pytest.mark.parametrize(
    "text",
    [
        "87% of users prefer it",
        "٨٧% of users prefer it",  # Arabic-Indic digits are \\d to Python
        "87\u00a0percent of users",  # no-break space is \\s to Python
        "9\u2009out\u2009of\u200910 dentists",
        "nine in ten dentists",
        "makes onboarding 3x faster",
        "grew 10-fold",
        "grew 10 -fold",
        "two-thirds of parents",
        "3.5 times more likely",
        "productivity rose 47%.",
    ],
)
def test_trigger_covers_unicode_forms(enforcer: BoundaryEnforcer, text: str) -> None:
    assert any(p.search(text) for p in PATTERNS), text  # a statistic by the patterns...
    assert enforcer._may_hold_statistic(text)  # ...so the prefilter must let it through


def test_trigger_skips_text_without_a_candidate(enforcer: BoundaryEnforcer) -> None:
    assert not enforcer._may_hold_statistic("the quarterly report is attached, see you at 3pm on 12 may 2024.")


_PIECES = st.sampled_from(
    ["87", "٤٧", "3.5", "one", "nine", "ten", "half", "two-thirds", "%", "percent", "per cent", "x", "times", "fold",
     "-fold", "of", "out of", "in", "users", "teams", "more likely", "improves", "productivity", "by", "rose", "more",
     "faster", "increase", "the", "all", "a"]
)
_GLUE = st.sampled_from([" ", "", "  ", "\u00a0", "\u2009", "\n", "-", ".", ","])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GLUE), min_size=1, max_size=12))
def test_trigger_is_a_superset_of_the_patterns(enforcer: BoundaryEnforcer, parts: list[tuple[str, str]]) -> None:
    _assert_superset(enforcer, "".join(piece + glue for piece, glue in parts))
