"""The abuse thresholds in the policy are the point the dev sweep picks, by its written rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tractatus.governance.learning.abuse_dev_sweep import DevRow, dev_rows, shares, sweep
from tractatus.governance.policy import bundled_policy_path, load_policy


def rows(label: str, n: int, **fields: object) -> list[DevRow]:
    base = {"others": False, "rules": False, "score": 0.0, "target": True}
    return [DevRow(label=label, **{**base, **fields}) for _ in range(n)]  # type: ignore[arg-type]


def test_shares_replay_the_learned_tier_and_its_target_rule() -> None:
    data = rows("hate", 1, score=0.6) + rows("offensive", 1, score=0.97, target=False) + rows("neither", 2, score=0.6, target=False)
    data += rows("neither", 1, others=True)
    assert shares(data, 0.5, None)["abuse"] == {"hate": 1.0, "neither": 0.0, "offensive": 0.0}
    assert shares(data, 0.5, 0.95)["abuse"]["offensive"] == 1.0
    same = shares(data, 0.5, "same")
    assert same["abuse"]["neither"] == pytest.approx(2 / 3, abs=1e-4) and same["decision"]["neither"] == 1.0


def test_the_chosen_point_meets_the_recall_goals_with_the_fewest_neither_flagged() -> None:
    # Hate is caught at any warn <= 0.55 and "neither" at any warn <= 0.42: the lowest warn above
    # 0.42 on the grid (0.43) wins.
    data = rows("hate", 9, score=0.55) + rows("hate", 1, score=0.45, rules=True) + rows("offensive", 10, score=0.9)
    data += rows("neither", 10, score=0.42) + rows("neither", 10, score=0.1)
    chosen = sweep(data)["chosen"]
    assert chosen["warn_probability"] == 0.43 and chosen["untargeted"] is None
    assert chosen["decision"]["neither"] == 0.0 and chosen["decision"]["hate"] == 1.0


def test_no_point_is_chosen_when_none_meets_the_goals() -> None:
    assert sweep(rows("hate", 5) + rows("offensive", 5) + rows("neither", 5))["chosen"] is None


@pytest.mark.slow  # decides the ~2,600 dev tweets under default.yaml (~15 s on the shared machine)
def test_the_shipped_policy_holds_the_dev_sweeps_choice(data_dir: Path) -> None:
    chosen = sweep(dev_rows(data_dir, bundled_policy_path("default")))["chosen"]
    settings = load_policy(bundled_policy_path("default")).check_settings("abuse")
    assert chosen is not None
    assert settings.learned.warn_probability == chosen["warn_probability"]  # type: ignore[attr-defined]
    assert settings.learned_untargeted_warn_probability == chosen["untargeted"]  # type: ignore[attr-defined]
