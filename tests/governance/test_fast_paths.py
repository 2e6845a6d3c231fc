"""The text pipeline's fast paths give exactly what the plain code gives.

Speed work replaced some scans by faster equivalents on ASCII text (byte translation, RE2 scans,
gates in front of loops). Each is compared here with the plain form it replaces, on generated text
made of the characters the scans care about (letters, digits, leet symbols, separators, a
non-ASCII letter now and then), so that a difference cannot hide in rare inputs.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance import normalize as N
from tractatus.governance.ascii_table import AsciiTable
from tractatus.governance.detectors import pii_recognizers
from tractatus.governance.detectors.text_model import first_seen_counts, load_model, tokenize

# The characters the scans react to, and a few that take texts off the ASCII path.
_ALPHABET = "abcxXeEvVzZ0123456789@$!|+ .-_'*#%=/\n\t" + "aaa" + "éİ\u200b"
texts = st.text(alphabet=_ALPHABET, max_size=60)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_ascii_table_is_str_translate(text: str) -> None:
    mapping = {c: " " for c in "!\"$&()+,./:;<=>?@[\\]^_`{|}~"}
    assert AsciiTable(mapping).translate(text) == text.translate(str.maketrans(mapping))


def test_ascii_table_refuses_what_bytes_cannot_map() -> None:
    for mapping in ({"é": "e"}, {"a": "é"}, {"a": "bc"}):
        try:
            AsciiTable(mapping)
        except ValueError:
            continue
        raise AssertionError(f"accepted {mapping!r}")


@settings(max_examples=400, deadline=None)
@given(texts)
def test_tokens_are_scikit_learns(text: str) -> None:
    assert tokenize(text) == re.findall(r"(?u)\b\w\w+\b", text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_triple_gate_is_the_substring_search(text: str) -> None:
    lowered = text.lower()
    assert N._has_triple(lowered) == any(triple in lowered for triple in N._TRIPLES)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_encoded_token_scan_is_the_re_scan(text: str) -> None:
    fast = [(m.start(), m.end(), m.group()) for m in N._encoded_tokens(text).finditer(text)]
    plain = [(m.start(), m.end(), m.group()) for m in N._ENCODED_TOKEN.finditer(text)]
    assert fast == plain


leet_texts = st.text(alphabet="abIxZvV0123456789@$!|+ .-_*'\n", max_size=40)


@settings(max_examples=800, deadline=None)
@given(leet_texts)
def test_deleet_on_ascii_text_is_the_full_loop(text: str) -> None:
    """ASCII text takes the RE2-guided path; the same text off the ASCII path takes the loop over
    every leet character (a space keeps the added "é" out of any word)."""
    assert N._deleet(text) == N._deleet(text + " \u00e9")[:-2]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=" \txXeEt.nsio0123456789abc", max_size=20))
def test_extension_gate_lets_every_extension_through(tail: str) -> None:
    if pii_recognizers._EXTENSION.match(tail) is not None:
        assert tail.lstrip(" \t")[:1] in pii_recognizers._EXTENSION_FIRST


spelled_texts = st.text(alphabet="abIxZ019@$ .-_*|'\n" + "é", max_size=40)


@settings(max_examples=400, deadline=None)
@given(spelled_texts)
def test_spelled_gates_open_wherever_the_scans_join_letters(text: str) -> None:
    if N._substitute(N._SPELLED, text, N._join_spelled)[1]:
        assert N._may_change(N._SPELLED_GATE_NUMBER, text)
    if N._substitute(N._SPELLED_LEET, text, N._join_spelled_leet)[1]:
        assert N._may_change(N._SPELLED_LEET_GATE_NUMBER, text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=80), st.sampled_from([np.uint16, np.int64]))
def test_first_seen_counts_are_the_counter(values: list[int], dtype: type) -> None:
    """Same distinct values, same first-seen order, same counts as `Counter` (the plain form)."""
    index, counts = first_seen_counts(np.array(values, dtype=dtype))
    plain = Counter(values)
    assert index.tolist() == list(plain.keys())
    assert counts.dtype == np.float64 and counts.tolist() == [float(c) for c in plain.values()]


headline_texts = st.text(alphabet="abcdeinorstuy0 ?!'\n", max_size=120)
_HEADLINE_MODEL = load_model("clickbait")


@settings(max_examples=300, deadline=None)
@given(headline_texts)
def test_char_features_are_the_counter_over_every_word(text: str) -> None:
    """The character n-gram vector (indices, values, bit for bit) is what counting every word's
    n-grams with `Counter` in first-seen order gives, whatever the per-word cache holds."""
    model = _HEADLINE_MODEL
    index, values = model._char_features(text)
    plain = Counter(chain.from_iterable(model._grams_of(word).tolist() for word in text.split()))
    if not plain:
        assert len(index) == 0 and len(values) == 0
        return
    plain_index = np.array(list(plain.keys()), dtype=np.int64)  # columns of the joined vector
    plain_values = model._char.weigh(np.array(list(plain.values()), dtype=np.float64), plain_index - model._char.offset)
    assert index.dtype == np.int64 and index.tolist() == plain_index.tolist()
    assert values.tobytes() == plain_values.tobytes()
