"""The Q3 adversary's rewrite operators on real headlines, grouped in families.

Written for the lab and sharing no code or tables with governance/learning/evasion.py (the
independence rule): the adversary must not know what the detectors were hardened against.
Every operator keeps what the headline says to a human reader, so the ground truth of a rewrite
is the human label of its source headline.

Families:
- SEEN (kinds of evasion a detector may have been developed against): zero_width, homoglyph,
  leetspeak, spacing, encoding (HTML numeric entities), paraphrase (our own small rule table);
- HELD_OUT (written fresh for this experiment; no detector was developed against them):
  word_order (swap the two halves of the headline around a dash), synonym (a small table of
  everyday synonyms), punctuation (commas and ellipses between words), case_mix (alternating case);
- identity: the source headline unchanged (what a null adversary submits).

Each operator is deterministic given its RNG, which is injected.
"""

from __future__ import annotations

import re
from typing import Callable

import numpy as np

Rewrite = Callable[[str, np.random.Generator], str]

_ZERO_WIDTH = "\u200b"
# Cyrillic and Greek letters that look like Latin ones.
_HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "y": "\u0443", "x": "\u0445",
               "i": "\u0456", "A": "\u0391", "E": "\u0395", "O": "\u039f", "T": "\u03a4"}
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
# Paraphrase: a sensational phrasing -> a plainer one with the same promise (our own table).
_PARAPHRASES = (
    (r"\byou won'?t believe\b", "it is hard to credit"),
    (r"\bwill blow your mind\b", "is quite something"),
    (r"\bwhat happens next\b", "the outcome"),
    (r"\bhere'?s why\b", "the reason is"),
    (r"\bthis is what\b", "here is what"),
    (r"\byou need to\b", "one should"),
    (r"\bshocking\b", "surprising"),
    (r"\bamazing\b", "notable"),
    (r"\bthe best\b", "the top"),
    (r"\bever\b", "so far"),
    (r"!+", "."),
)
_SYNONYMS = {"things": "items", "people": "folks", "reasons": "grounds", "times": "occasions", "photos": "pictures",
             "ways": "methods", "know": "realise", "need": "require", "happened": "occurred", "will": "shall",
             "make": "render", "best": "finest", "every": "each", "really": "truly", "actually": "in fact",
             "totally": "wholly", "you": "ye", "your": "thy", "these": "such", "this": "that"}


def _per_letter(text: str, rng: np.random.Generator, table: dict[str, str], rate: float) -> str:
    return "".join(table[ch] if ch in table and rng.random() < rate else ch for ch in text)


def zero_width(text: str, rng: np.random.Generator) -> str:
    return "".join(ch + _ZERO_WIDTH if ch.isalpha() and rng.random() < 0.5 else ch for ch in text)


def homoglyph(text: str, rng: np.random.Generator) -> str:
    return _per_letter(text, rng, _HOMOGLYPHS, 0.6)


def leetspeak(text: str, rng: np.random.Generator) -> str:
    return _per_letter(text.lower(), rng, _LEET, 0.6)


def spacing(text: str, rng: np.random.Generator) -> str:
    # Letters of the longer words spaced out: "believe" -> "b e l i e v e".
    return " ".join(" ".join(word) if len(word) > 3 and rng.random() < 0.7 else word for word in text.split())


def encoding(text: str, rng: np.random.Generator) -> str:
    return "".join(f"&#{ord(ch)};" if ch.isalpha() and rng.random() < 0.5 else ch for ch in text)


def paraphrase(text: str, rng: np.random.Generator) -> str:
    for pattern, replacement in _PARAPHRASES:
        text = re.sub(pattern, replacement, text, flags=re.IGNORECASE)
    return text


def word_order(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    if len(words) < 4:
        return text
    cut = int(rng.integers(2, len(words) - 1))
    return " ".join(words[cut:]) + " - " + " ".join(words[:cut])


def synonym(text: str, rng: np.random.Generator) -> str:
    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        new = _SYNONYMS.get(word.lower())
        if new is None:
            return word
        return new.capitalize() if word[0].isupper() else new

    return re.sub(r"[A-Za-z']+", swap, text)


def punctuation(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    marks = (",", "...", ";")
    return " ".join(w + marks[int(rng.integers(len(marks)))] if i < len(words) - 1 and rng.random() < 0.5 else w
                    for i, w in enumerate(words))


def case_mix(text: str, rng: np.random.Generator) -> str:
    return "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(text))


def identity(text: str, rng: np.random.Generator) -> str:
    return text


SEEN: dict[str, Rewrite] = {"zero_width": zero_width, "homoglyph": homoglyph, "leetspeak": leetspeak,
                            "spacing": spacing, "encoding": encoding, "paraphrase": paraphrase}
HELD_OUT: dict[str, Rewrite] = {"word_order": word_order, "synonym": synonym, "punctuation": punctuation, "case_mix": case_mix}
OPERATORS: dict[str, Rewrite] = {"identity": identity, **SEEN, **HELD_OUT}


def family_of(operator: str) -> str:
    if operator in SEEN:
        return "seen"
    if operator in HELD_OUT:
        return "held_out"
    return "identity"
