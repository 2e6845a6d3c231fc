"""The group-talk development set: deterministic, labelled, dev and eval templates disjoint; and
the group-hate rule holds on it (the dev split only: eval is measured, never asserted against)."""

from __future__ import annotations

import pytest

from tractatus.governance.detectors.group_hate import GroupHateRules, GroupHateSettings
from tractatus.governance.learning.group_hate_corpus import TEMPLATES, generate
from tractatus.governance.normalize import normalize


def test_same_seed_same_statements_and_other_seed_other_statements() -> None:
    assert generate("eval", 80, seed=7) == generate("eval", 80, seed=7)
    assert [e.text for e in generate("eval", 80, seed=7)] != [e.text for e in generate("eval", 80, seed=8)]


def test_dev_and_eval_share_no_template() -> None:
    dev = {t for kind in TEMPLATES["dev"].values() for t in kind}
    evaluation = {t for kind in TEMPLATES["eval"].values() for t in kind}
    assert dev.isdisjoint(evaluation)
    assert {e.template_id.split(":", 1)[0] for e in generate("dev", 50, seed=1)} == {"dev"}


@pytest.mark.parametrize("split", ["dev", "eval"])
def test_half_hate_half_benign_and_no_placeholder_left(split: str) -> None:
    examples = generate(split, 200, seed=3)
    assert sum(e.hateful for e in examples) == 100
    assert not [e.text for e in examples if "{" in e.text or "}" in e.text]
    assert {e.template_id.split(":")[1] for e in examples} == {"hate", "benign"}


def test_unknown_split_and_negative_n_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown split"):
        generate("train", 10, seed=0)
    with pytest.raises(ValueError, match="non-negative"):
        generate("dev", -1, seed=0)


def test_the_rule_catches_dev_hate_and_leaves_dev_benign_alone() -> None:
    rules = GroupHateRules(GroupHateSettings(max_filler_words=4, frame_window_chars=120))
    examples = generate("dev", 400, seed=11)

    def flagged(text: str) -> bool:
        normalized = normalize(text)
        return bool(rules.find(normalized.lower_words, normalized.word_forms))

    hate = [flagged(e.text) for e in examples if e.hateful]
    benign = [flagged(e.text) for e in examples if not e.hateful]
    assert sum(hate) / len(hate) >= 0.9
    assert sum(benign) / len(benign) <= 0.02
