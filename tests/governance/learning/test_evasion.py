"""The harness's evasion operators: seeded, deterministic, and each one the rewrite it claims to be."""

from __future__ import annotations

import unicodedata

import pytest

from tractatus.governance.learning.evasion import OPERATORS, apply_operator

TEXT = "Nobody expected what these teachers found inside the abandoned school library"


@pytest.mark.parametrize("name", sorted(OPERATORS))
def test_operator_is_deterministic_and_changes_the_text(name: str) -> None:
    once = apply_operator(name, TEXT, seed=7)
    assert once == apply_operator(name, TEXT, seed=7)
    assert once != TEXT
    seeds = {apply_operator(name, TEXT, seed=s) for s in range(8)}
    assert len(seeds) > 1, "the seed must choose which words are rewritten"


def test_zero_width_only_inserts_invisible_characters() -> None:
    out = apply_operator("zero_width", TEXT, seed=1)
    invisible = {"\u200b", "\u200c", "\u200d", "\u2060"}
    assert any(ch in invisible for ch in out)
    assert "".join(ch for ch in out if ch not in invisible) == TEXT


def test_fullwidth_folds_back_under_nfkc() -> None:
    out = apply_operator("fullwidth", TEXT, seed=1)
    assert any("\uff01" <= ch <= "\uff5e" for ch in out)
    assert unicodedata.normalize("NFKC", out) == TEXT


def test_homoglyphs_use_cyrillic_or_greek_letters() -> None:
    out = apply_operator("homoglyphs", TEXT, seed=1)
    assert len(out) == len(TEXT)
    swapped = [ch for ch, orig in zip(out, TEXT, strict=True) if ch != orig]
    assert swapped and all(unicodedata.name(ch).split()[0] in ("CYRILLIC", "GREEK") for ch in swapped)


def test_leetspeak_swaps_letters_for_digits() -> None:
    out = apply_operator("leetspeak", TEXT, seed=1)
    assert len(out) == len(TEXT) and any(ch.isdigit() for ch in out)


@pytest.mark.parametrize(("name", "joiner"), [("spaced", " "), ("hyphenated", "-")])
def test_spread_letters_keep_the_letters(name: str, joiner: str) -> None:
    out = apply_operator(name, TEXT, seed=1)
    assert out.replace(joiner, "").replace(" ", "") == TEXT.replace(" ", "")
    assert any(joiner.join(word) in out for word in TEXT.split() if len(word) >= 3)


def test_text_without_words_is_left_alone_and_unknown_operators_are_refused() -> None:
    assert apply_operator("spaced", "42 + 17 = 59", seed=0) == "42 + 17 = 59"
    with pytest.raises(ValueError, match="unknown evasion operator"):
        apply_operator("rot13", TEXT, seed=0)
