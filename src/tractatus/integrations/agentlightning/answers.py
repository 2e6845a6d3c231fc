"""What the agent receives: a governed model answer, shaped as OpenAI shapes its own.

The proxy turns a model answer into governed pieces (a choice's text, each of its tool calls, or,
for a stream released sentence by sentence, each sentence), has the governor decide them, and
then builds the answer here from an allow-list of fields, so nothing unvetted (token ids,
log-probs, reasoning text) can ride along with a vetted message.

Withheld content is signalled the way OpenAI signals its own filter: `finish_reason:
"content_filter"` and the reason in `message.refusal` (verdict and rule ids), never in `content`,
so an agent cannot mistake the refusal for words its model wrote. A stream ends with a chunk whose
`finish_reason` is `content_filter`; the withheld sentence and everything after it never leave.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from tractatus.governance.actions import Action, Decision, Verdict

CONTENT_FILTER = "content_filter"

# A sentence: up to and including its end mark (one or more of .!? before whitespace or the end),
# a line break, or the end of the text, plus the whitespace after it. A regex rather than a
# sentence-boundary model (pysbd, NLTK punkt need data files and cost far more per call): a
# missplit only moves a chunk boundary, and every character is still checked before release.
_SENTENCE = re.compile(r"\s*\S.*?(?:[.!?]+(?=\s|\Z)|\n|\Z)[^\S\n]*\n*", re.S)


def split_sentences(text: str) -> list[str]:
    """Sentences whose concatenation is exactly `text` (whitespace kept with the sentence before)."""
    parts = [m.group(0) for m in _SENTENCE.finditer(text)]
    return parts or ([text] if text else [])


@dataclass(frozen=True, slots=True)
class Piece:
    """One governed piece of a model answer: a choice's text (or one sentence of it) or a tool call."""

    choice: int
    action: Action
    tool_call: dict[str, Any] | None = None
    sentence: int | None = None  # index of the sentence, when text is released sentence by sentence
    released_text: str | None = None  # the text as it appears in the answer (with its whitespace)


@dataclass(slots=True)
class GovernedChoice:
    """One choice after governance, before it is rendered as JSON or as a stream."""

    index: int
    segments: list[str] = field(default_factory=list)  # released text, in order
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    finish_reason: str | None = None

    @property
    def content(self) -> str | None:
        return "".join(self.segments) if self.segments else None

    @property
    def refusal(self) -> str | None:
        return "\n".join(self.refusals) if self.refusals else None


@dataclass(slots=True)
class GovernedAnswer:
    id: Any
    object: str
    created: Any
    model: Any
    choices: list[GovernedChoice]
    usage: dict[str, int] | None
    verdict: Verdict  # the worst verdict, for the x-tractatus-verdict header
    legacy_completion: bool  # /completions (text) rather than /chat/completions (message)

    def to_json(self) -> dict[str, Any]:
        choices: list[dict[str, Any]] = []
        for c in self.choices:
            if self.legacy_completion:
                item: dict[str, Any] = {
                    "index": c.index,
                    "text": c.content or "",
                    "finish_reason": c.finish_reason,
                }
                if c.refusal is not None:
                    item["refusal"] = c.refusal
            else:
                message: dict[str, Any] = {"role": "assistant", "content": c.content, "refusal": c.refusal}
                if c.tool_calls:
                    message["tool_calls"] = c.tool_calls
                item = {"index": c.index, "message": message, "finish_reason": c.finish_reason}
            choices.append(item)
        out: dict[str, Any] = {
            "id": self.id,
            "object": self.object,
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
        if self.usage is not None:
            out["usage"] = self.usage
        return out

    def sse_events(self, *, include_usage: bool = False) -> Iterator[bytes]:
        """The answer as OpenAI's `chat.completion.chunk` server-sent events, ending with [DONE]."""

        def event(choice: dict[str, Any] | None, **extra: Any) -> bytes:
            chunk: dict[str, Any] = {
                "id": self.id,
                "object": "chat.completion.chunk" if not self.legacy_completion else "text_completion",
                "created": self.created,
                "model": self.model,
                "choices": [choice] if choice is not None else [],
                **extra,
            }
            return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"

        for c in self.choices:
            if self.legacy_completion:
                for segment in c.segments:
                    yield event({"index": c.index, "text": segment, "finish_reason": None})
                yield event({"index": c.index, "text": "", "finish_reason": c.finish_reason})
                continue
            yield event(
                {"index": c.index, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}
            )
            for segment in c.segments:
                yield event({"index": c.index, "delta": {"content": segment}, "finish_reason": None})
            if c.tool_calls:
                calls = [{"index": i, **call} for i, call in enumerate(c.tool_calls)]
                yield event({"index": c.index, "delta": {"tool_calls": calls}, "finish_reason": None})
            if c.refusal is not None:
                yield event({"index": c.index, "delta": {"refusal": c.refusal}, "finish_reason": None})
            yield event({"index": c.index, "delta": {}, "finish_reason": c.finish_reason})
        if include_usage and self.usage is not None:
            yield event(None, usage=self.usage)
        yield b"data: [DONE]\n\n"


def govern_answer(
    answer: dict[str, Any],
    pieces: list[Piece],
    decisions: list[Decision],
    *,
    legacy_completion: bool,
    refusal: str,
) -> GovernedAnswer:
    """Apply every decision to its piece. Text released sentence by sentence stops at the first
    sentence that may not go out: nothing after it is released, even if it was allowed."""
    by_choice: dict[int, list[tuple[Piece, Decision]]] = {}
    for piece, decision in zip(pieces, decisions, strict=True):
        by_choice.setdefault(piece.choice, []).append((piece, decision))
    choices: list[GovernedChoice] = []
    for index, raw in enumerate(answer["choices"]):
        governed = GovernedChoice(index)
        withheld = stopped = False
        for piece, decision in by_choice.get(index, ()):
            if piece.tool_call is not None:
                if decision.verdict <= Verdict.WARN:
                    governed.tool_calls.append(_vetted_tool_call(piece.tool_call))
                else:  # arguments cannot be redacted safely: a tool call runs as proposed or not at all
                    withheld = True
                    governed.refusals.append(_refusal(refusal, decision))
                continue
            if stopped:
                continue
            text = piece.released_text if piece.released_text is not None else piece.action.text
            if decision.verdict <= Verdict.WARN:
                governed.segments.append(text)
            elif decision.verdict == Verdict.MODIFY and decision.modified_text is not None:
                governed.segments.append(decision.modified_text)
            else:
                withheld = True
                stopped = piece.sentence is not None
                governed.refusals.append(_refusal(refusal, decision))
        upstream_finish = raw.get("finish_reason") if isinstance(raw.get("finish_reason"), str) else None
        governed.finish_reason = CONTENT_FILTER if withheld else (upstream_finish or "stop")
        choices.append(governed)
    usage = answer.get("usage")
    return GovernedAnswer(
        id=answer.get("id"),
        object=answer.get("object", "text_completion" if legacy_completion else "chat.completion"),
        created=answer.get("created", 0),
        model=answer.get("model"),
        choices=choices,
        usage={k: v for k, v in usage.items() if isinstance(v, int)} if isinstance(usage, dict) else None,
        verdict=max((d.verdict for d in decisions), default=Verdict.ALLOW),
        legacy_completion=legacy_completion,
    )


def _vetted_tool_call(call: dict[str, Any]) -> dict[str, Any]:
    function = call["function"]
    arguments = function.get("arguments")
    return {
        "id": call.get("id"),
        "type": "function",
        "function": {
            "name": function.get("name"),
            "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments),
        },
    }


def _refusal(template: str, decision: Decision) -> str:
    rules = ", ".join(sorted(set(decision.rule_ids))) or "policy"
    return template.format(verdict=decision.verdict.label, rules=rules)
