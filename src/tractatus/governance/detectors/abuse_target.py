"""Whom a text aims at, for the abuse detector's learned tier: abuse needs a target.

The learned models were trained on tweets whose "offensive" class is mostly profanity, so they
score "fuck this bug", "I hate Mondays" and "this update is garbage and your support is useless"
as abusive. Abuse has a person or a group of people as its target; anger at a product, a
process or a weekday is feedback. So a learned score counts only when the text names someone:

- a second- or third-person pronoun ("you", "u", "she", "them", "people", "everyone"),
- a word that names a person or a group ("guy", "women", "immigrants", "hoes"), including the
  insult nouns and slurs the rules know, except the insults that fit things as well as people
  ("garbage", "trash", "a joke": "your product is garbage"),
- an @mention (a message addressed to someone).

What does not count: a hyphenated compound ("idiot-proof guide") and the writer calling
themselves names ("I'm such an idiot, I forgot the attachment").

The learned score is also taken without four things that only look abusive (`BenignSpans`):
a denied insult ("you are not an idiot"), a denied generalisation ("not all feminists hate
men"; the insult rules skip it too), the success idioms built on violent verbs
("you killed it at the presentation", "she is crushing it") and "hoe" the garden tool ("a rotary
hoe over the corn"). The text keeps its length, so the evidence offsets still map back to the original.
"""

from __future__ import annotations

import re

from tractatus.governance.detectors.group_hate import negated_generalisations
from tractatus.governance.lazy_pattern import lazy_compile

PERSON_PRONOUNS = (
    "you", "u", "ya", "yu", "yall", "y'all", "youre", "yourself", "yourselves", "thou", "he", "she", "him", "her",
    "his", "hers", "himself", "herself", "they", "them", "themselves", "people", "ppl", "everyone", "everybody",
    "anyone", "anybody", "someone", "somebody",
)  # fmt: skip
# Nouns that name a person by role, age, sex or relation.
PERSON_NOUNS = (
    "man", "men", "woman", "women", "girl", "girls", "boy", "boys", "guy", "guys", "dude", "dudes", "bro", "bros",
    "kid", "kids", "person", "persons", "folks", "lady", "ladies", "chick", "chicks", "mother", "mom", "mama",
    "father", "dad", "son", "daughter", "wife", "husband", "gf", "bf", "girlfriend", "boyfriend", "sister",
    "brother", "cousin", "family", "families", "parents", "children", "friend", "friends", "neighbor", "neighbors",
    "neighbour", "neighbours", "boss", "coworker", "coworkers", "colleague", "colleagues", "hoe", "hoes", "thot", "thots", "nigga", "niggas", "niggaz", "nicca", "niccas",
)  # fmt: skip
# Nouns that name a group of people (nationality, religion, orientation, politics, region), as
# abuse aimed at a group names it. Neutral words: being named is not being abused; the tier's
# score says whether the text abuses them.
GROUP_NOUNS = (
    "whites", "blacks", "jew", "jews", "muslim", "muslims", "christians", "gay", "gays", "lesbian", "lesbians",
    "immigrants", "refugees", "mexicans", "asians", "arabs", "africans", "liberals", "conservatives",
    "democrats", "republicans", "feminists", "cracker", "crackers", "redneck", "rednecks", "hillbilly",
    "hillbillies", "teabagger", "teabaggers", "coon", "coons", "muzzie", "muzzies", "savages", "fag", "fags",
    "dyke", "dykes", "queer", "queers", "white trash",
)  # fmt: skip
# Insult nouns that fit a thing as well as a person: on their own they name no one.
THING_INSULTS = frozenset((
    "trash", "garbage", "shit", "crap", "tool", "waste", "failure", "disgrace", "joke", "animal", "monster",
    "nobody", "turd", "pig", "swine", "snake", "worm", "rat", "cow", "clown", "freak", "waste of space",
    "piece of crap", "piece of garbage", "piece of trash", "piece of shit",
))  # fmt: skip

# Read on the normalized text (fullwidth, homoglyphs and zero-width characters undone), before
# leetspeak decoding turns "@" into "a"; a handle spelled out or hyphenated ("@d a v e") counts.
_MENTION = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[ .\-]?[A-Za-z0-9_])+")
# Hyphenated compounds stay one token: "idiot-proof" names a guide, not an idiot.
_TOKEN = re.compile(r"[\w']+(?:-[\w']+)*")
# Characters next to which a token may not be a word form (see `may_aim_at_someone`).
_FORMS_MAY_MISS = re.compile(r"[*#%@\x00-\x08\x0e-\x1b\x7f]")
_WORD_PIECES = re.compile(r"['-]")
_SELF_NAMED = lazy_compile(
    r"\b(?:i'?m|i\s+am|i\s+was|i\s+feel\s+like|call\s+me)(?:\s+(?:such|a|an|the|so|total|complete|real|fucking|big|little))*\s+[\w']+"
)


class TargetLexicon:
    """The words (and phrases) that name a person or group; built once per detector."""

    def __init__(self, person_insults: tuple[str, ...]) -> None:
        words = {*PERSON_PRONOUNS, *PERSON_NOUNS, *GROUP_NOUNS}
        for noun in person_insults:
            if noun not in THING_INSULTS:
                words.update((noun, noun + "s"))
        self._words = frozenset(w for w in words if " " not in w)
        self._phrases = tuple(f" {w} " for w in words if " " in w)  # matched on space-joined tokens
        # `may_aim_at_someone`'s words: the first piece (split at "'" and "-", as word forms are)
        # of every word and of every phrase's first word; a text that names someone has it.
        self._gate = frozenset(next(piece for piece in _WORD_PIECES.split(w.split()[0]) if piece) for w in words)

    def aims_at_someone(self, text: str, lower_words: str) -> bool:
        """True when the text names a person or a group it could be aimed at (module docstring).
        `text` and `lower_words` are the `NormalizedText` views of the same text."""
        if _MENTION.search(text):
            return True
        tokens = _TOKEN.findall(_SELF_NAMED.sub(" ", lower_words))
        joined = f" {' '.join(tokens)} "
        if any(phrase in joined for phrase in self._phrases):
            return True
        forms = set(tokens)
        forms.update(token.split("'", 1)[0] for token in tokens if "'" in token)  # "you're" -> "you"
        return not self._words.isdisjoint(forms)

    def may_aim_at_someone(self, text: str, lower_words: str, word_forms: frozenset[str]) -> bool:
        """False only where `aims_at_someone(text, lower_words)` is False: one set test on the
        text's word forms (`NormalizedText.word_forms`, built once per text) in place of the
        regex scans, for callers that need the answer only when it is True.

        Why it holds: on ASCII text every token `aims_at_someone` reads is bounded by characters
        at which the word forms cut too (whitespace, punctuation, "-" or "'"), except "*", "#",
        "%", "@" and control characters; so each piece of a target word (or of a phrase's first
        word) it finds is a word form. Text holding one of those characters, or any non-ASCII
        character (where `\\w` reads more than letters and digits), is never ruled out.
        tests/governance/detectors/test_abuse_target.py checks it on generated text."""
        if not lower_words.isascii() or _FORMS_MAY_MISS.search(lower_words) or "@" in text:
            return True
        return not self._gate.isdisjoint(word_forms)


# A negation, then fillers, then up to four words that may be an insult ("not a complete idiot").
_NEGATED = re.compile(
    r"(?:\bnot|\bnever|\bno\s+longer|n't)(?:\s+(?:a|an|the|such|so|that|really|being|even|at\s+all|complete|total))*"
    r"\s+([\w']+(?:\s+[\w']+){0,3})"
)
# Success idioms: "you killed it", "crushing it" (not "kill it with fire", "kill it now").
_SUCCESS_IDIOM = re.compile(
    r"\b(?:kill|kills|killed|killing|slay|slays|slayed|slaying|crush|crushed|crushing|murder|murdered|murdering)\s+it\b"
    r"(?!\s+(?:with|by|before|now|off)\b)"
)

# "hoe" the garden tool (and hoeing a field), a homonym of the slur the models learned: "a
# rotary hoe over the corn", "my dad's new garden hoe", "hoeing the beans". The tool needs its
# kind or its parts or a crop beside it; "she is a hoe" keeps its score.
_TOOL_HOE = re.compile(
    r"\b(?:garden|rotary|dutch|stirrup|draw|scuffle|wheel|warren|collinear|loop|push|oscillating|hula|weeding|grub)\s+hoes?\b"
    r"|\bhoes?\s+(?:handles?|blades?)\b"
    r"|\bhoe(?:s|d|ing)?\s+(?:the\s+|my\s+|our\s+|his\s+|her\s+)?(?:garden|rows?|beans|weeds|corn|soil|field|plot|beds?|potatoes|vegetables)\b"
)


class BenignSpans:
    """Blanks what only looks abusive before the learned tier scores a text (module docstring).

    Hand-written rather than one regex alternation of every insult: that alternation takes
    ~0.1-0.4 s to compile, inside the first check that needs it (the check timeout is 250 ms);
    a small regex and a set lookup cost nothing to build."""

    def __init__(self, insults: tuple[str, ...]) -> None:
        phrases = {" ".join(insult.split()) for insult in insults}
        self._insults = frozenset(phrases | {p + "s" for p in phrases} | {p + "es" for p in phrases})

    def _denied_end(self, words: str, start: int) -> int | None:
        """Where an insult that starts at `words[start:]`'s first word ends (the longest one)."""
        parts = list(re.finditer(r"[\w']+", words))
        for count in range(len(parts), 0, -1):
            if " ".join(m.group() for m in parts[:count]) in self._insults:
                return start + parts[count - 1].end()
        return None

    def blank(self, text: str) -> str:
        """`text` with denied insults and generalisations, success idioms and the garden tool replaced
        by spaces (same length)."""
        spans: list[tuple[int, int]] = [(m.start(), m.end()) for m in _SUCCESS_IDIOM.finditer(text)]
        spans.extend(negated_generalisations(text))
        if "hoe" in text:
            spans.extend((m.start(), m.end()) for m in _TOOL_HOE.finditer(text))
        for match in _NEGATED.finditer(text):
            end = self._denied_end(match.group(1), match.start(1))
            if end is not None:
                spans.append((match.start(), end))
        if not spans:
            return text
        chars = list(text)
        for start, end in spans:
            chars[start:end] = " " * (end - start)
        return "".join(chars)
