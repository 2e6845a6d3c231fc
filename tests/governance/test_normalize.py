"""Normalization: each evasion is undone, offsets map back into the original, nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance.normalize import normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Сlісk hеrе", "Click here"),  # Cyrillic homoglyphs
        ("ｆｒｅｅ ｍｏｎｅｙ", "free money"),  # fullwidth
        ("𝐟𝐫𝐞𝐞 𝓂ℴ𝓃ℯ𝓎", "free money"),  # mathematical letters
        ("ⓒⓛⓘⓒⓚ", "click"),  # enclosed letters
        ("cl\u200bi\u200dck\u2060 h\ufeffere", "click here"),  # zero-width
        ("\u202eclick\u202c here", "click here"),  # bidi controls
        ("caf\u00e9 re\u0301sume\u0301", "cafe resume"),  # diacritics, composed and combining
        ("won\u2019t \u201cbelieve\u201d \u2014 ok", "won't \"believe\" - ok"),  # curly quotes, dash
        ("c l i c k here", "click here"),
        ("f-r-e-e stuff", "free stuff"),
        ("F.R.E.E money", "FREE money"),
        ("call ٠١٢٣٤٥٦٧٨٩", "call 0123456789"),  # Arabic-Indic digits
    ],
)
def test_unicode_and_spacing_evasions_are_undone(raw: str, expected: str) -> None:
    assert normalize(raw).text == expected


@pytest.mark.parametrize(
    "raw",
    [
        "john at example dot com",
        "john [at] example [dot] com",
        "john(at)example(dot)com",
        "john {at} example {dot} com",
        "john @ example . com",
        "john AT example DOT com",
        "am9obkBleGFtcGxlLmNvbQ==",  # base64
        "6a6f686e406578616d706c652e636f6d",  # hex
        "%6A%6F%68%6E%40example.com",  # percent-encoding
        "&#106;&#111;&#104;&#110;&#64;example.com",  # HTML entities
        "\\x6a\\x6f\\x68\\x6e@example.com",  # hex escapes
    ],
)
def test_obfuscated_and_encoded_addresses_become_addresses(raw: str) -> None:
    normalized = normalize(f"write to {raw} today")
    assert "john@example.com" in normalized.text
    start = normalized.text.index("john@example.com")
    span = normalized.to_original_span(start, start + len("john@example.com"))
    # The span covers the obfuscated form in the original, not more and not less.
    assert normalized.original[span.start : span.end].strip() == raw


@pytest.mark.parametrize(
    "benign",
    [
        "I looked at example.com yesterday",
        "We met at all. The rest is history",
        "Internationalization supercalifragilistic counterproductive",
        "sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "Card 4111111111111111 and phone 5555555555554444",
        "state-of-the-art-technology-driven",
        "The quarterly report is attached.",
        "Version 1.2.3 of the API",
    ],
)
def test_ordinary_text_is_left_alone(benign: str) -> None:
    assert normalize(benign).text == benign


def test_leetspeak_is_a_separate_view_that_keeps_digits_for_pii() -> None:
    normalized = normalize("you are an 1d10t, call 555-123-4567 about v1.2")
    assert "1d10t" in normalized.text and "555-123-4567" in normalized.text
    assert "idiot" in normalized.words and "555-123-4567" in normalized.words
    assert "v1.2" in normalized.words  # a version keeps its digits
    assert len(normalized.words) == len(normalized.text)


def test_leet_symbols_and_trailing_punctuation() -> None:
    assert normalize("$tupid k!ll fr33 idiot!").words == "stupid kill free idiot!"


def test_spelled_out_words_join_in_the_words_view_including_pairs() -> None:
    normalized = normalize("y o u  a r e  a n  i d 1 o t")
    assert normalized.words.split() == ["you", "are", "an", "idiot"]
    span = normalized.words_to_original_span(0, len(normalized.words))
    assert (span.start, span.end) == (0, len(normalized.original))


def test_spans_through_homoglyphs_and_zero_width() -> None:
    original = "Hi! Сlісk: j\u200bohn at example dot com, thanks"
    normalized = normalize(original)
    start = normalized.text.index("john@example.com")
    span = normalized.to_original_span(start, start + len("john@example.com"))
    assert original[span.start : span.end] == "j\u200bohn at example dot com"
    click = normalized.text.index("Click")
    span = normalized.to_original_span(click, click + 5)
    assert original[span.start : span.end] == "Сlісk"


def test_expanding_characters_map_back_to_their_source() -> None:
    original = "\ufb01nd ﬀ here"  # ligatures expand to two letters each
    normalized = normalize(original)
    assert normalized.text == "find ff here"
    index = normalized.text.index("here")
    span = normalized.to_original_span(index, index + 4)
    assert original[span.start : span.end] == "here"


def test_lower_views_keep_offsets() -> None:
    normalized = normalize("İSTANBUL YOU 1D10T")
    assert len(normalized.lower_text) == len(normalized.text)
    assert normalized.lower_words.endswith("idiot")


def test_lone_surrogates_do_not_raise() -> None:
    normalized = normalize("\ud800 lone \udfff surrogates")
    assert "lone" in normalized.text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=200))
def test_normalize_never_raises_and_spans_stay_inside(text: str) -> None:
    normalized = normalize(text)
    for view, mapper in ((normalized.text, normalized.to_original_span), (normalized.words, normalized.words_to_original_span)):
        for start, end in ((0, len(view)), (0, len(view) // 2), (len(view) // 3, len(view))):
            span = mapper(start, end)
            assert 0 <= span.start <= span.end <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["john", "at", "dot", "com", " ", "@", ".", "[", "]", "a", "b", "1", "=", "%41", "&#65;", "\u200b", "е", "ｅ",
                                 "-", "bel", "ieve", "\n", "(domain ", "555", "4111 ", ")"]), max_size=40))
def test_adversarial_token_soup_keeps_spans_inside(parts: list[str]) -> None:
    text = "".join(parts)
    normalized = normalize(text)
    span = normalized.to_original_span(0, len(normalized.text))
    assert 0 <= span.start <= span.end <= len(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [  # the adversarial agent's "spacing" operator: words split in the middle by a hyphen
        ("You won't bel-ieve what the cou-ncil did", "You won't believe what the council did"),
        ("a jaw-drop-ping move", "a jaw-dropping move"),
        ("flu-rel-ated hosp-ital vis-its", "flu-related hospital visits"),
        ("jaw-d-r-o-p-p-i-n-g", "jaw-dropping"),
        ("Read this bef-ore it's too late", "Read this before it's too late"),
        # compounds, numbers and identifiers around a split word keep their hyphens
        ("state-of-the-art tools, call 555-1234, my_var-name, then bel-ieve it",
         "state-of-the-art tools, call 555-1234, my_var-name, then believe it"),
    ],
)
def test_words_split_by_hyphens_are_joined(raw: str, expected: str) -> None:
    normalized = normalize(raw)
    assert normalized.text == expected
    span = normalized.to_original_span(0, len(normalized.text))
    assert (span.start, span.end) == (0, len(raw))


@pytest.mark.parametrize(
    "benign",
    ["state-of-the-art tools", "earth-shattering news", "New-York trip", "call 555-1234", "on 2024-01-02",
     "my_var-name = x-ray", "round-the-clock service", "self-harm support line"],
)
def test_hyphenated_compounds_numbers_and_identifiers_stay(benign: str) -> None:
    assert normalize(benign).text == benign


@pytest.mark.parametrize(
    ("raw", "address"),
    [("contact tom.becker\n(domain example.org).", "tom.becker@example.org"), ("john.doe\n@example.com", "john.doe@example.com"),
     ("name: john.doe\ndomain: example.com", "john.doe@example.com"), ("john.doe\n  domain: example.com", "john.doe@example.com"),
     ("at kobrien\n(domain example.com).", "kobrien@example.com")],
)
def test_addresses_split_across_lines_are_rejoined(raw: str, address: str) -> None:
    assert address in normalize(raw).text


@pytest.mark.parametrize("benign", ["the (domain of science) is big", "see our site (domain example.org)", "Our\ndomain: example.com"])
def test_a_domain_word_in_prose_is_not_an_address(benign: str) -> None:
    assert normalize(benign).text == benign


def test_spelled_letters_after_an_apostrophe_do_not_glue_onto_the_word() -> None:
    assert normalize("You won't b e l i e v e this").text == "You won't believe this"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["bel", "ieve", "state", "of", "the", "art", "jaw", "drop", "ping", "New", "York", " ", "-", "--", "."]), max_size=30))
def test_joining_split_words_only_ever_removes_hyphens(parts: list[str]) -> None:
    text = "".join(parts)
    normalized = normalize(text)
    assert normalized.text.replace("-", "") == text.replace("-", "")
    span = normalized.to_original_span(0, len(normalized.text))
    assert (span.start, span.end) == (0, len(text))


def test_character_references_are_read_as_a_browser_reads_them() -> None:
    # The lab's adversary found this class (Q3 on headlines, commit 9eb5173): HTML numeric entities
    # carried 74% of its rewritten clickbait past the governor. Fixed for the class, not the cases.
    raw = "&#89;ou &#x57;on't &#66;elieve what &#1072; cat did &amp; more"
    normalized = normalize(raw)
    assert normalized.text == "You Won't Believe what a cat did & more"
    start = normalized.text.index("Believe")
    span = normalized.to_original_span(start, start + len("Believe"))
    assert raw[span.start : span.end] == "&#66;elieve"


@pytest.mark.parametrize("benign", ["R&D costs rose", "Tom & Jerry", "AT&T;", "&#99999999; is no character"])
def test_text_that_only_looks_like_a_reference_is_left_alone(benign: str) -> None:
    assert normalize(benign).text == benign
