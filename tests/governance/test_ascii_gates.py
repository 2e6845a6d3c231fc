"""RE2 gates (ascii_gate.py) never rule out a text their `re` pattern matches.

A gate may only save time: wherever the standard-library pattern finds a match in ASCII text, the
gate must say "may match". Checked on generated text made of the characters the patterns react to,
and on the gates of every detector that uses one; plus the translation rules one by one.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.governance.ascii_gate import AsciiGate, gate_source
from tractatus.governance.detectors import clickbait, compliance, pii_recognizers
from tractatus.governance.lazy_pattern import LazyPattern

# Upper and lower case, digits, the whitespace Python's \s knows on ASCII (\v and \x1c-\x1f
# included, which RE2's \s lacks), punctuation the patterns use, and words they look for.
_ASCII = "aAbBeEiIkKnNsStTzZ019 -'.,!?\t\n\x0b\x0c\r\x1c\x1f"
_WORDS = ["keep ", "stored ", "for ", "two ", "years", "forever", "never delete ", "GB29 NWBK 6016 1331 9268 19", "NO WAY", "!!1!", "?!", "1234-5678", "retention period of 3 days"]
texts = st.lists(st.one_of(st.text(alphabet=_ASCII, max_size=12), st.sampled_from(_WORDS)), max_size=12).map("".join)

# (the pattern a detector runs, the gate in front of it, the view of the text it runs on)
_GATED = [
    (clickbait._CAPS_WORD, clickbait._CAPS_WORD_GATE, str),
    (clickbait._PUNCT_RUN, clickbait._PUNCT_RUN_GATE, str),
]
# Lazy patterns gated by themselves (lazy_pattern.py), with the view they scan.
_SELF_GATED = [
    (pii_recognizers._IBAN_GATE, str),
    (pii_recognizers._IBAN, str.upper),
    (compliance._FOREVER, str.lower),
    (compliance._DURATION, str.lower),
]
_PADDING = "nothing to see in this opening line, it only makes the text long enough for the gate. " * 2


@pytest.mark.parametrize(("pattern", "view"), _SELF_GATED, ids=lambda x: getattr(x, "pattern", "")[:30] or None)
@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_a_self_gated_pattern_finds_what_re_finds(pattern: LazyPattern, view, text: str) -> None:
    assert pattern._gate is not None
    for candidate in (view(text), view(_PADDING + text), view(text + _PADDING)):
        assert [m.span() for m in pattern.finditer(candidate)] == [m.span() for m in pattern.compiled.finditer(candidate)]


@pytest.mark.parametrize(("pattern", "gate", "view"), _GATED, ids=lambda x: getattr(x, "pattern", "")[:30] or None)
@settings(max_examples=200, deadline=None)
@given(text=texts)
def test_a_detector_gate_opens_wherever_its_pattern_matches(pattern: re.Pattern[str], gate: AsciiGate, view, text: str) -> None:
    text = view(text)
    if pattern.search(text) is not None:
        assert gate.may_match(text)


@pytest.mark.parametrize(
    "text",
    ["we keep logs for two years", "They will store it FOREVER.", "IBAN GB29 NWBK 6016 1331 9268 19", "THIS IS HUGE!!"],
)
def test_the_gates_open_on_real_findings(text: str) -> None:
    text = _PADDING + text
    assert any(p.compiled.search(view(text)) for p, view in _SELF_GATED) or any(p.search(view(text)) for p, _, view in _GATED)
    for pattern, view in _SELF_GATED:
        assert bool(pattern.search(view(text))) == bool(pattern.compiled.search(view(text)))
    for pattern, gate, view in _GATED:
        if pattern.search(view(text)):
            assert gate.may_match(view(text))


def test_ordinary_text_is_ruled_out() -> None:
    text = "The quarterly report is attached and the numbers look steady across regions. " * 12
    assert not any(gate.may_match(view(text)) for _, gate, view in _GATED)
    assert all(pattern._first_possible(view(text)) == -1 for pattern, view in _SELF_GATED)


def test_non_ascii_text_is_never_ruled_out() -> None:
    assert AsciiGate("zzz").may_match("caf\u00e9") and not AsciiGate("zzz").may_match("cafe")


@pytest.mark.parametrize(
    ("python", "re2"),
    [
        (r"a\sb", r"a[\t\n\x0b\x0c\r \x1c-\x1f]b"),  # Python's \s on ASCII, spelled out
        (r"[\s,]", r"[\t\n\x0b\x0c\r \x1c-\x1f,]"),
        (r"a\Z", r"a\z"),
        (r"[ \u00a0]", r"[ \x{00a0}]"),
        (r"(?<![\w.])\d(?=[)\]])x", r"\dx"),  # look-arounds dropped: the gate matches more, never less
        (r"end$", "end"),
        (r"[]a]b", r"[\]a]b"),
    ],
)
def test_translation(python: str, re2: str) -> None:
    assert gate_source(python) == re2


@pytest.mark.parametrize("python", [r"(a)\1", r"(?P<s>-)x(?P=s)", r"[\S]"])
def test_what_re2_cannot_express_is_refused(python: str) -> None:
    with pytest.raises(ValueError):
        gate_source(python)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_whitespace_class_is_pythons(text: str) -> None:
    gate = AsciiGate(gate_source(r"k\s+\S"))
    if re.search(r"k\s+\S", text):
        assert gate.may_match(text)
    else:
        assert not gate.may_match(text)  # exact here: the pattern has no assertion to drop


def _lazy_patterns() -> list[LazyPattern]:
    """Every lazily compiled pattern the governance package holds: module globals (and the
    containers in them) and the boundary enforcer's anchored patterns."""
    import importlib
    import pkgutil
    import sys

    import tractatus.governance as governance
    from tractatus.governance.policy import bundled_policy_path, parse_policy
    from tractatus.governance.registry import default_registry

    for module in pkgutil.walk_packages(governance.__path__, "tractatus.governance."):
        importlib.import_module(module.name)
    policy = parse_policy(bundled_policy_path("default").read_text(encoding="utf-8"))
    enforcer = default_registry()["boundary_enforcer"](policy.check_settings("boundary_enforcer"))
    stack: list = [enforcer.__dict__ if hasattr(enforcer, "__dict__") else {}]
    stack += [vars(m) for name, m in list(sys.modules.items()) if name.startswith("tractatus.governance.")]
    found: dict[int, LazyPattern] = {}
    seen: set[int] = set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, LazyPattern):
            found[id(value)] = value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, (tuple, list, set, frozenset)):
            stack.extend(value)
        elif hasattr(value, "__slots__") and type(value).__module__.startswith("tractatus.governance.services"):
            stack.extend(getattr(value, slot, None) for slot in type(value).__slots__)
    return list(found.values())


def test_most_lazy_patterns_have_a_gate_that_compiles() -> None:
    patterns = _lazy_patterns()
    gated = [p for p in patterns if p._gate is not None]
    assert len(patterns) >= 150 and len(gated) >= 120
    refused = [p.pattern for p in gated if p._gate.compiled() is False]
    assert len(refused) <= 2, refused  # RE2 refuses a few (repeats over 1,000): they run ungated


@pytest.mark.parametrize("stride", [3, pytest.param(1, marks=pytest.mark.slow)])
def test_gated_scans_find_exactly_what_re_finds(stride: int) -> None:
    """On the team's own case texts joined into ~1 KB messages (the texts the decision pins use),
    as typed and lower-cased (the views detectors scan): same matches, same spans, same groups."""
    from test_decisions_unchanged import corpus  # the same case texts the decision pins use

    from tractatus.governance.normalize import normalize

    views = [view for text in corpus() for n in (normalize(text),) for view in (text, n.text, n.lower_words)]
    texts = sorted({t for t in views if len(t) >= 128 and t.isascii()})[::stride]  # every text in the slow run
    assert len(texts) * stride > 200
    compared = matched = 0
    for lazy in _lazy_patterns():
        if lazy._gate is None:
            continue
        plain = lazy.compiled
        for text in texts:
            expected = [(m.span(), m.groups()) for m in plain.finditer(text)]
            assert [(m.span(), m.groups()) for m in lazy.finditer(text)] == expected, lazy.pattern[:60]
            first = plain.search(text)
            gated = lazy.search(text)
            assert (gated.span() if gated else None) == (first.span() if first else None), lazy.pattern[:60]
            compared += 1
            matched += bool(expected)
    assert compared * stride > 20_000 and matched * stride > 3_000  # the corpus exercises the patterns: the check means something


def test_short_and_non_ascii_texts_skip_the_gate() -> None:
    lazy = LazyPattern(r"\bnever\s+delete\b")
    assert lazy._gate is not None
    for text in ("we never delete anything", "caf\u00e9 " * 40 + "we never  delete it"):
        assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in lazy.compiled.finditer(text)]


_SPELLING = "abXZ019@$ .-_*|\t\n'"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_SPELLING, max_size=40))
def test_spelled_precheck_on_ascii_is_the_re_scan(text: str) -> None:
    from tractatus.governance import normalize as N

    plain = N._SPELLED_PRECHECK.search(text) is not None or N._SPELLED_AT_START.match(text) is not None
    assert N._may_be_spelled(text) == plain


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789 ().-/+x\u00a0\u0663", max_size=40))
def test_ascii_number_runs_are_the_unicode_runs(text: str) -> None:
    expected = [m.span() for m in pii_recognizers._NUMBER_RUN.finditer(text)]
    if text.isascii():
        assert [m.span() for m in pii_recognizers._NUMBER_RUN_ASCII.finditer(text)] == expected


_EMAILISH = st.lists(
    st.one_of(st.text(alphabet="abZ09._-+ \n()[]{}<>@", max_size=6), st.sampled_from([" at ", " dot ", "[at]", "(dot)", "domain: ", "(domain ", ".com", "example", "@"])),
    max_size=12,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_EMAILISH)
def test_email_gate_never_skips_a_rewrite(text: str) -> None:
    from tractatus.governance import normalize as N

    assert N._rewrite_emails(text) == N._splice(text, N._email_rewrites(text))


@pytest.mark.parametrize("text", ["write to jane at example dot com today", "jane [at] example [dot] org", "kobrien\n(domain example.com)"])
def test_obfuscated_addresses_still_rewritten(text: str) -> None:
    from tractatus.governance import normalize as N

    rewritten, edits = N._rewrite_emails(text * 3)
    assert edits and "@example." in rewritten
