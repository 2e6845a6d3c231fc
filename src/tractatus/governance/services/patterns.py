"""Small text helpers the services share: phrase regexes, negation look-back, spans, content words.

The services match phrase patterns on word boundaries after normalization, never lone keywords
(the original framework's mistake: one "should" forced a human decision). These helpers keep
that discipline in one place.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from tractatus.governance.actions import Span
from tractatus.governance.ascii_gate import gate_source, unnamed_groups
from tractatus.governance.lazy_pattern import lazy_compile

if TYPE_CHECKING:
    from tractatus.governance.normalize import NormalizedText


def words(spec: str) -> frozenset[str]:
    """The set of space-separated words in `spec` (for readable word lists in code)."""
    return frozenset(spec.split())


def alternation(words: Iterable[str]) -> str:
    """A non-capturing group matching any of `words`; spaces inside a phrase match any whitespace.

    Longer phrases come first so that the regex engine prefers "time on site" over "time".
    """
    parts = sorted({w.strip() for w in words if w.strip()}, key=len, reverse=True)
    return "(?:" + "|".join(r"\s+".join(re.escape(p) for p in phrase.split()) for phrase in parts) + ")"


def phrases(*words: str) -> re.Pattern[str]:
    """A case-insensitive regex for any of `words` standing as whole words or phrases."""
    return re.compile(r"(?<!\w)" + alternation(words) + r"(?!\w)", re.IGNORECASE)


def gap(max_words: int) -> str:
    """Up to `max_words` intervening words between two parts of a phrase pattern."""
    return rf"(?:\W+\w+){{0,{max_words}}}?\W+"


# Cues that undo an assertion when they precede it in the same clause: "we cannot guarantee
# zero risk", "there is no such thing as 100% safety", "it is not production-ready".
NEGATION_CUES = lazy_compile(
    r"\b(?:no|not|never|cannot|can't|cant|can\s+not|won't|wont|don't|dont|doesn't|doesnt|didn't|isn't|"
    r"aren't|wasn't|weren't|nothing|nobody|no\s+one|without|impossible|unable|neither|nor|hardly|"
    r"myth|false|untrue|claims?\s+of|beware\s+of|avoid|refuse\s+to)\b",
    re.IGNORECASE,
)
# A clause ends at sentence punctuation, a semicolon, a colon, a dash between spaces or a newline;
# commas do not end it ("no product, however good, can guarantee zero risk").
_CLAUSE_BREAK = lazy_compile(r"[.;:!?\n]|\s[-–—]\s")


def clause_before(text: str, start: int, window: int) -> str:
    """The part of the clause that precedes `start`, at most `window` characters of it."""
    head = text[max(0, start - window) : start]
    breaks = list(_CLAUSE_BREAK.finditer(head))
    return head[breaks[-1].end() :] if breaks else head


def is_negated(text: str, start: int, window: int, cues: re.Pattern[str] = NEGATION_CUES) -> bool:
    """True when a negation cue precedes position `start` within its clause and `window` chars."""
    return cues.search(clause_before(text, start, window)) is not None


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end] (bounded by . ! ? or newline)."""
    left = max(text.rfind(".", 0, start), text.rfind("!", 0, start), text.rfind("?", 0, start), text.rfind("\n", 0, start))
    candidates = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    right = min(candidates) + 1 if candidates else len(text)
    return text[left + 1 : right]


def original_span(ntext: NormalizedText, start: int, end: int) -> Span:
    """Map a match in the normalized text back to the original text (for evidence and redaction)."""
    return ntext.to_original_span(start, end)


def excerpt(text: str, start: int, end: int, limit: int = 80) -> str:
    """A short excerpt of text[start:end] for people reading a finding."""
    snippet = " ".join(text[start:end].split())
    return snippet if len(snippet) <= limit else snippet[: limit - 1] + "…"


# Function words carry no topic; dropping them lets word overlap measure what texts are about.
STOPWORDS = words(
    "a an the and or but nor of to in on at by for with from into onto over under about as is are was "
    "were be been being am do does did done have has had having it its this that these those there here "
    "we us our you your they them their he him his she her i me my mine what which who whom whose when "
    "where why how all any each every some such no not only own same so than too very can will just "
    "should would could may might must shall also then else if while because until again further once "
    "more most other out up down off per via let lets please"
)
_WORD = lazy_compile(r"[a-z0-9][a-z0-9_'-]*")


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: enough to equate "users"/"user", "deciding"/"decide".

    A full stemmer (Snowball) would be a new dependency for a similarity that only orders
    precedents and measures reasoning overlap; exact morphology does not change those answers.
    """
    for suffix in ("ing", "ies", "ied", "es", "ed", "s", "e"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    """The stemmed content words of `text` (lower-cased, stopwords removed)."""
    return frozenset(stem(w.strip("'-")) for w in _WORD.findall(text.lower()) if w not in STOPWORDS and len(w) > 1)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


_DIGIT = lazy_compile(r"\d")


def present_words(ntext: NormalizedText) -> frozenset[str]:
    """What anchored patterns test their anchors against: the text's word forms (built once per
    text by normalization and shared with the detectors), plus markers for what words do not
    show: "#" when the text has a digit, and "%", "[", "(" when it has those characters."""
    forms = ntext.word_forms
    text = ntext.text
    markers = [m for m in ("%", "[", "(") if m in text]
    if _DIGIT.search(text):
        markers.append("#")
    return forms | frozenset(markers) if markers else forms


class Anchored:
    """A regex guarded by anchor words: it runs only when every anchor group has a word in the text.

    Why not just the regex: Python's `re` cannot skip ahead on a pattern that starts with `\\b`
    or a word alternation, so it tries every position (40-150 µs per KB per pattern on a 2-core
    machine), while testing a few words against the text's word set (see `present_words`) costs
    well under a microsecond. Each group is a set of words of which at least one must occur; the
    regex still decides. This keeps the boundary rules within the text pipeline's budget.
    """

    __slots__ = ("flags", "groups", "regex")

    def __init__(self, pattern: str, *groups: frozenset[str], flags: int = 0) -> None:
        # Compiled on first use: the boundary enforcer builds dozens of these per governor, and
        # compiling them all up front was about 0.3 s of every `tractatus check` (issue 12, item 6).
        self.regex = lazy_compile(pattern, flags)
        self.flags = flags
        self.groups = groups

    def gate_source(self) -> str | None:
        """An RE2 source (no named groups) that matches ASCII text wherever the regex does, for a
        gate over several patterns (ascii_gate.gate_source); None where RE2 cannot express it."""
        if self.flags & ~(re.IGNORECASE | re.UNICODE):
            return None
        try:
            source = unnamed_groups(gate_source(self.regex.pattern))
        except ValueError:
            return None
        return f"(?i:{source})" if self.flags & re.IGNORECASE else f"(?:{source})"

    def possible(self, present: frozenset[str]) -> bool:
        # A plain loop, not all(<generator>): this runs for every rule on every message.
        for group in self.groups:  # noqa: SIM110
            if group.isdisjoint(present):
                return False
        return True

    def search(self, text: str, present: frozenset[str]) -> re.Match[str] | None:
        return self.regex.search(text) if self.possible(present) else None

    def finditer(self, text: str, present: frozenset[str]) -> Iterable[re.Match[str]]:
        return self.regex.finditer(text) if self.possible(present) else ()


class AnchoredAny:
    """Several anchored patterns for one rule, with the union of their first anchor groups as a
    trigger: a text with none of those words skips the whole rule in one set test."""

    __slots__ = ("patterns", "trigger")

    def __init__(self, patterns: Iterable[Anchored]) -> None:
        self.patterns = tuple(patterns)
        self.trigger = frozenset().union(*(p.groups[0] for p in self.patterns if p.groups))
        if any(not p.groups for p in self.patterns):
            raise ValueError("every anchored pattern needs at least one anchor group")

    def first(self, text: str, present: frozenset[str]) -> re.Match[str] | None:
        if self.trigger.isdisjoint(present):
            return None
        for pattern in self.patterns:
            m = pattern.search(text, present)
            if m is not None:
                return m
        return None

    def finditer(self, text: str, present: frozenset[str]) -> Iterable[re.Match[str]]:
        if self.trigger.isdisjoint(present):
            return
        for pattern in self.patterns:
            yield from pattern.finditer(text, present)
