"""Evasion operators the evaluation harness applies to held-out positives, to measure recall again.

These are the harness's, not the lab adversary's (`tractatus.lab.envs.adversarial`): the lab's
adversary is a player whose moves the governor must survive; these are fixed, seeded rewrites that
measure how much of what a detector catches survives the classic obfuscations:

- zero_width:  an invisible character inside a word ("cli\u200bck")
- fullwidth:   the word in fullwidth forms ("ｃｌｉｃｋ")
- homoglyphs:  Latin letters swapped for Cyrillic / Greek look-alikes ("сliсk")
- leetspeak:   digits and symbols for letters ("cl1ck")
- spaced:      letters spread with spaces ("c l i c k")
- hyphenated:  letters joined with hyphens ("c-l-i-c-k")

Each operator rewrites a seeded random half of the words of at least three letters (and always
at least one), because an evader obfuscates the words that give a text away, which the harness
does not know; a random half is the unbiased stand-in. The same (operator, seed, text) always
gives the same output: the generator is seeded from all three, not from global state.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

WordRewrite = Callable[[str, random.Random], str]

# Share of eligible words an operator rewrites (see the module docstring).
WORD_SHARE = 0.5
_WORD = re.compile(r"[A-Za-z]{3,}")

_ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060")  # space, non-joiner, joiner, word joiner
# One look-alike per Latin letter, from the Cyrillic and Greek blocks (Unicode TR39 confusables).
_HOMOGLYPHS: Mapping[str, str] = MappingProxyType({
    "a": "а", "c": "с", "e": "е", "i": "і", "j": "ј", "o": "о", "p": "р", "s": "ѕ", "x": "х", "y": "у",
    "A": "Α", "B": "Β", "C": "С", "E": "Ε", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ", "N": "Ν", "O": "Ο",
    "P": "Ρ", "T": "Τ", "X": "Χ", "Y": "Υ", "Z": "Ζ", "v": "ν",
})  # fmt: skip
_LEET: Mapping[str, str] = MappingProxyType({
    "a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7", "l": "1", "g": "9", "b": "8",
})  # fmt: skip


def _zero_width(word: str, rng: random.Random) -> str:
    cut = rng.randrange(1, len(word))
    return word[:cut] + rng.choice(_ZERO_WIDTH) + word[cut:]


def _fullwidth(word: str, rng: random.Random) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) for ch in word)  # ASCII ! .. ~ map to U+FF01 .. U+FF5E


def _homoglyphs(word: str, rng: random.Random) -> str:
    return "".join(_HOMOGLYPHS.get(ch, ch) for ch in word)


def _leetspeak(word: str, rng: random.Random) -> str:
    return "".join(_LEET.get(ch.lower(), ch) for ch in word)


def _spaced(word: str, rng: random.Random) -> str:
    return " ".join(word)


def _hyphenated(word: str, rng: random.Random) -> str:
    return "-".join(word)


OPERATORS: Mapping[str, WordRewrite] = MappingProxyType({
    "zero_width": _zero_width,
    "fullwidth": _fullwidth,
    "homoglyphs": _homoglyphs,
    "leetspeak": _leetspeak,
    "spaced": _spaced,
    "hyphenated": _hyphenated,
})  # fmt: skip


def apply_operator(name: str, text: str, seed: int) -> str:
    """`text` with operator `name` applied to a seeded half of its words (at least one)."""
    try:
        rewrite = OPERATORS[name]
    except KeyError:
        raise ValueError(f"unknown evasion operator {name!r}: choose from {sorted(OPERATORS)}") from None
    words = list(_WORD.finditer(text))
    if not words:
        return text
    # A string seed is hashed with SHA-512 by `random`, so it is stable across processes and runs.
    rng = random.Random(f"{seed}\x00{name}\x00{text}")
    chosen = [m for m in words if rng.random() < WORD_SHARE] or [rng.choice(words)]
    out: list[str] = []
    last = 0
    for match in chosen:
        out.append(text[last : match.start()])
        out.append(rewrite(match.group(), rng))
        last = match.end()
    out.append(text[last:])
    return "".join(out)
