"""The headline's capitalisation style: markers, the styled input form, the training variants, and
that no way of writing the case hides a clickbait headline or makes a news headline clickbait."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tractatus.data.readers import LabelledText
from tractatus.governance.actions import Action, Verdict
from tractatus.governance.detectors.headline_input import (
    STYLED_HEADLINE,
    check_form,
    headline_input,
    input_form,
)
from tractatus.governance.detectors.headline_style import (
    CAPITALISED_FUNCTION_WORD,
    CAPITALISED_WORD,
    LOWER_FUNCTION_WORD,
    LOWER_WORD,
    case_source,
    every_word_capitalised,
    news_title_case,
    style_words,
    style_words_by_position,
)
from tractatus.governance.detectors.text_model import load_model, model_input
from tractatus.governance.governor import Governor
from tractatus.governance.learning.trainers import case_variants
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import load_policy

POLICIES = Path(__file__).resolve().parents[3] / "policies"


def _style(text: str) -> list[str]:
    normalized = normalize(text)
    return style_words(model_input(normalized), case_source(normalized)).split()


def test_every_word_after_the_first_is_marked_by_capital_and_kind() -> None:
    assert _style("These Dogs Went To The Beach") == [CAPITALISED_WORD, CAPITALISED_WORD, CAPITALISED_FUNCTION_WORD,
                                                      CAPITALISED_FUNCTION_WORD, CAPITALISED_WORD]
    assert _style("Dogs went to the beach") == [LOWER_WORD, LOWER_FUNCTION_WORD, LOWER_FUNCTION_WORD, LOWER_WORD]
    assert _style("Dogs Went to the Beach") == [CAPITALISED_WORD, LOWER_FUNCTION_WORD, LOWER_FUNCTION_WORD, CAPITALISED_WORD]
    # A count or a symbol has no case; the first word with letters is every style's capital.
    assert _style("17 Dogs Went") == [CAPITALISED_WORD]
    assert _style("") == [] and _style("Hello") == []


def test_the_style_is_read_through_the_evasions() -> None:
    # Fullwidth letters and zero-width spaces keep their case once normalized.
    assert _style("Ｔｈｅｓｅ Ｄｏｇｓ Ｗｅｎｔ") == _style("These Dogs Went")
    assert _style("These Do\u200bgs Went") == _style("These Dogs Went")


def test_a_letter_written_as_a_digit_has_no_case_and_gives_no_marker() -> None:
    # Decoded leetspeak is lower case in `.words`; read there, "700k" would mark a title-case
    # headline as sentence case (held-out leet retention fell to 88.7% before this was read from `.text`).
    assert _style("These C0ps 700k Care Of 4 Sick Dog") == [CAPITALISED_WORD, CAPITALISED_WORD, CAPITALISED_FUNCTION_WORD,
                                                            CAPITALISED_WORD, CAPITALISED_WORD]
    # Spelled-out letters joined change the length: the decoded words are read instead.
    spelled = normalize("These D o g s Went")
    assert len(case_source(spelled)) == len(model_input(spelled))


def test_the_styled_form_needs_the_cased_text_and_appends_the_markers() -> None:
    assert check_form(STYLED_HEADLINE) == STYLED_HEADLINE
    with pytest.raises(ValueError, match="cased"):
        input_form("dogs went", STYLED_HEADLINE)
    with pytest.raises(ValueError, match="cover"):
        style_words("dogs went to the beach", "Dogs")
    assert input_form("dogs went", STYLED_HEADLINE, "Dogs Went") == f"{headline_input('dogs went')} {CAPITALISED_WORD}"
    assert input_form("dogs", STYLED_HEADLINE, "Dogs") == headline_input("dogs")


def test_the_restylings() -> None:
    assert every_word_capitalised("Koalas escape in Spain") == "Koalas Escape In Spain"
    assert news_title_case("These Cops Took Care Of A Sick Woman") == "These Cops Took Care of a Sick Woman"
    assert news_title_case("the end of it") == "the End of it"


def test_case_variants_lower_every_row_capitalise_news_and_restyle_positives_on_request() -> None:
    rows = [LabelledText("These Dogs Went To The Beach", "clickbait"), LabelledText("Dogs went to the beach", "news")]
    plain = case_variants(rows, "news")
    assert [(r.text, r.label) for r in plain] == [("these dogs went to the beach", "clickbait"), ("dogs went to the beach", "news"),
                                                  ("Dogs Went To The Beach", "news")]
    restyled = case_variants(rows, "news", positives_in_news_case=True)
    assert restyled[:3] == plain and [(r.text, r.label) for r in restyled[3:]] == [("These Dogs Went to the Beach", "clickbait")]


def test_the_shipped_styled_models_name_their_input_form() -> None:
    for name in ("clickbait_styled", "clickbait_restyled"):
        model = load_model(name)
        assert model.meta["input"] == STYLED_HEADLINE and model.meta["case_variants"]["rows"] > 0


# Our own headlines (never dataset rows), each written in three styles.
_CLICKBAIT = [
    "You Won't Believe What This Dog Did At The Beach",
    "17 Things Every Night Owl Will Secretly Relate To",
    "This Mom's Clever Trick For Picky Eaters Is Going Viral",
]
_NEWS = [
    "City council approves budget for new school buildings",
    "Storm forces closure of northern rail line for two days",
    "Central bank leaves interest rates unchanged amid slow growth",
]


@pytest.mark.parametrize("policy", ["default.yaml", "lab-engagement.yaml"])
def test_no_way_of_writing_the_case_hides_clickbait_or_makes_news_clickbait(policy: str) -> None:
    governor = Governor(load_policy(POLICIES / policy))
    try:
        def flagged(text: str) -> bool:
            return governor.evaluate(Action(kind="publish", text=text)).verdict > Verdict.ALLOW

        for text in _CLICKBAIT:
            alternating = "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(text))
            for written in (text, text.lower(), news_title_case(text), text.upper(), alternating):
                assert flagged(written), written
        for text in _NEWS:
            for written in (text, every_word_capitalised(text), news_title_case(text), text.lower()):
                assert not flagged(written), written
    finally:
        governor.close()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcXYZ the Of_~7$ \t\n\u00a0\u2003ÉéΣσ'-0")), max_size=80))
def test_the_paired_splits_give_the_markers_of_the_offsets(text: str) -> None:
    normalized = normalize(text)
    words, cased = model_input(normalized), case_source(normalized)
    assert style_words(words, cased) == style_words_by_position(words, cased)


def test_the_two_headline_models_share_one_featurizer_and_score_as_if_apart() -> None:
    import math

    from tractatus.governance.checks import CheckContext
    from tractatus.governance.detectors.learned_tier import LearnedTier, LearnedTierSettings
    from tractatus.governance.state import GovernanceState

    styled, restyled = load_model("clickbait_styled"), load_model("clickbait_restyled")
    assert styled.featurizer_digest == restyled.featurizer_digest != load_model("clickbait").featurizer_digest
    tier = LearnedTier(LearnedTierSettings(models=["clickbait_styled", "clickbait_restyled"], combine="mean", kinds=["publish"],
                                           warn_probability=0.5, block_probability=0.8, block_severity="medium",
                                           evidence_terms=3, first_line_chars=300), "clickbait")  # fmt: skip
    for text in [*_CLICKBAIT, *_NEWS, "Ｔｈｅｓｅ 700 D0gs Went", ""]:
        ctx = CheckContext(action=Action(kind="publish", text=text), text=normalize(text), state=GovernanceState())
        read = tier._read(ctx)
        formed = input_form(read, STYLED_HEADLINE, tier._cased(ctx, read))
        apart = [model.probabilities(formed)["clickbait"] for model in (styled, restyled)]
        assert tier.score(ctx) == pytest.approx(math.fsum(apart) / 2, abs=1e-12)


def test_alternating_case_is_noise_and_reads_as_lower_case() -> None:
    # The lab's learned adversary found aLtErNaTiNg case made clickbait read as news (9ed442e).
    noisy = normalize("tHeSe cOpS tOoK cArE oF a SiCk DoG")
    assert case_source(noisy) == case_source(noisy).lower()
    assert _style("tHeSe cOpS tOoK cArE oF a SiCk DoG") == _style("these cops took care of a sick dog")
    assert len(case_source(noisy)) == len(model_input(noisy))
    # Brand names flip once each; one or two of them keep the headline's case.
    assert _style("The iPhone Beats YouTube") == [CAPITALISED_WORD, CAPITALISED_WORD]


def test_a_brand_spelling_gives_no_marker() -> None:
    # "iPhone" is spelled so in every house style: read as a word in lower case, it made a headline
    # in Every Word Capitalised look like sentence case (session 7).
    assert _style("Why The New iPhone Update Has Everyone Talking") == _style(
        "Why The New Update Has Everyone Talking")
    assert _style("Apple launches new eBay app") == [LOWER_WORD, LOWER_WORD, LOWER_WORD]  # eBay: no marker
    # A word in lower case throughout is still read, and so is one in capitals throughout.
    assert _style("Apple launches iphone") == [LOWER_WORD, LOWER_WORD]
    assert _style("The IPHONE Beats") == [CAPITALISED_WORD, CAPITALISED_WORD]
    # A small prefix joined by a hyphen or an apostrophe is sentence case, not a brand.
    assert _style("Talks with al-Qaeda resume") == [LOWER_FUNCTION_WORD, LOWER_WORD, LOWER_WORD]
    assert _style("Talks With Al-Qaeda Resume") == [CAPITALISED_FUNCTION_WORD, CAPITALISED_WORD, CAPITALISED_WORD]
    # The position-by-position reading (for texts whose two forms may not split alike) agrees,
    # and it is what reads a text with "_" (here the brand sits next to one).
    text = "apple launches new ebay app"
    assert style_words_by_position(text, "Apple launches new eBay app") == style_words(text, "Apple launches new eBay app")
    assert _style("Apple Launches my_iPhone Case") == [CAPITALISED_WORD, LOWER_WORD, CAPITALISED_WORD]  # "iPhone": none


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("aAbBzZ ,.-_0'éÉßÀ"), max_size=1200))
def test_the_ascii_case_noise_count_is_the_regexs(text: str) -> None:
    # The byte-translation count of small-then-capital pairs (ASCII texts) equals the regex's.
    from tractatus.governance.detectors.headline_style import _LOWER_THEN_UPPER, _has_case_noise

    for sample in (text, text.encode("ascii", "ignore").decode()):
        assert _has_case_noise(sample) == (len(_LOWER_THEN_UPPER.findall(sample, 0, 1000)) >= 3)


def test_case_noise_is_read_in_the_first_thousand_characters_only() -> None:
    from tractatus.governance.detectors.headline_style import _has_case_noise

    filler = "x" * 994
    assert _has_case_noise(filler + "aBcDeF")  # flips at 994-995, 996-997 and 998-999: all inside
    assert not _has_case_noise(filler + "xaBcDeF")  # the third flip straddles 999-1000: two inside
