"""Text normalization every detector runs first.

Evasion is the first thing an optimizing agent learns, so detectors never match on raw text.
`normalize(text)` builds a `NormalizedText` with two views of the text:

- `.text`: what the PII, compliance and most phrase detectors match on. Unicode is folded
  (NFKC, confusable homoglyphs such as Cyrillic/Greek/fullwidth/math letters -> Latin, diacritics
  dropped, non-ASCII digits -> ASCII digits, curly quotes and dashes -> ASCII), zero-width and
  bidi controls are removed, encoded payloads (base64, hex, %-encoding, HTML entities) are decoded
  in place, letters spelled out one by one ("c l i c k", "f-r-e-e") are joined, and obfuscated
  e-mail addresses ("name at example dot com", "name [at] example [dot] com") are rewritten as
  addresses. Digits are left alone so that phone, card and IBAN checks still work.
- `.words`: `.text` with leetspeak decoded inside words ("1d10t" -> "idiot", "fr33" -> "free",
  "$tupid" -> "stupid") and spelled-out letters joined even when they are leet digits. For word
  detectors only (abuse, clickbait). Built lazily: PII never pays for it.

Every stage records where it changed the text (`_Edit`), so a match in either view maps back
to the ORIGINAL text with `to_original_span(start, end)` (or `words_to_original_span`). A
decoded payload maps to the span of the encoded token. Evidence and redaction use these spans.

Speed: the text pipeline has a budget of about a millisecond per KB, so every stage is a
precompiled regex whose callback only runs where there is something to change, and ASCII text
skips the Unicode stage entirely.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import html
import json
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cache
from importlib.resources import files as _resource_files
from types import MappingProxyType
from typing import Any, Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import unquote_to_bytes

from tractatus.governance.actions import Span
from tractatus.governance.ascii_gate import AsciiGate, gate_source, leftmost_start, may_search, unnamed_groups
from tractatus.governance.ascii_table import AsciiTable

# -- offset bookkeeping ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Edit:
    """One replacement made by a stage: input [src_start, src_end) became output [dst_start, dst_end)."""

    src_start: int
    src_end: int
    dst_start: int
    dst_end: int


class _StageMap:
    """Maps positions in one stage's output back to positions in its input."""

    __slots__ = ("_dst_starts", "_edits")

    def __init__(self, edits: Sequence[_Edit]) -> None:
        self._edits = tuple(edits)
        self._dst_starts = [edit.dst_start for edit in self._edits]

    def start(self, pos: int) -> int:
        """Map a start offset: inside a replacement it snaps to the replacement's start."""
        index = bisect_right(self._dst_starts, pos) - 1
        if index < 0:
            return pos
        edit = self._edits[index]
        if pos < edit.dst_end:
            return edit.src_start
        return pos - edit.dst_end + edit.src_end

    def end(self, pos: int) -> int:
        """Map an exclusive end offset: inside a replacement it snaps to the replacement's end."""
        index = bisect_left(self._dst_starts, pos) - 1
        if index < 0:
            return pos
        edit = self._edits[index]
        if pos <= edit.dst_end:
            return edit.src_end
        return pos - edit.dst_end + edit.src_end


def _splice(text: str, replacements: Iterable[tuple[int, int, str]]) -> tuple[str, list[_Edit]]:
    """Apply ascending (start, end, new) replacements, recording an edit for each real change.

    A replacement that starts inside an earlier one, or changes nothing, is skipped.
    """
    edits: list[_Edit] = []
    out: list[str] = []
    cursor = 0
    delta = 0
    for start, end, new in replacements:
        if start < cursor or new == text[start:end]:
            continue
        out.append(text[cursor:start])
        out.append(new)
        edits.append(_Edit(start, end, start + delta, start + delta + len(new)))
        delta += len(new) - (end - start)
        cursor = end
    if not edits:
        return text, edits
    out.append(text[cursor:])
    return "".join(out), edits


def _substitute(pattern: re.Pattern[str], text: str, replace: Callable[[re.Match[str]], str | None]) -> tuple[str, list[_Edit]]:
    """`pattern.sub` that records an edit for every match it actually changes.

    `replace` returns the replacement, or None to leave the match as it is.
    """
    return _splice(text, ((m.start(), m.end(), new) for m in pattern.finditer(text) if (new := replace(m)) is not None))


# -- stage 0: character references ("&#87;&#79;&#87;", "&#x57;", "&amp;") --------------------------
# Text that reaches a browser or a feed is read after its character references are resolved, so a
# detector must read it that way too: "&#89;ou &#87;on't" is "You Won't" to every reader. Resolved
# with the standard library's HTML5 table (`html.unescape`), one reference at a time so that each
# replacement is an edit the offset maps can follow. Before Unicode folding: a reference may name a
# homoglyph ("&#1072;" is a Cyrillic a).
_CHAR_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _resolve_reference(match: re.Match[str]) -> str | None:
    import html
    from html.entities import html5

    reference = match.group()
    if reference[1] != "#" and reference[1:] not in html5:
        return None  # "&notanentity;" is prose, although html.unescape reads its "&not" prefix
    resolved = html.unescape(reference)
    return None if resolved == reference else resolved


# -- stage 1: Unicode folding (NFKC, homoglyphs, invisibles, diacritics) --------------------------

_ASCII_TARGETS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'\"-.@:/!?$")
# Explicit folds NFKC leaves alone but an evader (or a word processor) uses for ASCII punctuation.
_PUNCTUATION_FOLDS: Mapping[str, str] = MappingProxyType({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ",
})  # fmt: skip
# Letters the confusables table misses but that evaders use as Latin letters.
_EXTRA_LETTERS: Mapping[str, str] = MappingProxyType({"\u0131": "i", "\u0237": "j", "\u0138": "k", "\u0142": "l", "\u0141": "L", "\u00f8": "o", "\u00d8": "O", "\u00df": "ss", "\u0111": "d", "\u0110": "D", "\u0127": "h"})


def _target_rank(source: str, target: str) -> int:
    """Which ASCII look-alike wins when a character resembles several: keep the letter case."""
    if target.isalpha():
        same_case = (source.isupper() and target.isupper()) or (not source.isupper() and target.islower())
        return 0 if same_case else 1
    if target.isdigit():
        return 2
    return 3


@cache
def _confusable_table() -> Mapping[str, str]:
    """Non-ASCII character -> the ASCII character it is confusable with (Unicode's confusables data).

    Built from the `confusable_homoglyphs` package (Unicode TR39 data) rather than a hand-kept
    table, so that new look-alikes come with the package. Built on first use, not at import:
    plain ASCII text never needs it, and loading it cost a CLI start-up ~50 ms (issue 12).
    """
    from confusable_homoglyphs import confusables as _confusables

    best: dict[str, tuple[int, str]] = {}

    def offer(source: str, target: str) -> None:
        if len(source) != 1 or source.isascii() or target not in _ASCII_TARGETS:
            return
        rank = _target_rank(source, target)
        if source not in best or rank < best[source][0]:
            best[source] = (rank, target)

    for key, entries in _confusables.confusables_data.items():
        key = key.replace("\u200e", "")
        for entry in entries:
            other = entry["c"].replace("\u200e", "")
            offer(other, key)
            offer(key, other)
    return MappingProxyType({source: target for source, (_, target) in best.items()})


def _fold_char(char: str) -> str:
    """The normalized form of one non-ASCII character (may be empty or longer than one char)."""
    if char in _PUNCTUATION_FOLDS:
        return _PUNCTUATION_FOLDS[char]
    category = unicodedata.category(char)
    if category == "Cf" or category == "Mn" or category == "Me":
        return ""  # zero-width, bidi controls, tags, variation selectors, combining marks
    if category == "Nd":
        return str(unicodedata.decimal(char))
    out = []
    for part in unicodedata.normalize("NFKC", char):
        if part.isascii():
            out.append(part)
            continue
        if part in _EXTRA_LETTERS:
            out.append(_EXTRA_LETTERS[part])
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", part) if not unicodedata.combining(c))
        if base.isascii() and base:
            out.append(base)
        elif part in (confusable := _confusable_table()):
            out.append(confusable[part])
        elif base in confusable:
            out.append(confusable[base])
        else:
            out.append(part)
    return "".join(out)


@cache
def _fold_table() -> Mapping[str, str]:
    """Precomputed folds for the ranges text normally uses (Latin, Greek, Cyrillic, punctuation,
    letterlike and enclosed forms, fullwidth); anything else is folded on the fly. Built on the
    first non-ASCII text, not at import."""
    table: dict[str, str] = {}
    for lo, hi in ((0x80, 0x3000), (0xFE00, 0xFFF0)):
        for code in range(lo, hi):
            char = chr(code)
            table[char] = _fold_char(char)
    return MappingProxyType(table)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _fold_unicode(text: str) -> tuple[str, list[_Edit]]:
    if text.isascii():
        return text, []  # nothing to fold, and no need to build the fold table
    edits: list[_Edit] = []
    out: list[str] = []
    cursor = 0
    delta = 0
    fold = _fold_table().get
    for match in _NON_ASCII.finditer(text):
        start, end = match.span()
        out.append(text[cursor:start])
        for offset, char in enumerate(match.group()):
            piece = fold(char)
            if piece is None:
                piece = _fold_char(char)
            out.append(piece)
            if len(piece) != 1:
                src = start + offset
                edits.append(_Edit(src, src + 1, src + delta, src + delta + len(piece)))
                delta += len(piece) - 1
        cursor = end
    out.append(text[cursor:])
    return "".join(out), edits


# -- stage 2: encoded payloads -----------------------------------------------------------------

# One scan finds both base64 and hex tokens: a leading character class lets the regex engine
# skip ahead quickly, where a look-behind would cost a full attempt at every position.
_ENCODED_TOKEN_SOURCE = r"[A-Za-z0-9+/_=-]{12,}"
_ENCODED_TOKEN = re.compile(_ENCODED_TOKEN_SOURCE)
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_B64_HINT = frozenset("0123456789+/=_-")
_HEX_ESCAPES = re.compile(r"(?:\\x[0-9A-Fa-f]{2}){3,}")
_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+(?:[^\s%]{0,3}(?:%[0-9A-Fa-f]{2})+)*")
_ENTITY_RUN = re.compile(r"(?:&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)+")
_MAX_DECODE_DEPTH = 2


def _as_text(data: bytes) -> str | None:
    """Decoded bytes count as a payload only if they are readable text, not binary noise."""
    if len(data) < 4:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for c in text if c.isprintable() or c in "\n\t\r")
    wordlike = sum(1 for c in text if c.isalnum() or c == " ")
    if printable < len(text) or wordlike * 10 < len(text) * 6:
        return None
    return text


def _decode_base64(token: str) -> str | None:
    body = token.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in body or "_" in body:
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _as_text(data)


def _decode_token(token: str) -> str | None:
    """A long token is a payload if it decodes, as hex or base64, to readable text."""
    body = token[2:] if token[:2] in ("0x", "0X") else token
    if body.isdigit():
        return None  # a long number (card, phone, id) is data, not an encoding
    if len(body) % 2 == 0 and _HEX_DIGITS.issuperset(body):
        return _as_text(bytes.fromhex(body))
    if _B64_HINT.isdisjoint(token):
        return None  # a long plain word: real base64 of text almost always has a digit or padding
    return _decode_base64(token)


def _decode_payloads(text: str, depth: int = 0, quiet: str | None = None) -> tuple[str, list[list[_Edit]]]:
    """Replace encoded payloads by what they decode to, one edit per payload (so a match inside
    the decoded text maps to the encoded token's span). Returns the text and one edit list per
    decoding pass that changed something. `quiet`: a text `_QUIET_GATE` found nothing in."""
    stages: list[list[_Edit]] = []

    def payload(decoded: str | None) -> str | None:
        if decoded is None:
            return None
        cleaned, _ = _fold_unicode(decoded)
        if depth < _MAX_DECODE_DEPTH:
            cleaned, _ = _decode_payloads(cleaned, depth + 1)
        # Padded with spaces so the payload never glues onto the words around it.
        return f" {cleaned} "

    passes: list[tuple[str | None, re.Pattern[str], Callable[[re.Match[str]], str | None]]] = [
        ("&", _ENTITY_RUN, lambda m: payload(_as_text(html.unescape(m.group()).encode("utf-8", "replace")))),
        ("%", _PERCENT_RUN, lambda m: payload(_as_text(unquote_to_bytes(m.group())))),
        ("\\x", _HEX_ESCAPES, lambda m: payload(_as_text(bytes.fromhex(m.group().replace("\\x", ""))))),
        (None, _ENCODED_TOKEN, lambda m: payload(_decode_token(m.group()))),
    ]
    for marker, pattern, decode in passes:
        if marker is not None and marker not in text:
            continue  # cheap pre-check: this encoding cannot be present
        if pattern is _ENCODED_TOKEN:
            if text is quiet:
                continue  # no run of 12 token characters (`_QUIET_GATE`)
            pattern = _encoded_tokens(text)  # the text as the earlier passes left it
            if not may_search(pattern, text):
                continue  # ASCII text without a run of 12 token characters: one RE2 call, no match object
        text, edits = _substitute(pattern, text, decode)
        if edits:
            stages.append(edits)
    return text, stages


# Necessary for `_deleet` to change ASCII text: a token (a run of letters, digits and leet
# symbols) with a letter and a character the decoding changes: a digit other than 2 and 6 (which
# `_LEET` keeps), or a symbol with a letter or digit after it in the token ("word!" changes nothing).
_LEET_TOKEN = "[A-Za-z0-9@$!|+]*"
_LEET_BY_LETTER = (
    rf"[A-Za-z]{_LEET_TOKEN}[013456789]|[013456789]{_LEET_TOKEN}[A-Za-z]"
    rf"|[A-Za-z]{_LEET_TOKEN}[@$!|+]{_LEET_TOKEN}[A-Za-z0-9]|[@$!|+]{_LEET_TOKEN}[A-Za-z]"
)
# Necessary for a `_SPELLED` match in ASCII text: three letters, each pair between separators,
# none inside a word (the separators need not repeat; the pattern only gates the scan).
_SPELLED_GATE = r"(?:^|[^A-Za-z0-9'])[A-Za-z][ .\-_*|]{1,2}[A-Za-z][ .\-_*|]{1,2}[A-Za-z](?:[^A-Za-z0-9]|$)"
# Necessary for a `_SPELLED_LEET` match that `_join_spelled_leet` keeps: three or more spelled
# characters of which one is a letter (a letter first, second, or after two others), each on its
# own (the one ending the gate's match is followed by a separator or a non-word character). Version
# numbers and dotted dates ("2.4.1") pass `_may_be_spelled` but hold no letter.
_SPELT_CHAR, _SPELT_SEP, _SPELT_LETTER = "[A-Za-z0-9@$]", "[ .\\-_*|]{1,2}", "[A-Za-z]"
_SPELLED_LEET_GATE = rf"(?:^|[^A-Za-z0-9'])(?:{_SPELT_LETTER}{_SPELT_SEP}{_SPELT_CHAR}{_SPELT_SEP}{_SPELT_CHAR}|{_SPELT_CHAR}{_SPELT_SEP}{_SPELT_LETTER}{_SPELT_SEP}{_SPELT_CHAR}|(?:{_SPELT_CHAR}{_SPELT_SEP}){{2,}}{_SPELT_LETTER})(?:[^A-Za-z0-9]|$)"


@cache
def _linear_patterns() -> tuple[Any, ...]:  # re2 patterns (the package ships no type hints)
    """RE2 forms of scans over every text, compiled on first use (importing re2 is ~10 ms of a
    CLI start-up): the encoded-token scan, then the gates of `word_forms`' stretched letters, of
    `_deleet`, of `_SPELLED` and of `_SPELLED_LEET` (each gate true wherever the scan it guards
    could change the text; tests/governance/test_fast_paths.py checks that)."""
    import re2

    return tuple(
        re2.compile(source)
        for source in (_ENCODED_TOKEN_SOURCE, "|".join(_TRIPLES), _LEET_BY_LETTER, _SPELLED_GATE, _SPELLED_LEET_GATE, _SPELLED_PRECHECK_SOURCE)
    )


_TRIPLE_GATE, _DELEET_GATE, _SPELLED_GATE_NUMBER, _SPELLED_LEET_GATE_NUMBER, _SPELLED_PRECHECK_NUMBER = 1, 2, 3, 4, 5


def _may_change(gate: int, text: str) -> bool:
    """False when the RE2 gate number `gate` (see `_linear_patterns`) proves that the scan it
    guards has nothing to change in `text`; non-ASCII text is never ruled out."""
    return not text.isascii() or leftmost_start(_linear_patterns()[gate], text.encode("ascii")) >= 0


def _encoded_tokens(text: str) -> re.Pattern[str]:
    """The pattern that finds encoded-token candidates in `text`.

    `re` retries `{12,}` at every character of a shorter word (quadratic in the word's length);
    RE2 scans once. Both find exactly the maximal runs of 12 or more token characters (a run
    cannot start inside a longer run, since the character before it is in the class too). RE2
    reads UTF-8 and has no form for a lone surrogate, so only ASCII text takes it."""
    return _linear_patterns()[0] if text.isascii() else _ENCODED_TOKEN


# -- stage 3: letters spelled out one by one ------------------------------------------------------
# A letter after an apostrophe ends a word ("won't b e l i e v e"): it is never spelled out.

_SPELLED = re.compile(r"(?<![A-Za-z0-9'])[A-Za-z](?P<sep>[ .\-_*|·]{1,2})[A-Za-z](?:(?P=sep)[A-Za-z])+(?![A-Za-z0-9])")
_SPELLED_LEET = re.compile(
    r"(?<![A-Za-z0-9'])[A-Za-z0-9@$](?P<sep>[ .\-_*|]{1,2})[A-Za-z0-9@$](?:(?P=sep)[A-Za-z0-9@$])+(?![A-Za-z0-9])"
)


# Three single characters in a row, each between separators: cheap to scan for (it starts with
# the separator class), and required by any spelled-out word of three or more letters.
_SPELLED_PRECHECK_SOURCE = r"[ .\-_*|][A-Za-z0-9@$][ .\-_*|]{1,2}[A-Za-z0-9@$][ .\-_*|]"
_SPELLED_PRECHECK = re.compile(_SPELLED_PRECHECK_SOURCE)
_SPELLED_AT_START = re.compile(r"[A-Za-z0-9@$][ .\-_*|]{1,2}[A-Za-z0-9@$][ .\-_*|]")


def _may_be_spelled(text: str) -> bool:
    if text.isascii():  # the precheck as one RE2 scan of the bytes (no look-arounds: exactly the same)
        return leftmost_start(_linear_patterns()[_SPELLED_PRECHECK_NUMBER], text.encode("ascii")) >= 0 or _SPELLED_AT_START.match(text) is not None
    return _SPELLED_PRECHECK.search(text) is not None or _SPELLED_AT_START.match(text) is not None


# Chat-speak is made of single letters too ("u r a star", "c u"): a run of only these is words.
_CHAT_LETTERS = frozenset("urycbnkaiURYCBNKAI")


def _join_spelled(match: re.Match[str]) -> str | None:
    letters = match.group()[:: len(match.group("sep")) + 1]
    if len(letters) < 3 or _CHAT_LETTERS.issuperset(letters):
        return None
    # "U.S.A." style abbreviations join harmlessly; a lone sentence like "I a m" cannot occur
    # because every joined piece must be a single letter.
    return letters


def _join_spelled_leet(match: re.Match[str]) -> str | None:
    letters = match.group()[:: len(match.group("sep")) + 1]
    if len(letters) < 3 or letters.isdigit() or not any(c.isalpha() for c in letters) or _CHAT_LETTERS.issuperset(letters):
        return None  # "1 2 3" stays a list of numbers
    return letters


_SPELLED_PAIR = re.compile(r"(?<![A-Za-z0-9'])[A-Za-z0-9@$] [A-Za-z0-9@$](?![A-Za-z0-9])")


def _join_pair(match: re.Match[str]) -> str:
    return match.group()[0] + match.group()[2]


_SPACED_APOSTROPHE = re.compile(r"(?<=[A-Za-z]) *' *(?=[A-Za-z])")


def _join_apostrophe(match: re.Match[str]) -> str:
    return "'"


# -- stage 3b: words split by hyphens ("bel-ieve", "jaw-drop-ping", "outra-geous") ---------------

# Telling a split word ("vac-cine") from a compound ("state-of-the-art", "earth-shattering")
# needs a vocabulary: two hyphen-joined pieces are joined when together they spell a common
# English word. The vocabulary is pyspellchecker's English word-frequency list (a maintained
# package that ships its data), not a hand-kept list; words seen fewer than this many times in
# its corpus are rare or noise ("ieve", "rding" never are words) and are left out.
_MIN_WORD_FREQUENCY = 50


@cache
def _vocabulary() -> frozenset[str]:
    # Loaded on the first hyphenated token, not at import: decompressing and parsing the list was
    # the largest single cost of a CLI start-up (~100 ms, issue 12).
    data = gzip.decompress((_resource_files("spellchecker") / "resources" / "en.json.gz").read_bytes())
    return frozenset(word for word, count in json.loads(data).items() if count >= _MIN_WORD_FREQUENCY and word.isalpha())


# A hyphen followed by a letter: the scan starts on the literal "-", so the regex engine skips
# ahead to hyphens (a letter-run pattern would make an attempt at every word of the text).
_HYPHEN_LETTER = re.compile(r"-[A-Za-z]")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HYPHENATED_CHARS = _ASCII_LETTERS | {"-"}


def _join_split_word(token: str) -> str:
    pieces = token.split("-")
    out = [pieces[0]]
    for piece in pieces[1:]:
        # Greedy from the left: "flu-rel-ated" -> "flu-related", "jaw-drop-ping" -> "jaw-dropping".
        # An upper-case start of the second piece ("New-York") is a name, not a split.
        if out[-1] and piece[:1].islower() and (out[-1] + piece).lower() in _vocabulary():
            out[-1] += piece
        else:
            out.append(piece)
    return "-".join(out)


def _join_split_words(text: str) -> tuple[str, list[_Edit]]:
    if "-" not in text:
        return text, []  # cheap pre-check: many texts hold no hyphen at all
    return _splice(text, _split_word_joins(text))


def _split_word_joins(text: str) -> Iterator[tuple[int, int, str]]:
    scanned = 0  # end of the last hyphenated token looked at
    size = len(text)
    for hit in _HYPHEN_LETTER.finditer(text):
        index = hit.start()
        if index < scanned or index == 0 or text[index - 1] not in _ASCII_LETTERS:
            continue
        start = index
        while start > 0 and text[start - 1] in _HYPHENATED_CHARS:
            start -= 1
        end = index + 1
        while end < size and text[end] in _HYPHENATED_CHARS:
            end += 1
        # A token glued to digits or "_" is an identifier or a code ("my_var-name", "x-86"): left alone.
        if (start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")) or (end < size and (text[end].isalnum() or text[end] == "_")):
            scanned = end
            continue
        scanned = end
        token = text[start:end].strip("-")
        start = text.index(token, start)
        end = start + len(token)
        yield start, end, _join_split_word(token)


# -- stage 4: obfuscated e-mail addresses ---------------------------------------------------------

# "(domain example.org)" or "domain: example.org" on the next line is how a form or a split
# message carries the domain; only across a line break, so "our site (domain x.org)" stays prose.
_AT_SEP = r"(?:[ \t]*\r?\n\s*\(?\s*domain\s*:?\s*|\s*[\[\(\{<]\s*(?:at|@)\s*[\]\)\}>]\s*|\s+at\s+|\s*@\s*|\s*\(?\s*@\s*\)?\s*)"
# A bare "." joins labels only without spaces, or with a space on BOTH sides ("example . com"),
# so that a sentence end ("... at all. The") never reads as a domain.
_DOT_SEP = r"(?:\s*[\[\(\{<]\s*(?:dot|\.)\s*[\]\)\}>]\s*|\s+dot\s+|\.|\s+\.\s+)"
_OBFUSCATED_EMAIL = re.compile(
    r"(?P<local>[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63}[A-Za-z0-9])?)"
    rf"(?P<at>{_AT_SEP})"
    rf"(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{{0,62}}[A-Za-z0-9])?(?:{_DOT_SEP}[A-Za-z0-9](?:[A-Za-z0-9-]{{0,62}}[A-Za-z0-9])?){{0,4}})"
    rf"(?P<dot>{_DOT_SEP})(?P<tld>[A-Za-z]{{2,12}})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_DOT_WORD = re.compile(r"(?i)\s+dot\s+|[\[\(\{<]\s*(?:dot|\.)\s*[\]\)\}>]")
_SEP_CLEAN = re.compile(r"(?i)\s*[\[\(\{<]?\s*(?:dot|\.)\s*[\]\)\}>]?\s*")
_WHITESPACE = re.compile(r"\s")
_LOCAL_PUNCTUATION = re.compile(r"[._%+\d-]")
_EMAIL_SEPARATORS = ("@", " at ", "[at]", "(at)", "{at}", "<at>", "[ at ]", "( at )", "[@]", "(@)", "domain:", "(domain")
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")


def _email_candidates(text: str) -> list[int]:
    """Start offsets of the words just before an @ or an "at" separator, found with str.find
    (a full-text regex scan costs ten times more and "at" is a common word)."""
    lowered = text.lower()
    starts: set[int] = set()
    for needle in _EMAIL_SEPARATORS:
        index = lowered.find(needle)
        while index >= 0:
            start = index
            while start > 0 and text[start - 1] in " \t\r\n[({<":  # a split across lines too
                start -= 1
            floor = max(0, start - 64)
            while start > floor and text[start - 1] in _LOCAL_CHARS:
                start -= 1
            if start < index and text[start] in _LOCAL_CHARS:
                starts.add(start)
            index = lowered.find(needle, index + 1)
    return sorted(starts)


# The address pattern as one RE2 scan (ascii_gate.py): ordinary ASCII text holds no candidate,
# and proving that takes ~10 µs where collecting the candidates " at " opens costs 15-30 µs.
_OBFUSCATED_EMAIL_GATE = AsciiGate("(?i)" + gate_source(_OBFUSCATED_EMAIL.pattern))

# Four scans of an ASCII text that find nothing in most texts, as one RE2 alternation (one scan
# costs what each of them does): encoded tokens, letters spelled out (both gates) and obfuscated
# e-mail addresses. Where it finds nothing in the text `normalize` was given, and a stage still
# holds that very text (nothing before it changed anything), the stage knows its own scan would
# find nothing too and skips it. tests/governance/test_fast_paths.py checks the four against it.
_QUIET_GATE = AsciiGate(
    "|".join(
        f"(?:{source})"
        for source in (_ENCODED_TOKEN_SOURCE, _SPELLED_GATE, _SPELLED_LEET_GATE, f"(?i:{unnamed_groups(gate_source(_OBFUSCATED_EMAIL.pattern))})")
    )
)


def _rewrite_emails(text: str) -> tuple[str, list[_Edit]]:
    if not _OBFUSCATED_EMAIL_GATE.may_match(text):
        return text, []
    return _splice(text, _email_rewrites(text))


def _email_rewrites(text: str) -> Iterator[tuple[int, int, str]]:
    for start in _email_candidates(text):
        match = _OBFUSCATED_EMAIL.match(text, start)
        if match is not None and (new := _rewrite_email(match)) is not None:
            yield start, match.end(), new


def _rewrite_email(match: re.Match[str]) -> str | None:
    at = match.group("at")
    domain_and_tld = match.group("domain") + match.group("dot") + match.group("tld")
    plain_at = at == "@"
    plain_dots = not _DOT_WORD.search(domain_and_tld) and not _WHITESPACE.search(domain_and_tld)
    if plain_at and plain_dots:
        return None  # an ordinary address: nothing to rewrite
    # "Our" + "domain: example.com" is a word, not the local part of an address; "kobrien" +
    # "(domain example.com)" is one: the parenthesis marks a field.
    if "domain" in at.lower() and "(" not in at and not _LOCAL_PUNCTUATION.search(match.group("local")):
        return None
    if at.strip().lower() == "at" and plain_dots and not _LOCAL_PUNCTUATION.search(match.group("local")):
        return None  # "looked at example.com": a word, then a site, not an address
    labels = _SEP_CLEAN.split(domain_and_tld)
    return f"{match.group('local')}@{'.'.join(label for label in labels if label)}"


# -- leetspeak (the .words view) -----------------------------------------------------------------

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})
_LEET_CHAR = re.compile(r"[0-9@$!|+]")
# A leet character with an ASCII letter before or after it (on ASCII text: `_deleet`'s test).
_LEET_NEXT_TO_LETTER = re.compile(r"[0-9@$!|+](?:(?<=[A-Za-z].)|(?=[A-Za-z]))")
_VERSION_TOKEN = re.compile(r"[vV]\d+$")
_WORD_JOINERS = re.compile(r"(?<=[A-Za-z])[_~]+(?=[A-Za-z])")
_LEET_TOKEN_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@$!|+")


def _decode_leet_token(token: str) -> str:
    """One token of `_LEET_TOKEN_CHARS` decoded: every character up to its last letter or digit
    (a symbol after it is punctuation: "idiot!"); letters map to themselves. Two C calls where a
    generator over the characters cost a Python step each (tests/governance/test_fast_paths.py
    compares it with that generator)."""
    head = token.rstrip("@$!|+")  # the token's symbols are the only characters that are not alphanumeric
    return head.translate(_LEET) + token[len(head) :]


def _deleet(text: str) -> str:
    """Decode leetspeak inside words that also hold letters ("1d10t", "fr33", "k!ll", "$tupid").

    Same length in, same length out, so `.words` shares `.text`'s offsets. Digits count as
    letters only inside a word with letters; symbols only when a letter or digit follows them,
    so trailing punctuation ("idiot!") and plain numbers ("2024", "v1.2") keep their meaning.
    """
    if text.isascii():
        # In ASCII text the tokens worth decoding are exactly those holding a match of the RE2
        # gate (_LEET_BY_LETTER: a letter and a character the decoding changes; such a token
        # always has a leet character next to a letter, so the loop below would take it too).
        # One RE2 scan then replaces a Python step per digit and symbol of the text.
        # (On bytes: ASCII offsets are the same, and RE2 skips mapping them back to characters.)
        # RE2 answers whether there is one and where the first starts; from the token holding it
        # (none before it can change), `_LEET_NEXT_TO_LETTER` lists the leet characters next to
        # a letter, the ones the loop below would take: a C scan that skips to leet characters,
        # where every further RE2 match would be a new search with its fixed cost.
        first = leftmost_start(_linear_patterns()[_DELEET_GATE], text.encode("ascii"))
        if first < 0:
            return text
        while first > 0 and text[first - 1] in _LEET_TOKEN_CHARS:
            first -= 1
        hits: Iterable[int] = (m.start() for m in _LEET_NEXT_TO_LETTER.finditer(text, first))
        checked = True
    else:
        hits = (m.start() for m in _LEET_CHAR.finditer(text))
        checked = False
    pieces: list[str] = []  # the text with the decoded tokens spliced in (slices: no list of characters)
    copied_until = 0
    done_until = -1
    size = len(text)
    for index in hits:
        if index < done_until:
            continue
        # Only a leet character next to a letter can be part of a word: "2.4.1" and "-9" are not.
        if not checked and not ((index > 0 and text[index - 1].isalpha()) or (index + 1 < size and text[index + 1].isalpha())):
            continue
        start = index
        while start > 0 and text[start - 1] in _LEET_TOKEN_CHARS:
            start -= 1
        end = index + 1  # the character at `index` is part of the token
        while end < size and text[end] in _LEET_TOKEN_CHARS:
            end += 1
        done_until = end
        token = text[start:end]
        if _VERSION_TOKEN.match(token) or (text[end : end + 1] == "." and text[end + 1 : end + 2].isdigit()):
            continue  # versions such as "v1.2" or "py3.11" keep their digits
        decoded = _decode_leet_token(token)
        if decoded != token:
            pieces.append(text[copied_until:start])
            pieces.append(decoded)
            copied_until = end
    if not pieces:
        return text
    pieces.append(text[copied_until:])
    return "".join(pieces)


# ASCII punctuation that separates words; "'", "-", "*", "#" and "%" stay inside tokens.
_TOKEN_SEPARATORS = AsciiTable({c: " " for c in "!\"$&()+,./:;<=>?@[\\]^_`{|}~"})
_TRIPLES = tuple(c * 3 for c in "abcdefghijklmnopqrstuvwxyz")
_STRETCHED = re.compile(r"([a-z])\1\1")
_STRETCHED_ANY = re.compile(r"([a-z])\1+")


def _has_triple(lowered: str) -> bool:
    """Whether a letter occurs three times in a row. On ASCII text one RE2 scan of the 26
    alternatives (a DFA, on bytes) replaces 26 substring searches, ~4x faster; other text keeps the
    searches (a back-reference regex costs as much, and RE2 cannot read a lone surrogate)."""
    if lowered.isascii():
        return _may_change(_TRIPLE_GATE, lowered)
    return any(triple in lowered for triple in _TRIPLES)


def _lower_same_length(text: str) -> str:
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    # A few characters ("İ") lower-case to two; keep those as they are so offsets still line up.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# -- the result -------------------------------------------------------------------------------


class NormalizedText:
    """The original text, its normalized views and the offset maps back to the original."""

    __slots__ = ("_forms", "_lower_text", "_lower_words", "_maps", "_may_spell", "_quiet", "_spelled", "_words", "_words_maps", "memo", "original", "text")

    original: str
    text: str

    def __init__(
        self, original: str, text: str, maps: Sequence[_StageMap], spelled: bool = False, may_spell: bool = True, quiet: bool = False
    ) -> None:
        self._spelled = spelled  # letters spelled out one by one were joined in `.text`
        self._may_spell = may_spell  # `.text` may still hold spelled-out (leet) letters
        self._quiet = quiet  # `.text` is a text `_QUIET_GATE` found nothing in
        self.original = original
        self.text = text
        self._maps = tuple(maps)
        self._words: str | None = None
        self._words_maps: tuple[_StageMap, ...] = ()
        self._lower_text: str | None = None
        self._lower_words: str | None = None
        self._forms: frozenset[str] | None = None
        # Results several checks derive from this text (e.g. PII matches), keyed by their producer.
        # It lives and dies with this one text: no state is shared between actions.
        self.memo: dict[Hashable, object] = {}

    @property
    def word_forms(self) -> frozenset[str]:
        """The lower-case words of `.words`, the parts of words joined by an apostrophe or a hyphen
        ("you're" -> "you", "re"), and stretched words folded ("idiooot" -> "idiot", "idioot"). Detectors intersect it with the words a pattern needs and skip patterns that
        cannot match: one set operation instead of a regex scan."""
        if self._forms is None:
            lowered = self.lower_words
            # translate + split run in C; a tokenizing regex costs four times as much.
            separated = _TOKEN_SEPARATORS.translate(lowered)
            tokens = set(separated.split())
            if "'" in separated or "-" in separated:  # two C scans spare most texts the loop
                for token in [t for t in tokens if "'" in t or "-" in t]:
                    # "you're" -> "you", "re": the pieces between apostrophes and hyphens (two C
                    # calls in place of a regex split; the empty pieces are dropped below).
                    tokens.update(token.replace("'", "-").split("-"))
                tokens.discard("")
            if _has_triple(lowered):
                for token in [t for t in tokens if _STRETCHED.search(t)]:
                    tokens.add(_STRETCHED_ANY.sub(r"\1", token))
                    tokens.add(_STRETCHED_ANY.sub(r"\1\1", token))
            self._forms = frozenset(tokens)
        return self._forms

    @property
    def lower_text(self) -> str:
        """`.text` lower-cased with offsets kept (so case-sensitive regexes can run on it, which
        is about twice as fast as IGNORECASE)."""
        if self._lower_text is None:
            self._lower_text = _lower_same_length(self.text)
        return self._lower_text

    @property
    def lower_words(self) -> str:
        """`.words` lower-cased with offsets kept."""
        if self._lower_words is None:
            self._lower_words = _lower_same_length(self.words)
        return self._lower_words

    @property
    def spelled_out(self) -> bool:
        """True when letters spelled out one by one were joined (in `.text` or `.words`): where two
        spelled words follow each other ("y o u a r e"), where one ends is then unknown."""
        _ = self.words
        return self._spelled or bool(self._words_maps)

    @property
    def changed(self) -> bool:
        """True when normalization changed anything (an evasion may be present)."""
        return self.text != self.original

    @property
    def words(self) -> str:
        """`.text` with leetspeak decoded and spelled-out leet letters joined (for word detectors)."""
        if self._words is None:
            text = self.text
            maps: list[_StageMap] = []
            spelled = self._spelled
            if self._may_spell and not self._quiet and _may_change(_SPELLED_LEET_GATE_NUMBER, text):
                text, edits = _substitute(_SPELLED_LEET, text, _join_spelled_leet)
                if edits:
                    maps.append(_StageMap(edits))
                    spelled = True
            if spelled:
                # Someone is spelling words out: two-letter words ("a n") and apostrophes
                # ("won ' t") are spelled out too.
                for pattern, join in ((_SPELLED_PAIR, _join_pair), (_SPACED_APOSTROPHE, _join_apostrophe)):
                    text, edits = _substitute(pattern, text, join)
                    if edits:
                        maps.append(_StageMap(edits))
            self._words_maps = tuple(maps)
            words = _deleet(text)
            if "_" in words or "~" in words:
                words = _WORD_JOINERS.sub(" ", words)  # "you_wont_believe": same length, same offsets
            self._words = words
        return self._words

    def to_original_span(self, start: int, end: int) -> Span:
        """Map [start, end) in `.text` to a span of `.original`, always inside it."""
        for stage in reversed(self._maps):
            start, end = stage.start(start), stage.end(end)
        return self._clamp(start, end)

    def words_to_original_span(self, start: int, end: int) -> Span:
        """Map [start, end) in `.words` to a span of `.original`."""
        _ = self.words
        for stage in reversed(self._words_maps):
            start, end = stage.start(start), stage.end(end)
        return self.to_original_span(start, end)

    def _clamp(self, start: int, end: int) -> Span:
        size = len(self.original)
        start = min(max(start, 0), size)
        end = min(max(end, start), size)
        return Span(start, end)

    def __repr__(self) -> str:
        return f"NormalizedText(text={self.text[:60]!r}{'...' if len(self.text) > 60 else ''})"


def normalize(text: str) -> NormalizedText:
    """Normalize `text` for detection. Never raises on any str, lone surrogates included."""
    maps: list[_StageMap] = []
    current = text
    if "&" in current:
        current, edits = _substitute(_CHAR_REFERENCE, current, _resolve_reference)
        if edits:
            maps.append(_StageMap(edits))
    if not current.isascii():
        current, edits = _fold_unicode(current)
        if edits:
            maps.append(_StageMap(edits))
    quiet = None if _QUIET_GATE.may_match(text) else text  # the text none of its four scans can match
    current, stages = _decode_payloads(current, quiet=quiet)
    maps.extend(_StageMap(edits) for edits in stages)
    spelled = False
    may_spell = _may_be_spelled(current)
    if may_spell and current is not quiet and _may_change(_SPELLED_GATE_NUMBER, current):
        current, edits = _substitute(_SPELLED, current, _join_spelled)
        if edits:
            maps.append(_StageMap(edits))
            spelled = True
    current, edits = _join_split_words(current)
    if edits:
        maps.append(_StageMap(edits))
    if current is not quiet:
        current, edits = _rewrite_emails(current)
        if edits:
            maps.append(_StageMap(edits))
    # The e-mail rewrite never creates single letters between separators, so the check on the
    # text before it still holds for the final text.
    return NormalizedText(text, current, maps, spelled, may_spell, quiet=current is quiet)
