"""The Thompson bandit: reproducible under a seed, learns the best arm, rebuilds from rollouts."""

from __future__ import annotations

import numpy as np
import pytest

from tractatus.service.bandit import ThompsonBandit

ARMS = ("a", "b", "c")


def run(seed: int, rounds: int = 400) -> list[str]:
    bandit = ThompsonBandit(ARMS, seed=seed)
    world = np.random.default_rng(seed + 1000)
    success = {"a": 0.2, "b": 0.8, "c": 0.4}
    chosen = []
    for _ in range(rounds):
        arm = bandit.choose()
        bandit.update(arm, float(world.random() < success[arm]))
        chosen.append(arm)
    return chosen


def test_a_seed_reproduces_the_choices():
    assert run(7) == run(7)
    assert run(7) != run(8)


@pytest.mark.parametrize("seed", range(5))
def test_it_learns_the_best_arm(seed):
    chosen = run(seed)
    assert chosen[-100:].count("b") >= 80


def test_replay_rebuilds_the_posterior_and_skips_retired_arms():
    bandit = ThompsonBandit(ARMS, seed=0)
    bandit.replay([("a", 1.0), ("a", None), ("b", 0.0), ("retired", 1.0)])
    stats = {s.strategy: s for s in bandit.stats()}
    assert (stats["a"].alpha, stats["a"].beta, stats["a"].pulls) == (2.0, 1.0, 2)
    assert (stats["b"].alpha, stats["b"].beta, stats["b"].pulls) == (1.0, 2.0, 1)
    assert stats["c"].pulls == 0


def test_rejects_bad_rewards_and_arms():
    bandit = ThompsonBandit(ARMS)
    with pytest.raises(ValueError):
        bandit.update("a", 1.5)
    with pytest.raises(KeyError):
        bandit.update("zzz", 1.0)
    with pytest.raises(ValueError):
        ThompsonBandit(("a", "a"))
