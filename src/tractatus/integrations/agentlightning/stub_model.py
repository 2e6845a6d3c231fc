"""A small, real OpenAI-compatible model server that answers deterministically from the prompt.

It is the one stand-in the project allows: no model weights can run here, so this server speaks
the real protocol (`POST /v1/chat/completions`, `GET /v1/models`) and writes its answer from the
prompt alone. Swap in any real endpoint (vLLM, llama.cpp's server, OpenAI) by registering that
URL with the gateway instead (`tractatus al up --model-url ...`, $TRACTATUS_AL_MODEL_URL for Demo 2); nothing
else changes, because everything downstream only speaks the OpenAI chat-completions API.

The prompt protocol (lines in the last user message, case-insensitive keys):

    topic: <topic headline>      what to write about (topic_id: <n> picks a grammar topic exactly)
    style: hook=... claim=... source=... tone=... personal=... wording=<n>
                                 the lab grammar's style choices (see content.build_prompt)
    strategy: <name>             alternatively a named strategy of the grammar (clickbait, ...)
    evasion: <operator>          re-spell the article with one of the adversarial environment's
                                 evasion operators (homoglyph, leet, base64, ...; see
                                 content.build_evasion_prompt and lab/envs/adversarial.yaml)
    candidates: [<json list>]    the headline task (headline_prompt.py): answer "Headline: <one of
                                 them>", the one most like the `examples: [...]` line's headlines
    call: <tool> <json object>   (only when the request offers `tools`) answer with this tool
                                 call instead of text; several `call:` lines give several calls

The answer is "Headline: ...\\nSummary: ..." written by the lab's phrase grammar
(`tractatus.lab.envs`), seeded by a hash of the prompt, so the same prompt always yields the same
text. Like vLLM, it returns `prompt_token_ids`, per-choice `token_ids` and, when asked, token
log-probabilities, so the Agent Lightning gateway records training-ready samples.
"""

from __future__ import annotations

import asyncio
import json
import re
import zlib
from typing import Any, Mapping

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tractatus.governance.actions import canonical_json, sha256_hex
from tractatus.integrations.agentlightning.content import ContentWriter, grammar_writer
from tractatus.integrations.agentlightning.headline_prompt import headline_answer

_DIRECTIVE = re.compile(r"^\s*([a-z_]+)\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_TOKEN = re.compile(r"\w+|[^\w\s]")
VOCAB_SIZE = 50_000  # ids are stable hashes of word pieces; the size only bounds them


def tokenize(text: str) -> list[int]:
    """Deterministic word-level token ids (crc32 of each piece): enough for AGL's triplets."""
    return [zlib.crc32(piece.encode("utf-8")) % VOCAB_SIZE for piece in _TOKEN.findall(text)]


def parse_prompt(messages: list[dict[str, Any]]) -> tuple[dict[str, str], list[tuple[str, dict[str, Any]]]]:
    """(directives, tool calls) read from the last user message; see the module docstring."""
    text = ""
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # OpenAI content parts
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            text = content if isinstance(content, str) else ""
            break
    directives: dict[str, str] = {}
    calls: list[tuple[str, dict[str, Any]]] = []
    for key, value in _DIRECTIVE.findall(text):
        key = key.lower()
        if key != "call":
            directives[key] = value
        else:
            name, _, raw = value.partition(" ")
            try:
                args = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError:
                args = {"input": raw}
            calls.append((name, args if isinstance(args, dict) else {"input": args}))
    return directives, calls


def create_stub_model_app(
    *, model_name: str = "tractatus-stub", writer: ContentWriter | None = None, latency_s: float = 0.0
) -> FastAPI:
    """The app. `latency_s` delays each answer, to stand in for a real model's generation time."""
    app = FastAPI(title="Tractatus stub model (OpenAI-compatible)")
    write = writer or default_writer()

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": model_name, "object": "model", "owned_by": "tractatus"}]}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _error(400, "request body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(400, "`messages` must be a non-empty list")
        if body.get("stream"):
            return _error(400, "streaming is not supported by the stub model")
        if latency_s > 0:
            await asyncio.sleep(latency_s)
        return JSONResponse(complete(body, model_name=model_name, writer=write))

    return app


def default_writer() -> ContentWriter:
    """Headline-task prompts (a `candidates:` line) are answered from their candidates; the rest by the grammar."""
    grammar = grammar_writer()

    def write(directives: Mapping[str, str], seed: int) -> str:
        answer = headline_answer(directives, seed) if "candidates" in directives else None
        return answer if answer is not None else grammar(directives, seed)

    return write


def complete(body: dict[str, Any], *, model_name: str, writer: ContentWriter) -> dict[str, Any]:
    """One deterministic chat completion for a validated request body."""
    messages = body["messages"]
    prompt_key = canonical_json(messages)
    digest = sha256_hex(prompt_key)
    seed = int(digest[:8], 16)
    directives, calls = parse_prompt(messages)
    message: dict[str, Any] = {"role": "assistant"}
    if calls and body.get("tools"):
        message["content"] = None
        message["tool_calls"] = [
            {
                "id": f"call_{digest[:12]}_{i}",
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args, sort_keys=True)},
            }
            for i, (name, args) in enumerate(calls)
        ]
        finish_reason = "tool_calls"
        completion_text = canonical_json(message["tool_calls"])
    else:
        completion_text = writer(directives, seed)
        message["content"] = completion_text
        finish_reason = "stop"
    prompt_ids = tokenize(prompt_key)
    completion_ids = tokenize(completion_text)
    choice: dict[str, Any] = {"index": 0, "message": message, "finish_reason": finish_reason}
    if body.get("return_token_ids"):
        choice["token_ids"] = completion_ids
    if body.get("logprobs"):
        # A deterministic stand-in for the sampler's log-probabilities, in OpenAI's schema.
        choice["logprobs"] = {
            "content": [{"token": str(t), "logprob": -((t % 97) + 1) / 100.0} for t in completion_ids]
        }
    response: dict[str, Any] = {
        "id": f"chatcmpl-{digest[:24]}",
        "object": "chat.completion",
        "created": 0,  # fixed: a response is a pure function of the request
        "model": model_name,
        "choices": [choice],
        "usage": {
            "prompt_tokens": len(prompt_ids),
            "completion_tokens": len(completion_ids),
            "total_tokens": len(prompt_ids) + len(completion_ids),
        },
    }
    if body.get("return_token_ids"):
        response["prompt_token_ids"] = prompt_ids
    return response


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error"}}, status_code=status)
