"""The abuse tier's combination rule and threshold in the policy are the point the dev study picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.learning.abuse_combine_dev import GRID, choose, curves, study
from tractatus.governance.learning.abuse_dev_sweep import DevRow
from tractatus.governance.policy import bundled_policy_path, load_policy

NO_STACK = {"coef": [0.0, 0.0], "intercept": -10.0}  # a stacker that says ~0 for everything


def rows(label: str, n: int, ours: float, theirs: float, **fields: object) -> list[DevRow]:
    base = {"others": False, "rules": False, "score": 0.0, "target": True, "probabilities": (ours, theirs)}
    return [DevRow(label=label, **{**base, **fields}) for _ in range(n)]  # type: ignore[arg-type]


def point(points: list[dict], rule: str, threshold: float, target_rule: bool = True) -> dict:
    (found,) = [p for p in points if p["rule"] == rule and p["threshold"] == threshold and p["target_rule"] is target_rule]
    return found


def test_each_rule_is_replayed_from_the_two_probabilities() -> None:
    data = rows("hate", 1, 0.9, 0.4) + rows("neither", 1, 0.2, 0.7, target=False) + rows("offensive", 1, 0.1, 0.1)
    points = curves(data, NO_STACK)
    assert point(points, "mean", 0.65)["decision"]["hate"] == 1.0  # (0.9 + 0.4) / 2 = 0.65
    assert point(points, "geometric_mean", 0.65)["decision"]["hate"] == 0.0  # sqrt(0.36) = 0.6
    assert point(points, "max", 0.9)["decision"]["hate"] == 1.0 and point(points, "min", 0.41)["decision"]["hate"] == 0.0
    assert point(points, "profanity", 0.7)["decision"]["neither"] == 0.0  # no target: the target rule hides it
    assert point(points, "profanity", 0.7, target_rule=False)["decision"]["neither"] == 1.0
    assert point(points, "stacked", 0.3)["decision"]["hate"] == 0.0
    lifting = curves(data, {"coef": [10.0, 0.0], "intercept": -5.0})  # 1 / (1 + e^-(10 * 0.9 - 5))
    assert point(lifting, "stacked", 0.9)["decision"]["hate"] == 1.0
    assert len(points) == 7 * 2 * len(GRID)


def test_the_choice_meets_the_goals_with_the_fewest_neither_then_prefers_a_tier_rule() -> None:
    # Every rule but the stacker keeps hate (0.6) above "neither" (0.5): all tie at no "neither"
    # flagged from 0.51 to 0.6, so the rule listed first (geometric_mean) and the lowest threshold win.
    data = rows("hate", 10, 0.6, 0.6) + rows("offensive", 10, 0.9, 0.9) + rows("neither", 10, 0.5, 0.5)
    chosen = choose(curves(data, NO_STACK))
    assert chosen is not None and chosen["rule"] == "geometric_mean" and chosen["threshold"] == 0.51
    assert chosen["decision"] == {"hate": 1.0, "neither": 0.0, "offensive": 1.0}


def test_a_rule_that_separates_better_wins() -> None:
    # Hate (0.95, 0.25): mean 0.6, geometric mean 0.49. "Neither" (0.5, 0.5) sits between them, so
    # only the mean (from 0.51) and the max (from 0.76) keep every "neither" tweet out; the mean is
    # listed first.
    data = rows("hate", 10, 0.95, 0.25) + rows("offensive", 10, 0.9, 0.9) + rows("neither", 10, 0.5, 0.5)
    data += rows("neither", 10, 0.75, 0.2)
    chosen = choose(curves(data, NO_STACK))
    assert chosen is not None and chosen["rule"] == "mean" and chosen["threshold"] == 0.51
    assert chosen["decision"] == {"hate": 1.0, "neither": 0.0, "offensive": 1.0}


def test_no_point_is_chosen_when_none_meets_the_goals() -> None:
    assert choose(curves(rows("hate", 5, 0.1, 0.1) + rows("offensive", 5, 0.1, 0.1) + rows("neither", 5, 0.9, 0.9), NO_STACK)) is None


@pytest.mark.slow  # decides the ~2,600 dev tweets and cross-validates our model on detector_train (~40 s)
def test_the_shipped_policy_holds_the_studys_choice(data_dir: Path) -> None:
    chosen = study(data_dir, bundled_policy_path("default"))["chosen"]
    settings = load_policy(bundled_policy_path("default")).check_settings("abuse")
    assert chosen is not None and chosen["target_rule"] is True
    assert settings.learned.combine == chosen["rule"]  # type: ignore[attr-defined]
    assert settings.learned.warn_probability == chosen["threshold"]  # type: ignore[attr-defined]
    assert settings.learned_untargeted_warn_probability is None  # type: ignore[attr-defined]
