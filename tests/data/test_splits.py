"""The split specification: deterministic, disjoint, proportional, and keyed on the text alone."""

from __future__ import annotations

import pytest

from tractatus.data.readers import CLICKBAIT, DAVIDSON
from tractatus.data.splits import load_splits
from tractatus.governance.errors import InputError


def test_split_is_a_pure_function_of_the_folded_text():
    splits = load_splits()
    assert splits.split_of(CLICKBAIT, "You Won't Believe This") == splits.split_of(CLICKBAIT, "  you won't   BELIEVE this ")
    assert load_splits().digest == splits.digest


def test_fractions_are_respected_on_many_rows():
    splits = load_splits()
    texts = [f"headline number {i}" for i in range(20_000)]
    counts: dict[str, int] = {}
    for text in texts:
        counts[splits.split_of(CLICKBAIT, text)] = counts.get(splits.split_of(CLICKBAIT, text), 0) + 1
    for name, fraction in splits.spec.sources[CLICKBAIT].items():
        assert abs(counts[name] / len(texts) - fraction) < 0.015, name


def test_select_partitions_rows_without_overlap():
    splits = load_splits()
    rows = [type("Row", (), {"text": f"tweet {i}"})() for i in range(3_000)]
    parts = [splits.select(DAVIDSON, rows, name) for name in splits.names(DAVIDSON)]
    assert sum(len(p) for p in parts) == len(rows)
    seen = [id(r) for part in parts for r in part]
    assert len(seen) == len(set(seen))


def test_unknown_split_or_source_is_an_input_error():
    splits = load_splits()
    with pytest.raises(InputError, match="unknown split"):
        splits.select(CLICKBAIT, [], "training")
    with pytest.raises(InputError, match="no splits"):
        splits.split_of("no-such-source", "x")
