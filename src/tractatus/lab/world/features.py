"""Headline features of the engagement model: documented, interpretable, and defined for any text.

Each feature is a plain number computed from the headline alone. They are the usual suspects of
the headline-testing literature (numbers, direct address, questions, superlatives, length,
sentiment, capitals for emphasis, "this"-style forward reference), written here from scratch.
Title case is left out on purpose: Upworthy writes every headline in title case, so the archive
cannot say what it is worth, and the labelled pool's two classes differ in it by source style.

INDEPENDENCE: these word lists are the lab's own and deliberately tiny (pronouns, function words,
comparative morphology). They are not, and must not become, the governance clickbait detector's
lists, and no detector score is a feature, although issue 10 suggests one: the engagement model is
the referee's audience, so it may not be built from the player's answers (DESIGN.md wins).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

_WORD = re.compile(r"[A-Za-z0-9']+")
_SECOND_PERSON = frozenset({"you", "your", "you're", "youre", "yours", "yourself", "you'll", "you've", "you'd", "ya"})
_FIRST_PERSON = frozenset({"i", "i'm", "im", "me", "my", "mine", "myself", "we", "we're", "our", "us"})
_DEMONSTRATIVE = frozenset({"this", "these", "here's", "heres", "here"})
_WH = frozenset({"what", "why", "how", "who", "when", "where", "which"})
# Superlative morphology: the common irregular forms plus "most/least". "-est" words are not
# matched by suffix because English has too many false friends (interest, protest, honest).
_SUPERLATIVE = frozenset({"best", "worst", "most", "least", "greatest", "biggest", "smallest", "ever", "never"})
_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "dozen", "hundred", "thousand", "million", "billion"})


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    meaning: str
    compute: Callable[["_Parsed"], float]


@dataclass(frozen=True, slots=True)
class _Parsed:
    text: str
    words: tuple[str, ...]  # as written
    lower: tuple[str, ...]
    sentiment: float  # VADER compound in [-1, 1]


def _share(words: Sequence[str], vocabulary: frozenset[str]) -> float:
    return float(any(w in vocabulary for w in words))


FEATURES: tuple[Feature, ...] = (
    Feature("log_words", "log(1 + number of words): length", lambda p: math.log1p(len(p.words))),
    Feature("has_digit", "1 if the headline contains a digit", lambda p: float(any(c.isdigit() for c in p.text))),
    Feature("leading_number", "1 if the first word is a number (digits or a number word): a listicle", lambda p: float(bool(p.lower) and (p.lower[0][0].isdigit() or p.lower[0] in _NUMBER_WORDS))),
    Feature("second_person", "1 if it addresses the reader (you, your, ...)", lambda p: _share(p.lower, _SECOND_PERSON)),
    Feature("first_person", "1 if the writer speaks (I, my, we, ...)", lambda p: _share(p.lower, _FIRST_PERSON)),
    Feature("question", "1 if it contains a question mark", lambda p: float("?" in p.text)),
    Feature("exclamation", "1 if it contains an exclamation mark", lambda p: float("!" in p.text)),
    Feature("wh_word", "1 if it contains what/why/how/who/when/where/which", lambda p: _share(p.lower, _WH)),
    Feature("superlative", "1 if it contains best/worst/most/least/ever/never and kin", lambda p: _share(p.lower, _SUPERLATIVE)),
    Feature("demonstrative", "1 if it contains this/these/here: forward reference to unseen content", lambda p: _share(p.lower, _DEMONSTRATIVE)),
    Feature("sentiment_positive", "max(0, VADER compound)", lambda p: max(0.0, p.sentiment)),
    Feature("sentiment_negative", "max(0, -VADER compound)", lambda p: max(0.0, -p.sentiment)),
    Feature("all_caps_word", "1 if a word of 2+ letters is in capitals (emphasis)", lambda p: float(any(len(w) > 1 and w.isupper() and w.isalpha() for w in p.words))),
    Feature("quote", "1 if it contains a quotation mark", lambda p: float(any(q in p.text for q in "\"“”‘’") or " '" in p.text)),
    Feature("colon_or_dash", "1 if it contains a colon or a dash: a two-part headline", lambda p: float(any(c in p.text for c in ":—–") or " - " in p.text)),
    Feature("ellipsis", "1 if it trails off (... or …)", lambda p: float("..." in p.text or "…" in p.text)),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)


class FeatureExtractor:
    """Raw (unstandardized) feature vectors; owns its VADER analyzer (no module-level state)."""

    def __init__(self) -> None:
        self._vader = SentimentIntensityAnalyzer()

    def parse(self, text: str) -> _Parsed:
        words = tuple(_WORD.findall(text))
        return _Parsed(text, words, tuple(w.lower() for w in words), float(self._vader.polarity_scores(text)["compound"]))

    def vector(self, text: str) -> np.ndarray:
        parsed = self.parse(text)
        return np.array([f.compute(parsed) for f in FEATURES], dtype=np.float64)

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(FEATURES)))
        return np.stack([self.vector(t) for t in texts])
