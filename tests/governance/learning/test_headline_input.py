"""The headline model's input form: edge markers, recorded in the model file, applied by the tier."""

from __future__ import annotations

import pytest

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.detectors.headline_input import (
    END,
    HEADLINE,
    QUESTION,
    START,
    check_form,
    headline_input,
    input_form,
    readable,
)
from tractatus.governance.detectors.learned_tier import LearnedTier, LearnedTierSettings
from tractatus.governance.detectors.text_model import load_model, model_input, tokenize
from tractatus.governance.errors import PolicyError
from tractatus.governance.normalize import normalize
from tractatus.governance.state import GovernanceState


def test_the_edges_become_words_the_ngrams_can_see() -> None:
    assert headline_input("00 things only nurses know") == f"{START} 00 things only nurses know {END}"
    assert headline_input("can you name this move?  ") == f"{START} can you name this move? {QUESTION} {END}"
    assert headline_input("really?!") == f"{START} really?! {QUESTION} {END}"
    # A leading number is now a bigram of its own; the same number inside is not.
    assert ("xxstart", "00") in set(zip(tokenize(headline_input("00 killed in floods")), tokenize(headline_input("00 killed in floods"))[1:]))
    assert "xxstart 00" not in headline_input("floods killed 00")


def test_unknown_input_forms_are_refused_and_none_reads_the_text_itself() -> None:
    assert check_form(None) is None and check_form(HEADLINE) == HEADLINE
    with pytest.raises(PolicyError):
        check_form("reversed")
    assert input_form("plain text", None) == "plain text"
    assert input_form("plain text", HEADLINE) == headline_input("plain text")


def test_evidence_names_markers_in_words() -> None:
    assert readable(f"{START} 0") == "(start) 0"
    assert readable(f"{QUESTION} {END}") == "(question) (end)"
    assert readable("you") == "you"


def _tier() -> LearnedTier:
    # A low warn probability: these tests are about the input form and the evidence, not about
    # where the policies operate (a quiz headline ending in "?" scores about 0.47: news questions
    # end in "?" too, so the question marker weighs against clickbait).
    settings = LearnedTierSettings(models=["clickbait"], kinds=["publish"], warn_probability=0.3, block_probability=0.9,
                                   block_severity="medium", evidence_terms=10, first_line_chars=300)  # fmt: skip
    return LearnedTier(settings, "clickbait")


def test_the_shipped_headline_model_names_its_input_form_and_the_tier_applies_it() -> None:
    model = load_model("clickbait")
    assert model.meta.get("input") == HEADLINE
    text = "Can You Name This Ballet Move?"
    ctx = CheckContext(action=Action(text=text, kind="publish"), text=normalize(text), state=GovernanceState())
    expected = model.probabilities(headline_input(model_input(normalize(text))))["clickbait"]
    assert _tier().score(ctx) == pytest.approx(expected, abs=1e-12)
    # ... and it is not the probability of the bare text (the markers carry weight).
    assert abs(expected - model.probabilities(model_input(normalize(text)))["clickbait"]) > 1e-6
    (finding,) = _tier().findings(ctx, "learned", "reads as clickbait")
    assert finding.evidence and "xxstart" not in finding.evidence and "xxend" not in finding.evidence


def test_the_tier_does_not_score_other_kinds() -> None:
    ctx = CheckContext(action=Action(text="Can You Name This", kind="message"), text=normalize("Can You Name This"), state=GovernanceState())
    assert _tier().score(ctx) is None and _tier().findings(ctx, "learned", "x") == []
