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
from tractatus.governance.detectors.char_ngram_codes import CharNgramCodes
from tractatus.governance.detectors.text_model import (
    first_seen_counts,
    load_model,
    model_input,
    sorted_counts,
    tokenize,
    word_runs,
)

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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), max_size=80), st.sampled_from([np.uint16, np.int64]))
def test_sorted_counts_are_the_counter_in_value_order(values: list[int], dtype: type) -> None:
    index, counts = sorted_counts(np.array(values, dtype=dtype))
    plain = sorted(Counter(values).items())
    assert index.tolist() == [value for value, _ in plain]
    assert counts.dtype == np.float64 and counts.tolist() == [float(count) for _, count in plain]


# The screening path (`TextModel.fast_features`) against the exact one (`features`), for every
# shipped model, on generated text: the vocabulary's own words (so that many n-grams are known),
# evasions, non-ASCII letters and emoji, separators, empty text.
_SHIPPED = {name: load_model(name) for name in ("clickbait", "abuse", "profanity")}
_KNOWN_WORDS = sorted({word for model in _SHIPPED.values() for term in model._word.terms for word in term.split(" ")})
screen_texts = st.lists(
    st.sampled_from(_KNOWN_WORDS)
    | st.text(alphabet="abcdeiknorstuy0@$!|'?-.é😱İ\u200b", min_size=1, max_size=8)
    | st.sampled_from([" ", " ", " ", "  ", "\n", "\t", "?", "!!", ", "]),
    max_size=90,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(screen_texts, st.booleans())
def test_fast_features_score_as_the_exact_path(raw: str, as_model_input: bool) -> None:
    """Same columns, same values up to the last bits, and scores within 1e-9 of the exact path
    (LearnedTier's SCREEN_MARGIN is 1e-6: a screened-out text cannot be one the exact score flags)."""
    text = model_input(N.normalize(raw)) if as_model_input else raw
    for model in _SHIPPED.values():
        tokens = tokenize(text)
        exact_index, exact_values = model.features(text, tokens)
        fast_index, fast_values = model.fast_features(text, tokens)
        order, fast_order = np.argsort(exact_index), np.argsort(fast_index)  # the orders differ
        assert fast_index[fast_order].tolist() == exact_index[order].tolist()
        np.testing.assert_allclose(fast_values[fast_order], exact_values[order], rtol=1e-12, atol=0)
        exact = model.decision_function(text, features=(exact_index, exact_values))
        fast = model.decision_function(text, features=(fast_index, fast_values))
        np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-9)
        exact_p = model.probabilities(text, features=(exact_index, exact_values))
        fast_p = model.probabilities(text, features=(fast_index, fast_values))
        assert all(abs(fast_p[label] - exact_p[label]) <= 1e-9 for label in exact_p)


def test_the_fast_path_counts_the_ngrams_of_the_headline_model() -> None:
    """It could fail: a headline with known word and character n-grams has features on both sides."""
    model = _SHIPPED["clickbait"]
    text = "xxstart you won believe what this dog did next xxend"
    index, values = model.fast_features(text)
    assert (index < model._char.offset).any() and (index >= model._char.offset).any()
    assert len(index) == len(model.features(text)[0]) and np.all(values > 0)


@settings(max_examples=300, deadline=None)
@given(screen_texts)
def test_word_runs_give_a_unigram_model_the_counts_of_the_tokens(text: str) -> None:
    """A model without bigrams reads `word_runs` in place of `tokenize`: the same vector, bit for bit."""
    model = _SHIPPED["profanity"]
    assert model.reads_word_runs and not _SHIPPED["abuse"].reads_word_runs  # the abuse model has bigrams
    index, values = model.features(text, word_runs(text))
    token_index, token_values = model.features(text, tokenize(text))
    assert index.tolist() == token_index.tolist() and values.tobytes() == token_values.tobytes()


_CODES = CharNgramCodes.build(_HEADLINE_MODEL._char.terms, _HEADLINE_MODEL._char.ngram_range, _HEADLINE_MODEL._char.offset,
                              _HEADLINE_MODEL._gram_dtype)
code_words = st.lists(
    st.sampled_from(_KNOWN_WORDS) | st.text(alphabet=st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc")), min_size=1, max_size=14),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(code_words)
def test_coded_ngrams_are_the_words_own(words: list[str]) -> None:
    """The batch lookup by exact integer codes gives each word the columns `_grams_of` cuts and
    looks up one by one, in the same order (any characters, known words among them)."""
    words = [word for word in words if word.split() == [word]]  # what `str.split` can give
    assert _CODES is not None
    assert _CODES.columns_per_word(words) == [_HEADLINE_MODEL._grams_of(word).tobytes() for word in words]


def test_coded_ngrams_find_the_known_ones_and_refuse_what_they_cannot_code() -> None:
    assert _CODES is not None and len(_CODES.columns_per_word(["xxstart", "believe"])[1]) > 0
    dtype = np.dtype(np.uint16)
    assert CharNgramCodes.build(["ab", "a\nb"], (2, 3), 0, dtype) is None  # the separator inside a term
    assert CharNgramCodes.build(["abcd", "bcde"], (4, 4), 0, dtype) is None  # shortest n above 3
    assert CharNgramCodes.build([chr(0x4E00 + i) * 2 for i in range(7000)], (2, 5), 0, dtype) is None  # 7,001 ** 5 > 2 ** 63
    assert CharNgramCodes.build(["ab", "abc"], (2, 5), 0, dtype) is not None


def test_a_text_of_many_unseen_words_takes_the_batch_and_gets_the_same_columns() -> None:
    from importlib import resources

    from tractatus.governance.detectors.text_model import parse_model

    raw = resources.files("tractatus.governance.detectors").joinpath("models", "clickbait.json").read_bytes()
    model = parse_model(raw)  # a fresh model: an empty per-word cache
    words = [f"{stem}{i}" for i, stem in enumerate(["wordy", "qzx", "naïve", "héllo", "😱", "ab"] * 4)]
    text = " ".join(words + words[:3])
    assert model._char_ngram_columns(text) == b"".join(model._grams_of(word).tobytes() for word in text.split())
    assert model._char_codes_built and model._char_codes is not None  # the batch ran
    index, _ = model._char_features(text)  # and the exact vector from the cache it filled is the Counter's
    plain = Counter(chain.from_iterable(model._grams_of(word).tolist() for word in text.split()))
    assert index.tolist() == list(plain.keys())


_RE2_SOURCES = (r"\d{4}[ -]?\d{4}", "aaa|bbb|e", r"[A-Z][A-Z']*[A-Z]", r"\b\p{Lu}[\p{L}']*", "x*", r"(?i)\bv\d")


@settings(max_examples=300, deadline=None)
@given(texts)
def test_leftmost_start_and_may_search_are_the_wrappers_search(text: str) -> None:
    """The direct RE2 call (ascii_gate.leftmost_start) answers what google-re2's `search` answers,
    on bytes and, through `may_search`, on ASCII str; other text is never ruled out."""
    import re2

    from tractatus.governance.ascii_gate import leftmost_start, may_search

    data = text.encode("utf-8")
    for source in _RE2_SOURCES:
        compiled = re2.compile(source)
        found = compiled.search(data)
        assert leftmost_start(compiled, data) == (-1 if found is None else found.start())
        if text.isascii():
            assert may_search(compiled, text) == (compiled.search(text) is not None)
        else:
            assert may_search(compiled, text)


def test_leftmost_start_takes_the_public_path_without_the_wrappers_internals() -> None:
    import re2

    from tractatus.governance.ascii_gate import leftmost_start

    class PublicOnly:  # a wrapper version without `_regexp`
        def __init__(self, source: str) -> None:
            self._compiled = re2.compile(source)

        def search(self, data: bytes):
            return self._compiled.search(data)

    assert leftmost_start(PublicOnly("b+"), b"aabbb") == 2
    assert leftmost_start(PublicOnly("z"), b"aabbb") == -1


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=N._LEET_TOKEN_CHARS, max_size=12))
def test_a_leet_token_decodes_as_the_character_loop_did(token: str) -> None:
    """Each character up to the last letter or digit is decoded, a digit is decoded anywhere."""
    last = max((i for i, c in enumerate(token) if c.isalnum()), default=-1)
    plain = "".join(c.translate(N._LEET) if c.isdigit() or i < last else c for i, c in enumerate(token))
    assert N._decode_leet_token(token) == plain


def _numbers_tried_one_by_one(text: str, settings: pii_recognizers.RecognizerSettings) -> list[pii_recognizers.PiiMatch]:
    """`_find_numbers` as it was: every run handed to the classifier, short ones included."""
    found = (pii_recognizers._classify_run(text, start, end, settings) for start, end in pii_recognizers._number_runs(text))
    return [match for match in found if match is not None]


_NUMBER_PIECES = (
    "(555) 123-4567", "555-123-4567", "+41 96 471 07 95", "+1 (555) 010", "1.2.3.4", "192.168.0.1", "8.8.8.8",
    "4111 1111 1111 1111", "123-45-6789", "12", "2024", "v2.4.1", "(0)", "ext. 12", "x9", "phone:", "call me on",
    "ssn", "version", " ", "\n", "(", ")", "+", ".", "-", "0", "7", "00", "44", "12345", "1234567", "98765432",
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_NUMBER_PIECES), max_size=10), st.integers(min_value=5, max_value=9))
def test_short_number_runs_are_skipped_only_where_nothing_matches(pieces: list[str], phone_min_digits: int) -> None:
    text = "".join(pieces)
    recognizer = pii_recognizers.RecognizerSettings(phone_min_digits=phone_min_digits, phone_max_digits=15, context_window_chars=30)
    assert pii_recognizers._find_numbers(text, recognizer) == _numbers_tried_one_by_one(text, recognizer)


def _word_forms_by_regex(lowered: str) -> frozenset[str]:
    """`NormalizedText.word_forms` as it was first written: a regex split of each joined word."""
    tokens = set(lowered.translate(str.maketrans({c: " " for c in "!\"$&()+,./:;<=>?@[\\]^_`{|}~"})).split())
    for token in [t for t in tokens if "'" in t or "-" in t]:
        tokens.update(part for part in re.split(r"['-]", token) if part)
    if any(triple in lowered for triple in N._TRIPLES):
        for token in [t for t in tokens if re.search(r"([a-z])\1\1", t)]:
            tokens.add(re.sub(r"([a-z])\1+", r"\1", token))
            tokens.add(re.sub(r"([a-z])\1+", r"\1\1", token))
    return frozenset(tokens)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="abcxoe'-- _.,!*#%0123\n\t" + "é", max_size=50))
def test_word_forms_are_the_regex_split(text: str) -> None:
    normalized = N.normalize(text)
    assert normalized.word_forms == _word_forms_by_regex(normalized.lower_words)


_RARE_PII_PIECES = (
    "12 Main Street", "Springfield, IL 62704", "Apt. 4B", "PSC 1234, Box 5678", "Via Roma 12", "Hauptstraße 5",
    "12 rue de la Paix", ", 1012 AB", ", SW1A 1AA", "My name is", "Regards,\n", "I'm", "this is", "Jane Doe", "Cheers, Jo",
    "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "1234 5678", "27 Pictures That Are Way Too Real",
    "the best way", "Box", "Unit", " ", "\n", ", ", ".", "12", "2024", "Ave", "Park", "name:", "call me", "jane",
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_RARE_PII_PIECES), max_size=8))
def test_the_rare_pii_gate_closes_only_where_those_recognizers_find_nothing(pieces: list[str]) -> None:
    """One RE2 scan stands in front of the IBAN, street-address and self-named-person recognizers:
    where it finds nothing, each of them finds nothing; and it compiles (else it would never close)."""
    from tractatus.governance.detectors.pii_addresses import find_street_addresses
    from tractatus.governance.detectors.pii_names import find_self_named_people

    assert pii_recognizers._RARE_PII_GATE.compiled() is not False
    text = "".join(pieces)
    if not pii_recognizers._RARE_PII_GATE.may_match(text):
        assert pii_recognizers.find_ibans(text) == []
        assert find_street_addresses(text) == []
        assert find_self_named_people(text) == []


_QUIET_PIECES = (
    "a", "b", "I", "x", "Z", "0", "1", "9", "@", "$", " ", ".", "-", "_", "*", "|", "'", "\n", "at", " at ", " dot ", "[at]",
    "(dot)", "name", "example", "com", "org", "aGVsbG8gd29ybGQ=", "0123456789abcdef", "production-ready", "c l i c k",
    "f-r-e-e", "1 d 1 0 t", "u r", "2.4.1", "bob@example.com", "bob at example dot com",
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_QUIET_PIECES), max_size=12))
def test_the_quiet_gate_closes_only_where_its_four_scans_find_nothing(pieces: list[str]) -> None:
    """normalize's one scan in front of four (encoded tokens, spelled letters in both forms,
    obfuscated e-mail addresses): where it finds nothing, so does each of them."""
    text = "".join(pieces)
    assert N._QUIET_GATE.compiled() is not False
    if not N._QUIET_GATE.may_match(text):
        assert not N._may_change(N._SPELLED_GATE_NUMBER, text)
        assert not N._may_change(N._SPELLED_LEET_GATE_NUMBER, text)
        assert not N._OBFUSCATED_EMAIL_GATE.may_match(text)
        assert not list(N._encoded_tokens(text).finditer(text))
