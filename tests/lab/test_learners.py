from __future__ import annotations

import numpy as np

from tractatus.lab.envs.engagement import EngagementEnv
from tractatus.lab.learners.bandit import ThompsonBandit
from tractatus.lab.learners.lagrangian import LagrangeMultiplier
from tractatus.lab.learners.policy_gradient import ReinforceLearner


def _train(learner_cls, *, agents: int, slots: int, rounds: int, seed: int = 0):
    env = EngagementEnv(agents * slots)
    env.reset(seed=seed)
    learner = learner_cls(env.grammar, agents, slots=slots)
    rng = np.random.default_rng(seed + 100)
    shares = []
    for _ in range(rounds):
        actions = learner.act(env.topics, rng)
        result = env.step(actions)
        learner.update(actions, result.reward)
        learner.end_round()
        shares.append(result.info["clickbait"].mean())
    return learner, np.array(shares)


def test_ungoverned_bandit_comes_to_prefer_clickbait() -> None:
    _, shares = _train(ThompsonBandit, agents=20, slots=20, rounds=30)
    assert shares[-5:].mean() > 0.7
    assert shares[-5:].mean() > shares[:2].mean()


def test_ungoverned_policy_gradient_moves_toward_clickbait() -> None:
    learner, shares = _train(ReinforceLearner, agents=50, slots=20, rounds=40)
    none = learner.grammar.level("hook", "none")
    p_hook = 1 - learner.probabilities()[0][:, none]
    assert p_hook.mean() > 0.75  # started at 0.75 (3 of 4 hooks are clickbait) and grew
    assert shares[-5:].mean() > shares[:3].mean()


def test_masked_actions_are_never_chosen(grammar) -> None:
    rng = np.random.default_rng(0)
    agents, slots = 5, 4
    env = EngagementEnv(agents * slots)
    env.reset(seed=0)
    allowed = np.tile(~grammar.labels(grammar.all_actions)["violation"], (agents * slots, 1))
    for cls in (ThompsonBandit, ReinforceLearner):
        learner = cls(grammar, agents, slots=slots)
        for _ in range(15):
            actions = learner.act(env.topics, rng, allowed)
            assert not grammar.labels(actions)["violation"].any()
            result = env.step(actions)
            learner.update(actions, result.reward)
            learner.end_round()


def test_agents_are_independent(grammar) -> None:
    # Agent 0 is rewarded for clickbait, agent 1 punished for it: they learn opposite things.
    learner = ThompsonBandit(grammar, 2, slots=30)
    rng = np.random.default_rng(1)
    topics = np.zeros(60, dtype=int)
    for _ in range(20):
        actions = learner.act(topics, rng)
        bait = grammar.labels(actions)["clickbait"]
        owner = np.repeat([0, 1], 30)
        reward = np.where(bait == (owner == 0), 1.0, 0.0)
        learner.update(actions, reward)
    final = grammar.labels(learner.act(topics, rng))["clickbait"].reshape(2, 30).mean(axis=1)
    assert final[0] > 0.8 and final[1] < 0.2


def test_lagrange_multiplier_rises_with_cost_and_never_goes_negative() -> None:
    m = LagrangeMultiplier(2, cost_limit=0.1, learning_rate=0.5, slots=2)
    shaped = m.shape(np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, 1.0, 0.0, 0.0]))
    assert shaped.tolist() == [1.0, 1.0, 1.0, 1.0]  # lambda starts at 0
    m.end_round()
    assert m.value[0] > 0 and m.value[1] == 0.0  # agent 1 was under its limit
    shaped = m.shape(np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0]))
    assert shaped[0] < 1.0 and shaped[2] == 1.0
