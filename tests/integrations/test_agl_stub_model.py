"""The stub model: a real OpenAI-compatible server whose answer is a pure function of the prompt."""

from __future__ import annotations

import json

import httpx
import pytest

from tractatus.integrations.agentlightning.content import build_prompt, parse_article
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stub_model import create_stub_model_app, tokenize
from tractatus.lab.envs.grammar import Grammar


@pytest.fixture(scope="module")
def stub() -> ServerThread:
    with ServerThread(create_stub_model_app(model_name="stub-test"), name="stub") as server:
        yield server


def chat(server: ServerThread, content: str, **extra: object) -> httpx.Response:
    return httpx.post(
        f"{server.url}/v1/chat/completions",
        json={"model": "x", "messages": [{"role": "user", "content": content}], **extra},
    )


def test_it_writes_the_requested_style_with_the_lab_grammar(stub: ServerThread, grammar: Grammar) -> None:
    for strategy in ("informative", "clickbait", "human_interest"):
        action = grammar.choice({**grammar.spec.strategies[strategy], "wording": 2})
        answer = chat(stub, build_prompt(grammar, 3, action)).json()
        text = answer["choices"][0]["message"]["content"]
        assert parse_article(text) == grammar.article(3, action).text
        assert answer["model"] == "stub-test" and answer["choices"][0]["finish_reason"] == "stop"


def test_the_same_prompt_gives_the_same_answer_and_another_prompt_another(
    stub: ServerThread, grammar: Grammar
) -> None:
    first = chat(stub, "topic_id: 2\nstrategy: sensational")
    second = chat(stub, "topic_id: 2\nstrategy: sensational")
    other = chat(stub, "topic_id: 4\nstrategy: informative")
    assert first.content == second.content
    assert (
        first.json()["choices"][0]["message"]["content"] != other.json()["choices"][0]["message"]["content"]
    )


def test_token_ids_and_log_probs_for_agl_training(stub: ServerThread) -> None:
    answer = chat(stub, "topic_id: 0", return_token_ids=True, logprobs=True).json()
    choice = answer["choices"][0]
    assert choice["token_ids"] == tokenize(choice["message"]["content"])
    assert len(choice["logprobs"]["content"]) == len(choice["token_ids"]) and answer["prompt_token_ids"]
    assert all(lp["logprob"] < 0 for lp in choice["logprobs"]["content"])
    plain = chat(stub, "topic_id: 0").json()
    assert "token_ids" not in plain["choices"][0] and "prompt_token_ids" not in plain


def test_tool_calls_only_when_tools_are_offered(stub: ServerThread) -> None:
    prompt = 'call: search {"q": "bus"}\ncall: calculator {"expr": "1+1"}'
    with_tools = chat(stub, prompt, tools=[{"type": "function", "function": {"name": "search"}}]).json()[
        "choices"
    ][0]
    calls = with_tools["message"]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["search", "calculator"]
    assert (
        json.loads(calls[0]["function"]["arguments"]) == {"q": "bus"}
        and with_tools["finish_reason"] == "tool_calls"
    )
    without = chat(stub, prompt).json()["choices"][0]
    assert "tool_calls" not in without["message"] and without["message"]["content"].startswith("Headline:")


def test_bad_requests_are_4xx(stub: ServerThread) -> None:
    assert httpx.post(f"{stub.url}/v1/chat/completions", content=b"nope").status_code == 400
    assert httpx.post(f"{stub.url}/v1/chat/completions", json={"messages": []}).status_code == 400
    assert chat(stub, "topic_id: 0", stream=True).status_code == 400
    assert httpx.get(f"{stub.url}/v1/models").json()["data"][0]["id"] == "stub-test"
