"""What a headline model reads: the model input, with words marking where the headline starts and
ends and whether it asks a question.

A bag of n-grams has no positions: "17 killed in floods" and "floods killed 17" weigh the same,
and so do "you" anywhere and a headline that opens on the reader. Clickbait's structures sit at
the edges of a headline (a leading count, "Here's", "This", "Can you", a closing "?"), so the
edges are made into words the n-grams can see: "0 things only nurses know" becomes
"xxstart 0 things only nurses know xxend", and the bigram "xxstart 0" is a leading number.
On `detector_train` (5-fold cross-validation) and on `detector_dev` the markers raise recall at a
fixed false-positive rate (docs/detectors-training.md has the numbers).

The markers are plain word tokens, so the exported model and its numpy inference need nothing
new; the model file records the input form (`meta.input`), so a model and the text it reads can
never be paired wrongly (`LearnedTier` applies the form its model names).
"""

from __future__ import annotations

from tractatus.governance.detectors.headline_style import MARKERS, style_words
from tractatus.governance.errors import PolicyError

START = "xxstart"
END = "xxend"
QUESTION = "xxquestion"
HEADLINE = "headline"  # the input form's name, as model files record it in `meta.input`
# The headline with its capitalisation style appended (`headline_style`): the only form that
# reads case, so it needs the cased text beside the model input.
STYLED_HEADLINE = "headline_styled"
FORMS = (HEADLINE, STYLED_HEADLINE)

_READABLE = {START: "(start)", END: "(end)", QUESTION: "(question)", **MARKERS}


def headline_input(text: str) -> str:
    """`text` (already `model_input`) with the edge markers around it."""
    stripped = text.strip()
    question = f" {QUESTION}" if stripped.endswith("?") or stripped.endswith("?!") else ""
    return f"{START} {stripped}{question} {END}"


def readable(term: str) -> str:
    """An n-gram as a finding shows it: the markers in words ("(start) 0" for a leading number)."""
    return " ".join(_READABLE.get(word, word) for word in term.split(" "))


def check_form(form: object) -> str | None:
    """A model file's input form, refused unless this module knows it (fail closed on load)."""
    if form is None or form in FORMS:
        return form
    raise PolicyError(f"model file: unknown input form {form!r}")


def input_form(text: str, form: str | None, cased: str | None = None) -> str:
    """What a model whose file names `form` reads (None: the model input itself). `cased` is
    `text` with its case (`headline_style.case_source`, same length); only the styled form reads it."""
    if form == STYLED_HEADLINE:
        if cased is None:
            raise ValueError("the styled headline form needs the cased text")
        style = style_words(text, cased)
        return f"{headline_input(text)} {style}" if style else headline_input(text)
    return headline_input(text) if form == HEADLINE else text
