"""The official `openai` client through the governed proxy: sync and async, streamed and not.

Everything is real: the AGL gateway, the governed proxy on its event loop, and an OpenAI-compatible
model server on loopback (the stub model, or a fixed-answer server for sentence-level checks).
"""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import httpx
import openai
import pytest
from agl_support import GATEWAY_KEY, completion_url, events, new_rollout
from fastapi import FastAPI
from test_agl_proxy import article_prompt

from tractatus.governance.governor import Governor
from tractatus.integrations.agentlightning.proxy_policy import ProxyPolicy, load_proxy_policy
from tractatus.integrations.agentlightning.serving import ServerThread
from tractatus.integrations.agentlightning.stack import Stack, StackConfig
from tractatus.lab.envs.grammar import Grammar

SAFE_SENTENCE = "Headline: City council approves new bus lanes on Main Street.\n"
PII_SENTENCE = "Summary: Residents can write to jane.doe@example.com with their comments."


def base_url(stack: Stack, rollout_id: str) -> str:
    return completion_url(stack.proxy_url, rollout_id).removesuffix("/chat/completions")


def client_for(stack: Stack, rollout_id: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url(stack, rollout_id), api_key="unused", max_retries=0)


def direct_text(stack: Stack, http: httpx.Client, prompt: str) -> str:
    answer = http.post(
        f"{stack.model_endpoint}/chat/completions", json={"messages": [{"role": "user", "content": prompt}]}
    )
    return answer.json()["choices"][0]["message"]["content"]


def user(prompt: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": prompt}]


def test_sync_client_gets_allowed_text_and_an_openai_style_refusal(
    stack: Stack, http: httpx.Client, grammar: Grammar
) -> None:
    rid = new_rollout(stack, http)
    client = client_for(stack, rid)
    good_prompt, bad_prompt = article_prompt(grammar, "informative"), article_prompt(grammar, "urgent")
    good = client.chat.completions.with_raw_response.create(model="any", messages=user(good_prompt))
    bad = client.chat.completions.with_raw_response.create(model="any", messages=user(bad_prompt))
    assert good.headers["x-tractatus-verdict"] == "allow" and bad.headers["x-tractatus-verdict"] == "block"
    allowed, refused = good.parse().choices[0], bad.parse().choices[0]
    assert allowed.message.content == direct_text(stack, http, good_prompt)
    assert allowed.finish_reason == "stop" and allowed.message.refusal is None
    assert refused.finish_reason == "content_filter" and refused.message.content is None
    assert refused.message.refusal is not None and "clickbait" in refused.message.refusal
    assert direct_text(stack, http, bad_prompt).splitlines()[0] not in bad.text


def test_async_client_works_the_same(stack: Stack, http: httpx.Client, grammar: Grammar) -> None:
    rid = new_rollout(stack, http)
    prompts = [article_prompt(grammar, s, topic=t) for s in ("informative", "urgent") for t in range(3)]

    async def ask_all() -> list[Any]:
        async with openai.AsyncOpenAI(
            base_url=base_url(stack, rid), api_key="unused", max_retries=0
        ) as client:
            return await asyncio.gather(
                *(client.chat.completions.create(model="any", messages=user(p)) for p in prompts)
            )

    answers = asyncio.run(ask_all())
    for prompt, answer in zip(prompts, answers, strict=True):
        choice = answer.choices[0]
        if choice.finish_reason == "content_filter":
            assert choice.message.content is None and choice.message.refusal.startswith("[tractatus]")
        else:
            assert choice.message.content == direct_text(stack, http, prompt)
    assert {a.choices[0].finish_reason for a in answers} == {"stop", "content_filter"}
    governance = [e for e in events(stack, http, rid) if e["event_type"] == "governance"]
    assert len(governance) == len(prompts)  # every decision reached AGL before the answers did


def test_a_stream_of_an_allowed_answer_carries_the_whole_text(
    stack: Stack, http: httpx.Client, grammar: Grammar
) -> None:
    rid = new_rollout(stack, http)
    prompt = article_prompt(grammar, "informative")
    chunks = list(
        client_for(stack, rid).chat.completions.create(
            model="any", messages=user(prompt), stream=True, stream_options={"include_usage": True}
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == direct_text(stack, http, prompt)
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) >= 2  # sentence by sentence
    assert [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason] == [
        "stop"
    ]
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_a_stream_of_a_blocked_answer_ends_with_content_filter_and_leaks_nothing(
    stack: Stack, http: httpx.Client, grammar: Grammar
) -> None:
    rid = new_rollout(stack, http)
    prompt = article_prompt(grammar, "urgent")
    raw = direct_text(stack, http, prompt)
    with client_for(stack, rid).chat.completions.with_streaming_response.create(
        model="any", messages=user(prompt), stream=True
    ) as response:
        body = response.read().decode()
    assert raw.splitlines()[0].removeprefix("Headline: ") not in body
    chunks = [
        openai.types.chat.ChatCompletionChunk.model_validate_json(line[6:])
        for line in body.splitlines()
        if line.startswith("data: {")
    ]
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    refusal = "".join(c.choices[0].delta.refusal or "" for c in chunks)
    assert refusal.startswith("[tractatus]") and "clickbait" in refusal


def test_models_list_passes_through(stack: Stack, http: httpx.Client) -> None:
    rid = new_rollout(stack, http)
    listed = [m.id for m in client_for(stack, rid).models.list()]
    assert listed == [stack.model_name]
    plain = openai.OpenAI(base_url=f"{stack.proxy_url}/v1", api_key="unused", max_retries=0)
    assert [m.id for m in plain.models.list()] == [stack.model_name]


# -- sentence-by-sentence release, against a model that always writes the same answer ------------


def fixed_answer_model(text: str) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "fixed", "object": "model", "owned_by": "test"}]}

    @app.post("/v1/chat/completions")
    async def complete() -> dict[str, Any]:
        message = {"role": "assistant", "content": text}
        return {
            "id": "fixed-1",
            "object": "chat.completion",
            "created": 0,
            "model": "fixed",
            "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        }

    return app


@pytest.fixture
def pii_model() -> Iterator[ServerThread]:
    with ServerThread(fixed_answer_model(SAFE_SENTENCE + PII_SENTENCE), name="fixed model") as server:
        yield server


def fixed_stack(governor: Governor, model: ServerThread, release: str) -> Stack:
    policy = ProxyPolicy(stream_release=release)  # type: ignore[arg-type]
    config = StackConfig(
        gateway_key=GATEWAY_KEY, model_url=f"{model.url}/v1", model_name="fixed", proxy_policy=policy
    )
    return Stack(config, governor)


def streamed(stack: Stack, http: httpx.Client) -> tuple[str, list[Any]]:
    rid = new_rollout(stack, http)
    with client_for(stack, rid).chat.completions.with_streaming_response.create(
        model="fixed", messages=user("anything"), stream=True
    ) as response:
        body = response.read().decode()
    chunks = [
        openai.types.chat.ChatCompletionChunk.model_validate_json(line[6:])
        for line in body.splitlines()
        if line.startswith("data: {")
    ]
    return body, chunks


def test_sentence_release_delivers_what_came_before_the_withheld_sentence(
    governor: Governor, pii_model: ServerThread, http: httpx.Client
) -> None:
    with fixed_stack(governor, pii_model, "sentence") as stack:
        body, chunks = streamed(stack, http)
    assert "jane.doe" not in body and "Residents" not in body
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == SAFE_SENTENCE
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    assert "pii" in "".join(c.choices[0].delta.refusal or "" for c in chunks)


def test_whole_release_delivers_nothing_of_a_withheld_answer(
    governor: Governor, pii_model: ServerThread, http: httpx.Client
) -> None:
    with fixed_stack(governor, pii_model, "whole") as stack:
        body, chunks = streamed(stack, http)
    assert "jane.doe" not in body and "bus lanes" not in body
    assert chunks[-1].choices[0].finish_reason == "content_filter"


def test_the_bundled_proxy_policy_releases_sentence_by_sentence() -> None:
    assert load_proxy_policy() == ProxyPolicy()  # the file and the documented defaults agree
    assert load_proxy_policy().stream_release == "sentence"
