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

# Upper and lower case, digits, the whitespace Python's \s knows on ASCII (\v and \x1c-\x1f
# included, which RE2's \s lacks), punctuation the patterns use, and words they look for.
_ASCII = "aAbBeEiIkKnNsStTzZ019 -'.,!?\t\n\x0b\x0c\r\x1c\x1f"
_WORDS = ["keep ", "stored ", "for ", "two ", "years", "forever", "never delete ", "GB29 NWBK 6016 1331 9268 19", "NO WAY", "!!1!", "?!", "1234-5678", "retention period of 3 days"]
texts = st.lists(st.one_of(st.text(alphabet=_ASCII, max_size=12), st.sampled_from(_WORDS)), max_size=12).map("".join)

# (the pattern a detector runs, the gate in front of it, the view of the text it runs on)
_GATED = [
    (pii_recognizers._IBAN_GATE, pii_recognizers._IBAN_ASCII_GATES[0], str),
    (pii_recognizers._IBAN, pii_recognizers._IBAN_ASCII_GATES[1], str.upper),
    (clickbait._CAPS_WORD, clickbait._CAPS_WORD_GATE, str),
    (clickbait._PUNCT_RUN, clickbait._PUNCT_RUN_GATE, str),
    (compliance._FOREVER, compliance._RETENTION_ASCII_GATES[0], str.lower),
    (compliance._DURATION, compliance._RETENTION_ASCII_GATES[1], str.lower),
]


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
    matched = [(gate, view(text)) for pattern, gate, view in _GATED if pattern.search(view(text)) is not None]
    assert matched, "each example matches at least one gated pattern"
    assert all(gate.may_match(viewed) for gate, viewed in matched)


def test_ordinary_text_is_ruled_out() -> None:
    text = "The quarterly report is attached and the numbers look steady across regions. " * 12
    assert not any(gate.may_match(view(text)) for _, gate, view in _GATED)


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


def _anchored_patterns() -> list:
    """Every `Anchored` pattern a default-policy boundary enforcer holds (each with its RE2 gate)."""
    from tractatus.governance.policy import bundled_policy_path, parse_policy
    from tractatus.governance.registry import default_registry
    from tractatus.governance.services.patterns import Anchored

    policy = parse_policy(bundled_policy_path("default").read_text(encoding="utf-8"))
    enforcer = default_registry()["boundary_enforcer"](policy.check_settings("boundary_enforcer"))
    found, stack = [], list(vars(enforcer).values())
    while stack:
        value = stack.pop()
        if isinstance(value, Anchored):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            stack.extend(value)
        elif hasattr(value, "patterns"):
            stack.extend(value.patterns)
    return found


def test_every_anchored_pattern_has_a_gate_that_compiles() -> None:
    anchored = _anchored_patterns()
    assert len(anchored) >= 40
    assert all(a.gate is not None and a.gate.compiled() is not False for a in anchored)


def test_anchored_gates_open_wherever_their_patterns_match() -> None:
    """On the team's own case texts (and the boundary cases), lower-cased as the enforcer reads them."""
    from test_decisions_unchanged import corpus  # the same case texts the decision pins use

    texts = [t.lower() for t in corpus() if t.isascii()]
    matched = 0
    for anchored in _anchored_patterns():
        for text in texts:
            if anchored.regex.search(text) is not None:
                matched += 1
                assert anchored.gate.may_match(text), (anchored.regex.pattern[:60], text[:80])
    assert matched > 100  # the corpus exercises the patterns, so the check means something
