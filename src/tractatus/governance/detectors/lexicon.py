"""Building blocks for word-level detectors: tolerant word patterns and sentence bounds.

Word lists are matched on `NormalizedText.lower_words` (homoglyphs, leetspeak and spelled-out
letters already undone). What normalization cannot undo is handled here: stretched letters
("idiooooot", "freeeee") and masked letters ("f*ck", "id**t").
"""

from __future__ import annotations

import re
from typing import Iterable

_MASK = "[*#]"

# English function words: articles, pronouns, auxiliaries, prepositions, conjunctions. Title-case
# headlines are full of them ("27 Pictures That Are Way Too Real"); names and street names are not.
FUNCTION_WORDS = frozenset(
    "a an the and or but nor of to in on at by for from with about as into onto over under up down out off "  # noqa: SIM905
    "that this these those which who whom whose what when where why how than then so too very just also "
    "is are was were be been being am do does did have has had will would can could should may might must "
    "i you he she it we they me him her us them my your his its our their mine yours not no all any every "
    "each some more most much many one ones only ever never here there".split()
)


def elastic(word: str, *, masks: bool = False) -> str:
    """A regex for `word` that also matches stretched letters and, with `masks`, letters replaced
    by '*' or '#' after the first one. Spaces match any whitespace; apostrophes are optional."""
    parts: list[str] = []
    for index, char in enumerate(word):
        if char == " ":
            parts.append(r"\s+")
        elif char == "'":
            parts.append("'?")
        elif char.isalpha():
            letter = re.escape(char)
            parts.append(f"(?:{letter}|{_MASK})+" if masks and index > 0 else f"{letter}+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def alternation(words: Iterable[str], *, masks: bool = False) -> str:
    """A non-capturing alternation of elastic words, longest first so phrases beat their prefixes."""
    unique = sorted(set(words), key=lambda w: (-len(w), w))
    return "(?:" + "|".join(elastic(w, masks=masks) for w in unique) + ")"


def gate_words(*groups: Iterable[str]) -> frozenset[str]:
    """The words whose presence lets a pattern run: the longest word of every phrase in `groups`
    (a phrase can only match where all its words are, so any one of them is a sound gate).

    Used with `NormalizedText.word_forms`: a pattern whose gate is disjoint from the text's
    words cannot match, so ordinary text skips the regex entirely. A gate may open for nothing;
    it must never stay shut for a match, so every alternative of a pattern must be represented.
    """
    out: set[str] = set()
    for group in groups:
        for phrase in group:
            parts = [part for part in re.split(r"[\s'-]+", phrase.lower()) if part]
            if parts:
                word = max(parts, key=len)
                out.update((word, word + "s", word + "es"))  # texts say "idiots", "tricks"
    return frozenset(out)


_SENTENCE_END = re.compile(r"[.!?\n;]+")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The [start, end) of the sentence around text[start:end] (ends at . ! ? ; or a newline)."""
    left = max(text.rfind(sep, 0, start) for sep in ".!?\n;") + 1
    found = _SENTENCE_END.search(text, end)
    right = found.end() if found else len(text)
    return left, right


class GateIndex:
    """Which of many word gates a text opens, from one set intersection.

    A gate is a tuple of word groups; it opens when every group has a word in the text's word
    forms. Testing 56 gates one by one (a generator and `isdisjoint` per group) cost more than
    the regexes they guard; here the text's forms meet the union of all gate words once (a C
    operation), and only the few words found are looked up. Same answer as testing each gate.
    """

    __slots__ = ("_needed", "_where", "_words")

    def __init__(self, gates: Iterable[tuple[frozenset[str], ...]]) -> None:
        where: dict[str, list[tuple[int, int]]] = {}
        needed = []
        for number, gate in enumerate(gates):
            if not gate:
                raise ValueError("a gate needs at least one word group")
            needed.append(len(gate))
            for group_number, group in enumerate(gate):
                for word in group:
                    where.setdefault(word, []).append((number, group_number))
        self._needed = tuple(needed)
        self._where = {word: tuple(places) for word, places in where.items()}
        self._words = frozenset(where)

    def open(self, forms: frozenset[str]) -> list[int]:
        """The numbers of the gates `forms` opens, in ascending order."""
        groups: dict[int, set[int]] = {}
        for word in self._words.intersection(forms):
            for number, group_number in self._where[word]:
                groups.setdefault(number, set()).add(group_number)
        return sorted(number for number, met in groups.items() if len(met) == self._needed[number])
