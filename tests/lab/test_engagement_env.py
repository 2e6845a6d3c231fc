from __future__ import annotations

import numpy as np
import pytest

from tractatus.governance.errors import ConfigError
from tractatus.lab.envs.audience import Audience, load_audience
from tractatus.lab.envs.engagement import WITHHELD, EngagementEnv
from tractatus.lab.optimum import optima


def _random_actions(env: EngagementEnv, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, env.grammar.sizes, size=(env.num_agents, len(env.grammar.sizes)))


def _rollout(seed: int, steps: int = 20, agents: int = 8) -> list[tuple]:
    env = EngagementEnv(agents)
    obs, _ = env.reset(seed=seed)
    rng = np.random.default_rng(123)
    out = [obs.tolist()]
    for _ in range(steps):
        r = env.step(_random_actions(env, rng))
        out.append((r.observation.tolist(), r.reward.tolist(), r.cost.tolist()))
    return out


def test_same_seed_replays_exactly_and_another_seed_differs() -> None:
    assert _rollout(7) == _rollout(7)
    assert _rollout(7) != _rollout(8)


def test_cost_is_separate_from_reward_and_counts_only_what_was_published(grammar) -> None:
    env = EngagementEnv(3)
    env.reset(seed=0)
    clickbait = grammar.choice(grammar.spec.strategies["clickbait"])
    informative = grammar.choice(grammar.spec.strategies["informative"])
    actions = np.stack([clickbait, informative, np.full_like(clickbait, WITHHELD)])
    result = env.step(actions)
    assert result.cost.tolist() == [1.0, 0.0, 0.0]
    assert result.info["clickbait"].tolist() == [True, False, False]
    assert result.info["published"].tolist() == [True, True, False]
    # Reward is engagement only: a violating article is not penalized by the environment.
    assert result.reward[0] > 0 and result.reward[1] > 0 and result.reward[2] == 0.0


def test_step_before_reset_and_bad_shapes_are_refused() -> None:
    env = EngagementEnv(2)
    with pytest.raises(ConfigError, match="reset"):
        env.step(np.zeros((2, 6), dtype=int))
    env.reset(seed=1)
    with pytest.raises(ConfigError, match="shape"):
        env.step(np.zeros((3, 6), dtype=int))
    with pytest.raises(ConfigError, match="outside the grammar"):
        env.step(np.full((2, 6), 9))


def test_articles_are_real_text_and_labels_come_from_the_choices(grammar) -> None:
    topic = 0
    person = grammar.topics[topic].person
    leak = grammar.choice({**grammar.spec.strategies["informative"], "personal": "include", "wording": 1})
    text = grammar.render(topic, leak)
    assert person.email in text and person.phone in text
    assert grammar.labels(leak[None, :])["pii_leak"].tolist() == [True]
    plain = grammar.choice(grammar.spec.strategies["informative"])
    plain_text = grammar.render(topic, plain)
    assert grammar.topics[topic].headline in plain_text and grammar.topics[topic].source in plain_text
    assert grammar.labels(plain[None, :])["violation"].tolist() == [False]
    # Every (topic, action) pair renders to distinct text within a topic.
    texts = {grammar.render(topic, a) for a in grammar.all_actions}
    assert len(texts) > grammar.joint_size // 2


def test_clickbait_raises_clicks_but_lowers_read_through(grammar) -> None:
    audience = load_audience()
    plain = grammar.choice(grammar.spec.strategies["informative"])[None, :-1]
    bait = grammar.choice({**grammar.spec.strategies["informative"], "hook": "curiosity_gap"})[None, :-1]
    clicks_plain, reads_plain = audience.segment_probabilities(grammar.factor_names, plain)
    clicks_bait, reads_bait = audience.segment_probabilities(grammar.factor_names, bait)
    skimmers = list(audience.segments).index("skimmers")
    assert clicks_bait[0, skimmers] > clicks_plain[0, skimmers]
    assert np.all(reads_bait < reads_plain)


def test_expected_engagement_matches_simulation(grammar) -> None:
    env = EngagementEnv(4000)
    env.reset(seed=3)
    action = grammar.choice(grammar.spec.strategies["clickbait"])
    actions = np.tile(action, (env.num_agents, 1))
    expected = env.expected_reward(actions).mean()
    realized = env.step(actions).reward.mean()
    assert realized == pytest.approx(expected, rel=0.03)


def test_exact_optima(grammar) -> None:
    env = EngagementEnv(1)
    env.reset(seed=0)
    best, safe = optima(env)
    assert best.engagement > safe.engagement > 0
    assert grammar.labels(np.array([safe.action]))["violation"].tolist() == [False]
    assert grammar.labels(np.array([best.action]))["violation"].tolist() == [True]
    # Brute force over every action confirms the constrained optimum.
    values = env.expected_by_joint * env.topic_appeal.mean()
    allowed = ~grammar.labels(grammar.all_actions)["violation"]
    assert safe.engagement == pytest.approx(values[allowed].max())


def test_audience_parameters_are_validated(grammar) -> None:
    data = load_audience().model_dump()
    data["segments"]["skimmers"]["share"] = 0.9
    with pytest.raises(ValueError, match="sum to 1"):
        Audience.model_validate(data)
    data = load_audience().model_dump()
    data["segments"]["experts"]["click_effects"]["hook"] = [0, 1]
    with pytest.raises(ConfigError, match="hook needs 4 values"):
        EngagementEnv(1, audience=Audience.model_validate(data))
