"""The ordinary short-text corpus (the clickbait model's second negative source) and what the
shipped policies do with its eval templates in `publish`.

The eval templates were written before any tuning and are never trained or chosen on: a sample of
them, published under each shipped policy with the clickbait learned tier, must stay mostly allowed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.actions import Action, Verdict
from tractatus.governance.governor import Governor
from tractatus.governance.learning.ordinary_text_corpus import GENRES, SPLITS, TEMPLATES, generate
from tractatus.governance.policy import load_policy

POLICIES = Path(__file__).resolve().parents[3] / "policies"
# Measured when the operating point was chosen (docs/detectors-training.md): 4.6% of this sample is
# flagged in `publish` under default.yaml (rules included; 4.4% under the session-5 model); at
# 5a8ead9, before the corpus was a negative source, 28.5% of a 400-draw sample was. The sample was
# 400 draws (323 distinct texts) until session 6: one text moved the share by 0.3 points, and the
# session-5 and session-6 models both sat at 7.7-8.4% of it, which 3,000 draws (1,647 distinct
# texts) put at 4.4% and 4.6%. The bound is unchanged.
EVAL_FLAGGED_AT_MOST = 0.08
SAMPLE = 3000


def test_same_seed_same_texts_and_other_seed_other_texts() -> None:
    assert generate("eval", 80, seed=3) == generate("eval", 80, seed=3)
    assert [e.text for e in generate("eval", 80, seed=3)] != [e.text for e in generate("eval", 80, seed=4)]


def test_the_three_splits_share_no_template_and_each_has_every_genre() -> None:
    for split in ("dev", "eval"):
        assert set(TEMPLATES[split]) == set(GENRES), split
    # Questions are measured, never trained on (see the module's docstring).
    assert set(TEMPLATES["train"]) == set(GENRES) - {"question"}
    assert not any(t.rstrip().endswith("?") or "?!" in t for group in TEMPLATES["train"].values() for t in group)
    for first in SPLITS:
        for second in SPLITS:
            if first < second:
                a = {t for group in TEMPLATES[first].values() for t in group}
                b = {t for group in TEMPLATES[second].values() for t in group}
                assert a.isdisjoint(b), (first, second, a & b)
    assert {e.template_id.split(":", 1)[0] for e in generate("dev", 60, seed=1)} == {"dev"}


def test_texts_are_filled_and_genres_balanced() -> None:
    examples = generate("eval", 400, seed=0)
    assert all("{" not in e.text and "}" not in e.text and not e.text[0].islower() for e in examples)
    counts = {genre: sum(e.template_id.split(":")[1] == genre for e in examples) for genre in GENRES}
    assert min(counts.values()) >= 400 // len(GENRES) - 1, counts


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        generate("holdout", 3, seed=0)
    with pytest.raises(ValueError):
        generate("eval", -1, seed=0)


@pytest.mark.parametrize("policy", ["default.yaml", "lab-engagement.yaml"])
def test_ordinary_short_texts_stay_allowed_when_published(policy: str) -> None:
    texts = list(dict.fromkeys(e.text for e in generate("eval", SAMPLE, seed=11)))
    governor = Governor(load_policy(POLICIES / policy))
    try:
        governor.evaluate(Action(kind="publish", text="Council approves the budget"))  # warm-up: loads the models
        flagged = [t for t in texts if governor.evaluate(Action(kind="publish", text=t)).verdict > Verdict.ALLOW]
    finally:
        governor.close()
    share = len(flagged) / len(texts)
    print(f"{policy}: {share:.1%} of {len(texts)} ordinary texts flagged; e.g. {flagged[:5]}")
    assert share <= EVAL_FLAGGED_AT_MOST, flagged[:20]


def test_the_shipped_clickbait_model_learned_from_this_corpus() -> None:
    """The model file records the extra negatives it was fitted on; today's generator gives as many
    (a Faker upgrade that changed the fills would show here before `detectors train --check`)."""
    from tractatus.governance.detectors.text_model import load_model
    from tractatus.governance.learning.trainers import CLICKBAIT_MODEL, _ordinary_negatives

    recorded = load_model("clickbait").meta["extra_negatives"]
    assert recorded["source"] == CLICKBAIT_MODEL.extra_negative_source
    assert recorded["weight"] == CLICKBAIT_MODEL.extra_negative_weight
    assert recorded["rows"] == len(_ordinary_negatives()) > 1000
