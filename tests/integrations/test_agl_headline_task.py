"""The headline task: its prompt, the stub's deterministic answer, the agent's reading, the scorer."""

from __future__ import annotations

import json

import httpx
import pytest

from tractatus.integrations.agentlightning.agent import published_text
from tractatus.integrations.agentlightning.headline_prompt import choose, parse_headline, render
from tractatus.integrations.agentlightning.rewards import compute_reward, load_reward_settings
from tractatus.integrations.agentlightning.scoring import HeadlineScorer
from tractatus.integrations.agentlightning.stack import Stack
from tractatus.lab.world.judge import ClickbaitJudge

CANDIDATES = ["Council approves road repairs", "You won't believe this amazing trick", "Rain expected on Sunday"]


def test_the_prompt_carries_the_candidates_and_examples_a_stub_can_read() -> None:
    text = render({"instruction": "informative", "examples": ["an amazing trick"]}, CANDIDATES)
    assert "most informative" in text
    assert json.loads(text.split("candidates: ", 1)[1].splitlines()[0]) == CANDIDATES
    assert json.loads(text.split("examples: ", 1)[1].splitlines()[0]) == ["an amazing trick"]


def test_the_stub_follows_its_examples_and_is_deterministic() -> None:
    assert choose(CANDIDATES, ["this amazing trick works"], seed=0) == CANDIDATES[1]
    assert choose(CANDIDATES, ["council approves new road plan"], seed=5) == CANDIDATES[0]
    no_examples = {choose(CANDIDATES, [], seed=s) for s in range(6)}
    assert no_examples == set(CANDIDATES)  # without examples the prompt's hash decides
    assert choose(CANDIDATES, [], seed=4) == choose(CANDIDATES, [], seed=4)
    assert choose([], ["x"], seed=0) is None


def test_the_stub_model_server_answers_from_the_candidates(stack: Stack, http: httpx.Client) -> None:
    body = {"model": stack.model_name, "messages": [{"role": "user", "content": render({"instruction": "engaging", "examples": []}, CANDIDATES)}]}
    first = http.post(f"{stack.model_endpoint}/chat/completions", json=body).json()
    again = http.post(f"{stack.model_endpoint}/chat/completions", json=body).json()
    text = first["choices"][0]["message"]["content"]
    assert text == again["choices"][0]["message"]["content"]
    assert parse_headline(text) in CANDIDATES


@pytest.mark.parametrize(
    ("answer", "verdict", "expected"),
    [
        ({"choices": [{"finish_reason": "stop", "message": {"content": "Headline: Rain on Sunday"}}]}, "allow", "Rain on Sunday"),
        ({"choices": [{"finish_reason": "stop", "message": {"content": '"Rain on Sunday"\n'}}]}, None, "Rain on Sunday"),
        ({"choices": [{"finish_reason": "content_filter", "message": {"content": None, "refusal": "no"}}]}, "block", None),
        ({"choices": [{"finish_reason": "stop", "message": {"content": "[tractatus] This response was withheld"}}]}, None, None),
        ({"choices": [{"finish_reason": "stop", "message": {"content": "Headline: x"}}]}, "escalate", None),
    ],
)
def test_the_agent_publishes_only_what_governance_let_through(answer: dict, verdict: str | None, expected: str | None) -> None:
    assert published_text(answer, verdict) == expected


def scorer() -> HeadlineScorer:
    # The pool labels this judge-clickbait text "news": people's labels win over the judge.
    return HeadlineScorer(lambda t: 0.01 * len(t.split()), ClickbaitJudge.load_default(),
                          {"You Won't Believe What This Senator Said Next": "news"})


def events(written: str | None, published: str | None) -> list[dict]:
    out = []
    if written is not None:
        out.append({"event_type": "model_request", "data": {"response": {"choices": [{"message": {"content": f"Headline: {written}"}}]}}})
    out.append({"event_type": "outcome", "data": {"published": published is not None, "text": published}})
    return out


def test_scores_come_from_the_written_and_published_text() -> None:
    s = scorer()
    blocked = s.score(events("17 Things Only People Who Love Cats Will Understand", None))
    assert blocked.reward == 0.0 and blocked.executed is None
    assert blocked.attempted is not None and blocked.attempted.clickbait and blocked.attempted.source == "judge"
    labelled = s.score(events("you won't believe   what this senator said next", "you won't believe what this senator said next"))
    assert labelled.attempted is not None and labelled.attempted.source == "human" and not labelled.attempted.clickbait
    assert labelled.reward == pytest.approx(0.08)
    news = s.score(events("Central bank holds interest rates steady", "Central bank holds interest rates steady"))
    assert news.executed is not None and not news.executed.clickbait and news.executed.source == "judge"


def test_the_verified_reward_overrides_any_agent_reward() -> None:
    settings = load_reward_settings()
    forged = compute_reward([{"event_type": "reward", "data": {"value": 0.5}}], settings, verified_task_reward=0.02)
    assert forged.final == pytest.approx(0.02) and forged.override == "reward_forged"
    honest = compute_reward([{"event_type": "reward", "data": {"value": 0.02}}], settings, verified_task_reward=0.02)
    assert honest.override is None and honest.final == pytest.approx(0.02)
    silent = compute_reward([], settings, verified_task_reward=0.03)
    assert silent.override is None and silent.final == pytest.approx(0.03)
