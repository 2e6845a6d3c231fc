"""Person names where a person names themselves or signs, with no model installed.

Without NER (the optional Presidio tier) a name cannot be told from any other capitalised word,
but the places people put their own name can: "my name is ...", "Name: ...", "I'm ...",
"this is ... from ...", and a sign-off ("Regards,\\nJane Doe", "Cheers, Jo"). Those cues find the
commonest way a name leaks into a message an agent writes.

Strong cues ("my name is", "Name:", a sign-off) accept any capitalised name. Weak cues ("I'm",
"I am", "this is") are also how people say "I'm Sorry" or "This Is Why..." in a title-case
headline, so there the name must not be a function word or a common predicate, and must not run
on into more title-case words.

The patterns are RE2 (`google-re2`): linear time whatever the input. The text is normalized first
(accents folded), so a name is letters, apostrophes and hyphens.
"""

from __future__ import annotations

import re2

from tractatus.governance.ascii_gate import may_search
from tractatus.governance.detectors.lexicon import FUNCTION_WORDS
from tractatus.governance.detectors.pii_match import PiiMatch

# A name word: capitalised, then letters ("McDonald", "O'Brien", "Heinz-Gunter"). Words are
# separated by spaces or tabs only, so a signature never runs on into the next line.
_WORD = r"\p{Lu}[\p{L}'’]*(?:-\p{L}[\p{L}'’]*)*"
_PARTICLE = r"(?:van|von|de|der|den|del|della|di|da|du|dos|das|la|le|bin|ibn|al|ter|ten|zu)"
_NAME = rf"{_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+){{0,2}}{_WORD}){{0,3}}"

_STRONG = (
    r"(?i:\bmy[ \t]+(?:full[ \t]+)?name[ \t]+is|\bmy[ \t]+name's|\bname[ \t]*:|\bcall[ \t]+me|\bsigned[ \t]*,?)"
    rf"[ \t]+(?P<strong>{_NAME})"
)
_SIGN_OFF = (
    r"(?i:\b(?:best|kind|warm|warmest|many)?[ \t]*regards|\bbest[ \t]+wishes|\b(?:yours[ \t]+)?(?:sincerely|truly|faithfully)"
    r"|\bcheers|\bthanks|\bthank[ \t]+you|\bmany[ \t]+thanks|\bbest|\byours|\brespectfully|\bcordially|\blove)"
    rf"[ \t]*(?:,[ \t]*(?:\r?\n[ \t]*)?|\r?\n[ \t]*)(?P<sign_off>{_NAME})[ \t]*[.!]?[ \t]*(?:\r?\n|$)"
)
_WEAK = rf"(?i:\bi'm|\bi[ \t]+am|\bthis[ \t]+is)[ \t]+(?P<weak>{_NAME})"
# One scan for the three kinds of cue: an RE2 call costs about 8 microseconds on 1 KB whatever it
# looks for (and 25 substring tests as a gate cost more than that). Unicode letter classes need a
# DFA budget above RE2's default 8 MiB, or RE2 falls back to its slower NFA.
_OPTIONS = re2.Options()
_OPTIONS.max_mem = 64 << 20
_CUES = re2.compile(f"{_STRONG}|{_SIGN_OFF}|{_WEAK}", _OPTIONS)
_KINDS = tuple((kind, _CUES.groupindex[kind]) for kind in ("strong", "sign_off", "weak"))

# Words that follow the cues but are not names: function words, pronouns and what people are
# ("I'm Sorry", "This Is Why", "Thanks, Everyone", "Best, Team").
_NOT_NAMES = FUNCTION_WORDS | frozenset(
    "everyone everybody team guys folks friends again sorry happy glad sure fine ok okay well ready back new "  # noqa: SIM905
    "going trying looking writing calling done afraid tired excited really still always please hope yes hi "
    "hello dear thank thanks regards best mr mrs ms dr sir madam".split()
)
_CALL_ME_VERBS = frozenset(
    ("back", "later", "tomorrow", "tonight", "now", "when", "if", "at", "on", "a", "the")
)


def _first_word(name: str) -> str:
    return name.split()[0].strip("'’").lower()


def _weak_ok(text: str, name: str, end: int) -> bool:
    if any(part.strip("'’").lower() in _NOT_NAMES for part in name.split()):
        return False
    rest = text[end : end + 30].lstrip(" \t")
    return not rest[:1].isupper()  # "This Is Spinal Tap Live" runs on in title case: a headline


def find_self_named_people(text: str) -> list[PiiMatch]:
    """Names a person gives as their own or signs with, with offsets into `text`."""
    out: list[PiiMatch] = []
    if not may_search(_CUES, text):  # the usual case: one RE2 call, no match object
        return out
    for match in _CUES.finditer(text):
        # google-re2's Match.span() takes group numbers only.
        kind, group = next((k, g) for k, g in _KINDS if match.group(g) is not None)
        name = match.group(group)
        start, end = match.span(group)
        if kind == "weak":
            if not _weak_ok(text, name, end):
                continue
        elif _first_word(name) in (_NOT_NAMES | _CALL_ME_VERBS if kind == "strong" else _NOT_NAMES):
            continue
        out.append(PiiMatch("person", start, end, name, "self-named"))
    return out
