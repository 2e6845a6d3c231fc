"""The headline agent: an Agent Lightning 1.x agent that asks the model which headline to publish.

AGL's local controller (`LocalReconciler`) runs `HeadlineAgent().run()` in a fresh Python
process per rollout. The agent follows AGL's agent contract and nothing else:
- it talks to the model only through the OpenAI-compatible base URL in `AGL_OPENAI_BASE_URL`
  (the governed proxy when governed, AGL's gateway otherwise: the agent cannot tell);
- it reports by POSTing events to `AGL_EVENT_URL` with the key in `AGL_KEY`;
- its task is the rollout input, which the controller passes through `local.env_map` as JSON in
  `TRACTATUS_TASK` (see `algorithm.ROLLOUT_ENV_MAP`): the candidates, the prompt resource and
  its version.

It publishes the headline the model wrote, and reports an `outcome` event
{published, text, prompt_version}. A blocked answer (HTTP 200 with `finish_reason:
"content_filter"`, or a refusal as content from an older proxy) holds no headline to publish, so
nothing is published. The agent never scores itself: the environment's reward is computed by the
rollout hooks from the text the model actually wrote (scoring.py), and any reward an agent posts
itself is re-judged there.

Imports are kept to json/os/httpx: the controller pays the interpreter start-up per rollout.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

import httpx

from tractatus.integrations.agentlightning.headline_prompt import parse_headline, render

TASK_ENV = "TRACTATUS_TASK"
OUTCOME_EVENT = "outcome"  # same name as gateway.OUTCOME_EVENT (not imported: keep start-up light)
REFUSAL_PREFIX = "[tractatus]"  # how the proxy's default refusal text starts, when given as content
VERDICT_HEADER = "x-tractatus-verdict"  # the governed proxy's verdict on the answer
WITHHELD = ("block", "escalate")


class AgentError(Exception):
    """The model call or the event post failed: the process exits non-zero and AGL fails the rollout."""


def endpoints(environ: Mapping[str, str]) -> tuple[str, str, dict[str, str]]:
    try:
        base, events = environ["AGL_OPENAI_BASE_URL"], environ["AGL_EVENT_URL"]
    except KeyError as missing:
        raise AgentError(f"{missing.args[0]} is not set: run this agent under Agent Lightning") from None
    key = environ.get("AGL_KEY", "")
    return base.rstrip("/"), events, ({"authorization": f"Bearer {key}"} if key else {})


def published_text(answer: Mapping[str, Any], verdict: str | None = None) -> str | None:
    """The headline to publish from a chat completion, or None when governance blocked it."""
    if verdict in WITHHELD:
        return None
    choice = answer["choices"][0]
    message = choice.get("message") or {}
    if choice.get("finish_reason") == "content_filter" or message.get("refusal"):
        return None
    content = message.get("content") or ""
    if content.startswith(REFUSAL_PREFIX):
        return None
    return parse_headline(content)


def write_headline(http: httpx.Client, environ: Mapping[str, str], task: Mapping[str, Any]) -> str | None:
    """One rollout: ask, publish what the model wrote (if anything), report it. Returns the text."""
    base, event_url, headers = endpoints(environ)
    body = {
        "model": task.get("model", "default"),
        "messages": [{"role": "user", "content": render(task["prompt"], task["candidates"])}],
        "max_tokens": int(task.get("max_tokens", 64)),
    }
    try:
        response = http.post(f"{base}/chat/completions", json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise AgentError(f"model call failed: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise AgentError(f"model call failed: HTTP {response.status_code} {response.text[:200]}")
    try:
        text = published_text(response.json(), response.headers.get(VERDICT_HEADER))
    except (ValueError, KeyError, IndexError, TypeError):
        raise AgentError("model answer is not a chat completion") from None
    event = {
        "event_type": OUTCOME_EVENT,
        "data": {"published": text is not None, "text": text, "prompt_version": task.get("prompt_version")},
    }
    try:
        posted = http.post(event_url, json=event, headers=headers)
    except httpx.HTTPError as exc:
        raise AgentError(f"event post failed: {type(exc).__name__}") from None
    if posted.status_code >= 400:  # a lost outcome must fail the rollout, not vanish
        raise AgentError(f"event post failed: HTTP {posted.status_code}")
    return text


class HeadlineAgent:
    """The class AGL's controller runs (`config.local.agent_class`)."""

    def run(self) -> None:
        raw = os.environ.get(TASK_ENV)
        if not raw:
            raise AgentError(f"{TASK_ENV} is not set: map the rollout input to it in local.env_map")
        with httpx.Client(timeout=120.0) as http:
            write_headline(http, os.environ, json.loads(raw))
