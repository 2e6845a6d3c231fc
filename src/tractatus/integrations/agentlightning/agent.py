"""The Demo 2 agent: an Agent Lightning 1.x agent that writes a headline and summary for a topic.

It follows AGL's agent contract and nothing else: it talks to the model only through the
OpenAI-compatible base URL in `AGL_OPENAI_BASE_URL` and reports what it did by POSTing events to
`AGL_EVENT_URL` (key in `AGL_KEY`). Its task is the rollout input, passed by AGL's local runner
through `local.env_map` as JSON in `TRACTATUS_TASK` (see `algorithm.rollout_config`).

The agent never knows whether it is governed: with the governed proxy in front, a blocked answer
arrives as a refusal, which holds no article, so the agent publishes nothing. It reports an
`outcome` event (published or not, and the article); the platform (the engagement environment,
driven by the runner) scores what was published and posts the task reward.

`EngagementAgent().run()` is what AGL's controller runs in a subprocess per rollout;
`write_article` is the same logic as a coroutine, which Demo 2 runs many of at once in-process,
because one subprocess per rollout caps AGL's local runner at a few rollouts per second.
"""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from typing import Any, Mapping

import httpx

from tractatus.integrations.agentlightning.content import parse_article
from tractatus.integrations.agentlightning.gateway import OUTCOME_EVENT

TASK_ENV = "TRACTATUS_TASK"


class AgentError(Exception):
    """The model call or the event post failed: the rollout fails (the runner marks it FAILED)."""


@dataclass(frozen=True, slots=True)
class AgentEndpoints:
    openai_base_url: str  # .../proxy/rollout/{rid}/attempt/{aid}/mode/{mode}/openai/v1
    event_url: str  # .../api/rollouts/{rid}/attempt/{aid}/events
    key: str = ""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> AgentEndpoints:
        env = os.environ if environ is None else environ
        try:
            return cls(env["AGL_OPENAI_BASE_URL"], env["AGL_EVENT_URL"], env.get("AGL_KEY", ""))
        except KeyError as missing:
            raise AgentError(f"{missing.args[0]} is not set: run this agent under Agent Lightning") from None

    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"} if self.key else {}


@dataclass(frozen=True, slots=True)
class AgentOutcome:
    article: str | None  # what was published, None if nothing was
    completion: str  # what the agent received from the model (after governance, if governed)

    @property
    def published(self) -> bool:
        return self.article is not None


async def write_article(
    http: httpx.AsyncClient, endpoints: AgentEndpoints, task: Mapping[str, Any]
) -> AgentOutcome:
    body = {
        "model": task.get("model", "default"),
        "messages": [{"role": "user", "content": task["prompt"]}],
        "max_tokens": int(task.get("max_tokens", 256)),
    }
    try:
        response = await http.post(
            f"{endpoints.openai_base_url}/chat/completions", json=body, headers=endpoints.headers()
        )
    except httpx.HTTPError as exc:
        raise AgentError(f"model call failed: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise AgentError(f"model call failed: HTTP {response.status_code} {response.text[:200]}")
    try:
        completion = response.json()["choices"][0]["message"]["content"] or ""
    except (ValueError, KeyError, IndexError, TypeError):
        raise AgentError("model answer is not a chat completion") from None
    outcome = AgentOutcome(article=parse_article(completion), completion=completion)
    event = {
        "event_type": OUTCOME_EVENT,
        "data": {"published": outcome.published, "article": outcome.article},
    }
    try:
        posted = await http.post(endpoints.event_url, json=event, headers=endpoints.headers())
    except httpx.HTTPError as exc:
        raise AgentError(f"event post failed: {type(exc).__name__}") from None
    if posted.status_code >= 400:  # AGL's own agents ignore this; a lost outcome must fail loudly
        raise AgentError(f"event post failed: HTTP {posted.status_code}")
    return outcome


class EngagementAgent:
    """The class AGL's controller runs (`config.local.agent_class`)."""

    def run(self) -> None:
        endpoints = AgentEndpoints.from_environment()
        raw = os.environ.get(TASK_ENV)
        if not raw:
            raise AgentError(f"{TASK_ENV} is not set: map the rollout input to it in local.env_map")
        task = json.loads(raw)
        asyncio.run(self._run(endpoints, task))

    @staticmethod
    async def _run(endpoints: AgentEndpoints, task: Mapping[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=300.0) as http:
            await write_article(http, endpoints, task)
