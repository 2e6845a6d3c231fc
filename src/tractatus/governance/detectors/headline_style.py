"""A headline's capitalisation style, as words a model can read.

The headline model reads lower-cased text (`model_input`), so case can never be used to hide a
headline from it. Yet publishers write their headlines in a house style: the clickbait sources
capitalise Every Word, Even "Of" And "The"; the news sources write sentence case ("Koalas
escape in Spain") or title case with the short words left small ("City Says Bridge Will Reopen
in May"). `style_words` names, for every word after the first, whether it is a short function
word and whether it starts with a capital: four marker words appended to the headline input
("xxcapfn xxcapword xxlowfn ..."), so a linear model can weigh the style beside the words.

A style is trivial to change, so no model that reads it is trained or trusted to read it alone
(see `trainers.STYLED_CLICKBAIT_MODEL`):
- both styled models are trained on every headline twice more: lower-cased (both classes) and, for
  news, with Every Word Capitalised, so neither writing in lower case nor a news headline in
  BuzzFeed's capitals is, by itself, evidence either way;
- `clickbait_restyled` also trains on clickbait in a news title case, and the policies average it
  with `clickbait_styled` (`combine: mean`), so re-styling a clickbait headline as news ("...
  Children When She Went to the Hospital") does not hide it. Both measured in
  docs/results/clickbait-dev.json (`cv`: out-of-fold recall of re-styled clickbait, news flagged
  once re-cased).
- a letter written as a digit ("700k") has no case and gives no marker (`case_source`), nor does a
  brand's spelling ("iPhone", `_brand_spelling`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tractatus.governance.ascii_table import AsciiTable

if TYPE_CHECKING:
    from tractatus.governance.normalize import NormalizedText

CAPITALISED_FUNCTION_WORD = "xxcapfn"
LOWER_FUNCTION_WORD = "xxlowfn"
CAPITALISED_WORD = "xxcapword"
LOWER_WORD = "xxlowword"
MARKERS = {
    CAPITALISED_FUNCTION_WORD: "(capitalised short word)",
    LOWER_FUNCTION_WORD: "(short word in lower case)",
    CAPITALISED_WORD: "(capitalised word)",
    LOWER_WORD: "(word in lower case)",
}
# The short words a news title case leaves small (articles, prepositions, conjunctions, forms of
# "be" and "have"): their capitals are what sets Every-Word title case apart.
FUNCTION_WORDS = frozenset(
    ["a", "an", "the", "of", "to", "in", "on", "for", "with", "and", "or", "but", "is", "are", "at", "by", "from", "as", "it", "its", "be", "was", "has", "have", "into", "over", "up", "out", "off"]
)
_WORD = re.compile(r"\S+")
# A lower-case letter followed by a capital (normalization has already folded fullwidth letters
# and homoglyphs to these): a flip inside a word, the mark of case noise.
_LOWER_THEN_UPPER = re.compile(r"[a-zß-ÿ][A-ZÀ-Þ]")
_NOISE_WINDOW = 1000  # characters read for case noise: a headline model reads the first 300
# In ASCII text `_LOWER_THEN_UPPER` is [a-z][A-Z]: one byte translation to the text's case shape
# ("a" small, "A" capital, " " anything else) and a count of "aA" in C give the number of flips
# (two flips never overlap: the second letter of one is a capital, the first of the next is not),
# ~2 µs per kilobyte where the regex took ~28 µs on every published text.
_CASE_SHAPE = AsciiTable({chr(c): "a" if chr(c).islower() else "A" if chr(c).isupper() else " " for c in range(128)})
_FUNCTION_WORD_MARKERS = (LOWER_FUNCTION_WORD, CAPITALISED_FUNCTION_WORD)  # indexed by "is capitalised"
_WORD_MARKERS = (LOWER_WORD, CAPITALISED_WORD)


def case_source(normalized: NormalizedText) -> str:
    """The characters whose case `style_words` reads: `.text`, where a letter written as a digit or
    a symbol ("7ook", "$ick") is still that digit (its case is unknown, so it gives no marker),
    when it lines up with `.words` (the decoding keeps the length; joining spelled-out letters
    does not); else `.words`, where decoded letters are lower case."""
    text, words = normalized.text, normalized.words
    cased = text if len(text) == len(words) else words
    # A text in aLtErNaTiNg case has no house style, only noise: it is read as lower case, the
    # variant every styled model was trained on (the lab's learned adversary found that case
    # noise made a headline read as news: attack success 0.12 -> 0.23 at 9ed442e, `case_mix`).
    if not _has_case_noise(cased):
        return cased
    lowered = cased.lower()
    # "İ" is the one character whose lower case is two: keep it, so offsets still line up.
    return lowered if len(lowered) == len(cased) else "".join(ch if ch == "İ" else ch.lower() for ch in cased)


def _has_case_noise(text: str) -> bool:
    """Three or more lower-to-upper flips inside words ("tHeSe cOpS": four). A brand name flips
    once ("iPhone", "McDonald's"); a text with three of them is read as lower case too, which costs
    only its markers (`model_input` is lower case anyway), never a finding's evidence."""
    window = text[:_NOISE_WINDOW]
    if window.isascii():
        return _CASE_SHAPE.translate(window).count("aA") >= 3
    return len(_LOWER_THEN_UPPER.findall(window)) >= 3


def style_words(text: str, cased: str) -> str:
    """The style markers of `text` (the model input, lower case), read from `cased` (the same
    characters with their case, `case_source`, which has the model input's length). A word whose
    first character has no case there (leetspeak: "7ook") gives no marker: a writer who hides
    letters behind digits must not make a headline read as sentence case."""
    if len(cased) < len(text):
        raise ValueError("the cased text must cover the model input")
    cased = cased[: len(text)]
    if "_" in cased or "~" in cased:  # `.words` turned these into spaces: the words may not line up
        return style_words_by_position(text, cased)
    # Same length and the same whitespace, so the two splits pair each word with itself; one
    # comprehension over the pairs costs a quarter of the loop below (a headline model reads
    # 300 characters of every published text). tests/governance/learning/test_headline_style.py
    # checks both give the same markers.
    # The condition is `not _brand_spelling(shaped)` with its usual answers first (a capital, or a
    # word in lower case throughout): a call on every word cost ~15 µs on a 300-character headline,
    # a third of this function; only a word that starts small and holds a capital makes the call.
    words = [(word, shaped) for word, shaped in zip(text.split(), cased.split(), strict=True) if word[0].isalpha()]
    return " ".join(
        (_FUNCTION_WORD_MARKERS if word in FUNCTION_WORDS else _WORD_MARKERS)[capital]
        for word, shaped in words[1:]  # every style capitalises the first word
        if (first := shaped[0]).isalpha()
        and ((capital := first.isupper()) or shaped.islower() or not first.islower() or not _brand_spelling(shaped))
    )


def _brand_spelling(word: str) -> bool:
    """A word whose first letters are small and run straight into a capital ("iPhone", "eBay",
    "iOS"): its case is the brand's, the same in every house style, so it gives no marker. A small
    prefix joined by a hyphen or an apostrophe ("al-Qaeda", "pre-Obama") is sentence case, and
    still reads as a word in lower case. Read as a word in lower case, a brand made a BuzzFeed
    headline look like sentence case (news): session 7, on dev, a headline in Every Word
    Capitalised about an iPhone update scored 0.12, and 0.95 with "Phone" in its place."""
    if not word[0].islower():
        return False
    for character in word:
        if not character.islower():
            return character.isupper()
    return False


def style_words_by_position(text: str, cased: str) -> str:
    """`style_words`, reading the case at each word's offset: for texts whose two forms may not
    split alike."""
    markers: list[str] = []
    first = True
    for m in _WORD.finditer(text):
        word = m.group()
        if not word[0].isalpha():  # a count ("0 things"), a quote or a symbol has no case
            continue
        if first:  # every style capitalises the first word
            first = False
            continue
        first_letter = cased[m.start()]
        if not first_letter.isalpha() or _brand_spelling(cased[m.start() : m.end()]):
            continue
        capital = first_letter.isupper()
        if word in FUNCTION_WORDS:
            markers.append(CAPITALISED_FUNCTION_WORD if capital else LOWER_FUNCTION_WORD)
        else:
            markers.append(CAPITALISED_WORD if capital else LOWER_WORD)
    return " ".join(markers)


def every_word_capitalised(text: str) -> str:
    """`text` in the clickbait sources' house style ("Koalas Escape In Spain"): the news
    variant the styled model trains on, and the stress test its report measures."""
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


def news_title_case(text: str) -> str:
    """`text` in a news title case ("These Cops Took Care of a Sick Woman's Five Children"): the
    first word as written, the short function words small, every other word capitalised. The
    re-styling an evasive writer would try first; `clickbait_restyled` trains on it."""
    words = text.split(" ")
    rest = [word.lower() if word.lower() in FUNCTION_WORDS else word[:1].upper() + word[1:] for word in words[1:]]
    return " ".join([words[0], *rest])
