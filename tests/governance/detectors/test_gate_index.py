"""GateIndex answers exactly what testing each gate one by one answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance.detectors.clickbait import _FEATURES
from tractatus.governance.detectors.lexicon import GateIndex

_WORDS = st.sampled_from([f"w{i}" for i in range(12)])
_GATES = st.lists(st.lists(st.frozensets(_WORDS, min_size=1, max_size=4), min_size=1, max_size=3).map(tuple), max_size=8)


def _one_by_one(gates: list[tuple[frozenset[str], ...]], forms: frozenset[str]) -> list[int]:
    return [n for n, gate in enumerate(gates) if all(not group.isdisjoint(forms) for group in gate)]


@settings(max_examples=300, deadline=None)
@given(_GATES, st.frozensets(_WORDS, max_size=12))
def test_same_gates_open_as_one_by_one(gates: list[tuple[frozenset[str], ...]], forms: frozenset[str]) -> None:
    assert GateIndex(gates).open(forms) == _one_by_one(gates, forms)


def test_clickbait_features_open_as_before() -> None:
    gates = [gate for _, gate, _ in _FEATURES]
    index = GateIndex(gates)
    words = sorted({word for gate in gates for group in gate for word in group})
    opened_any = 0
    for start in range(0, len(words), 7):
        forms = frozenset(words[start : start + 40]) | {"ordinary", "words"}
        assert index.open(forms) == _one_by_one(gates, forms)
        opened_any += bool(index.open(forms))
    assert opened_any
    assert index.open(frozenset({"nothing", "here"})) == []


def test_a_gate_without_groups_is_refused() -> None:
    with pytest.raises(ValueError):
        GateIndex([()])
