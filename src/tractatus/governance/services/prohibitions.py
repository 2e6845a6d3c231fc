"""Prohibitions: what an instruction forbids, and whether an action does it.

Extraction (used by the classifier) reads phrase patterns, not lone negations:

- a prohibition cue at the head of a clause: "never use X", "don't X", "do not X", "must not X",
  "avoid X", "refrain from X", "you may not X", "no X" (only at the start of a clause, so
  "there is no problem" forbids nothing);
- "X is not allowed / forbidden / prohibited / banned".

After a usage verb ("never use MongoDB or Redis") the prohibited things are the objects
("mongodb", "redis"); after any other verb ("don't deploy on fridays") the prohibited thing is the
verb phrase ("deploy on fridays"). Negated verbs that ask for the opposite ("don't forget",
"don't hesitate", "never stop") are reminders, not prohibitions.

Matching (used by the cross-reference validator) looks for the prohibited words in order, on word
boundaries, allowing inflections ("deleting", "emojis") and up to two words in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tractatus.governance.lazy_pattern import lazy_compile
from tractatus.governance.services.patterns import STOPWORDS, alternation, words

# Verbs whose object is the prohibited thing: "never use X" forbids X itself.
USAGE_VERBS = (
    "use", "using", "include", "including", "mention", "mentioning", "add", "adding", "employ", "rely on",
    "depend on", "call", "calling", "install", "import", "publish", "post", "generate", "produce", "create",
    "make", "connect to", "choose", "pick", "recommend", "show", "display", "print", "put", "write", "touch",
    "resort to", "go with", "switch to", "expose", "reveal", "share", "store", "log", "hardcode", "commit",
)
# Negated verbs that ask for the opposite: "don't forget X" means "remember X".
REMINDER_VERBS = ("forget", "hesitate", "worry", "miss", "panic", "mind", "stop", "fail", "neglect", "give up", "be afraid")
# Nouns after a clause-initial "no" that make an idiom, not a rule: "no problem", "no worries".
_NO_IDIOMS = words("problem problems worries worry thanks idea doubt way matter need one rush pressure")
# A later list item that starts with one of these is a new directive, not another forbidden thing:
# "no clickbait, keep accuracy" forbids clickbait only.
_DIRECTIVE_STARTS = words(
    "keep use make ensure be stay maintain write add remove follow prefer always please "
    "include focus check try do instead but rather just only cite verify respect protect"
)
_ARTICLES = lazy_compile(r"^(?:the|a|an|any|some|your|our|their|my|its|this|that|these|those|to|into|onto|all)\s+", re.IGNORECASE)

_CUE = (
    r"(?:never(?:\s+ever)?|do\s+not|don't|dont|must\s+not|mustn't|shall\s+not|should\s+not|shouldn't|"
    r"(?:you\s+)?(?:may\s+not|cannot|can't|are\s+not\s+allowed\s+to|aren't\s+allowed\s+to)|"
    r"avoid|refrain\s+from|no\s+longer|stop(?=\s+(?:using|adding|including|mentioning|posting|publishing|writing|calling|generating)\b))"
)
_CLAUSE_HEAD = r"(?:^|(?<=[.;:!?\n,(])|\band\b|\bbut\b|\bplease\b|\balso\b|\bthen\b)\s*"
_CUE_PATTERN = lazy_compile(
    _CLAUSE_HEAD + r"(?:you\s+|we\s+)?(?:must\s+|should\s+|shall\s+|will\s+)?(?P<cue>" + _CUE + r")\s+(?:(?:ever|again|anymore|any\s+more)\s+)?(?P<rest>[^.;:!?\n]{1,200})",
    re.IGNORECASE,
)
_NO_PATTERN = lazy_compile(_CLAUSE_HEAD + r"no\s+(?P<rest>[^.;:!?\n]{1,200})", re.IGNORECASE)
# "X is not allowed": the regex finds the verdict; the (at most two) words before it are read in
# Python, because a regex that captures the words first backtracks quadratically on long tokens.
_PASSIVE_TAIL = lazy_compile(
    r"\s+(?:is|are)\s+(?:strictly\s+)?(?:not\s+allowed|not\s+permitted|forbidden|prohibited|banned|off[\s-]+limits)\b",
    re.IGNORECASE,
)
_THING_WORD = lazy_compile(r"[\w.+#-]{1,64}$")
_USAGE_HEAD = lazy_compile(r"^" + alternation(USAGE_VERBS) + r"\b\s*", re.IGNORECASE)
_REMINDER_HEAD = lazy_compile(r"^" + alternation(REMINDER_VERBS) + r"\b", re.IGNORECASE)
# An object ends where a preposition or subordinate clause starts: "never use port 27017 in
# production" forbids "port 27017".
_OBJECT_END = lazy_compile(r"\s+(?:in|on|for|with|when|if|unless|except|because|since|while|during|at|from|as)\b.*$", re.IGNORECASE)
_LIST_SPLIT = lazy_compile(r"\s*(?:,\s*(?:or|and|nor)?|\bor\b|\bnor\b|\band\b)\s*", re.IGNORECASE)
_MAX_WORDS = 5
_CUE_HINTS = ("never", "not", "n't", "dont", "avoid", "refrain", "stop", "cannot", "longer")
_PASSIVE_HINTS = ("allowed", "permitted", "forbidden", "prohibited", "banned", "limits")


@dataclass(frozen=True, slots=True)
class ProhibitionMatch:
    """A prohibition found in an instruction, with the span of the clause that states it."""

    term: str
    start: int
    end: int
    permanent: bool  # stated with "never": holds beyond the task at hand


_PRONOUNS = words("it this that them these those anything everything something nothing one so")


def _clean(thing: str) -> str:
    """The prohibited thing in canonical form, or "" when it names nothing checkable.

    A pronoun ("never commit it") or a phrase of function words only ("don't do that") refers to
    something said elsewhere; matching it literally would flag every text holding "it".
    """
    thing = " ".join(thing.lower().split()).strip(" '\"`*")
    while True:
        stripped = _ARTICLES.sub("", thing)
        if stripped == thing:
            break
        thing = stripped
    words = thing.split()[:_MAX_WORDS]
    if not words or words[0] in _PRONOUNS or all(w in STOPWORDS or w in _PRONOUNS for w in words):
        return ""
    return " ".join(words)


def _objects(rest: str) -> list[str]:
    """The forbidden things after a usage verb or "no": "X, Y or Z" gives three."""
    rest = _OBJECT_END.sub("", rest)
    items = [i for i in _LIST_SPLIT.split(rest) if i and i.strip()]
    out: list[str] = []
    for index, item in enumerate(items):
        words = item.lower().split()
        if index > 0 and (words[0] in _DIRECTIVE_STARTS or len(words) > 3):
            break
        cleaned = _clean(item)
        if cleaned:
            out.append(cleaned)
    return out


def extract(text: str) -> list[ProhibitionMatch]:
    """Every prohibition stated in `text` (an instruction), in order of appearance."""
    found: list[ProhibitionMatch] = []
    lowered = text.lower()
    # Substring gates first: most instructions forbid nothing, and a substring test is far
    # cheaper than a clause-head regex over the whole text.
    cue_possible = any(cue in lowered for cue in _CUE_HINTS)
    for m in _CUE_PATTERN.finditer(text) if cue_possible else ():
        rest = m.group("rest").strip()
        if _REMINDER_HEAD.match(rest):
            continue
        permanent = m.group("cue").lower().startswith("never")
        usage = _USAGE_HEAD.match(rest)
        if usage:
            terms = _objects(rest[usage.end() :])
        elif m.group("cue").lower() in ("avoid", "refrain from", "stop", "no longer"):
            terms = _objects(rest)  # "avoid jargon", "refrain from emojis": the object itself
        else:
            terms = [_clean(re.split(r",", rest, maxsplit=1)[0])]  # "don't deploy on fridays": the verb phrase
        found.extend(ProhibitionMatch(t, m.start("cue"), m.end(), permanent) for t in terms if t)
    for m in _NO_PATTERN.finditer(text) if "no" in lowered else ():
        rest = m.group("rest").strip()
        first = rest.split()[0].lower().strip(",") if rest.split() else ""
        if not first or first in _NO_IDIOMS or first in ("longer", "more", "one", "matter") or first.isdigit():
            continue
        found.extend(ProhibitionMatch(t, m.start(), m.end(), False) for t in _objects(rest))
    for m in _PASSIVE_TAIL.finditer(text) if any(v in lowered for v in _PASSIVE_HINTS) else ():
        head = text[max(0, m.start() - 130) : m.start()].split()[-2:]
        words = [w for w in head if _THING_WORD.match(w) and w.lower() not in STOPWORDS]
        term = _clean(" ".join(words))
        if term:
            start = m.start() - sum(len(w) + 1 for w in head)
            found.append(ProhibitionMatch(term, max(0, start), m.end(), False))
    # The same thing stated twice is one prohibition; keep the first (and its permanence, if any).
    unique: dict[str, ProhibitionMatch] = {}
    for match in sorted(found, key=lambda p: p.start):
        if match.term not in unique:
            unique[match.term] = match
        elif match.permanent and not unique[match.term].permanent:
            unique[match.term] = ProhibitionMatch(match.term, unique[match.term].start, unique[match.term].end, True)
    return list(unique.values())


def _inflectable(token: str) -> bool:
    return len(token) >= 4 and token.isalpha()


def _base(token: str) -> str:
    """The part of a word its inflections share: "delete" -> "delet", "emojis" -> "emoji"."""
    if not _inflectable(token):
        return token
    base = token[:-1] if token.endswith("e") else token
    return base[:-1] if base.endswith("s") and not base.endswith("ss") else base


def _token_pattern(token: str) -> str:
    """A word with its inflections: "emoji" matches "emojis", "delete" matches "deleting"."""
    if _inflectable(token):
        return re.escape(_base(token)) + r"\w{0,3}"
    return re.escape(token) + r"(?:s|es)?"


def term_anchor(term: str) -> str:
    """A lower-case substring that every match of `term_pattern(term)` contains."""
    tokens = [t for t in re.split(r"[\s_]+", term) if t]
    return max((_base(t) for t in tokens), key=len) if tokens else term


def term_pattern(term: str) -> re.Pattern[str]:
    """The regex that finds `term` in an action's text (case-insensitive, word boundaries)."""
    tokens = [t for t in re.split(r"[\s_]+", term) if t]
    body = r"\W+(?:\w+\W+){0,2}?".join(_token_pattern(t) for t in tokens)
    return re.compile(r"(?<![\w])" + body + r"(?![\w])", re.IGNORECASE)

