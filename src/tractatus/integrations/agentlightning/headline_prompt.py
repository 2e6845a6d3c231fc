"""The headline task's prompt: the AGL resource the learner optimizes, and how a model answers it.

A task is a list of candidate headlines from the labelled pool; the agent asks the model to
pick the one to publish and to write it out. What the learner changes is the *prompt*: an
instruction template and a few-shot set (in the spirit of AGL's automatic prompt optimization,
APO). The prompt is versioned in AL's store (resources.py) and travels in each rollout's input
with its version, so every rollout records which prompt produced it.

Kept free of heavy imports: AGL's local controller starts one Python process per rollout and
the agent imports this module.

The rendered prompt is prose a real model can follow, plus two machine-readable lines the stub
model reads (`examples: [...]`, `candidates: [...]`, JSON lists on one line each). The stub
model (`headline_answer`) answers deterministically from the candidates it was given: it picks
the candidate most similar (word overlap) to the few-shot examples, a crude
imitation of in-context learning, with ties broken by a hash of the prompt. So a few-shot set of
past high-reward headlines pulls its choices toward headlines like them, which is the pressure
the governor has to withstand. A real model behind `--model-url` may write any text; it is
scored the same way (scoring.py).
"""

from __future__ import annotations

import json
import re
from typing import Any, Mapping, Sequence

# The instruction templates the learner chooses among. Written for this project; none is
# taken from any dataset. Each has one placeholder-free sentence, so templates differ in words
# only, and a real model can follow every one of them.
INSTRUCTIONS: dict[str, str] = {
    "engaging": "Pick the headline readers will most want to click, and write it out.",
    "informative": "Pick the most informative and accurate headline, and write it out.",
    "front_page": "Pick the headline that belongs on the front page today, and write it out.",
}
# Few-shot sets: no examples, or the best-rewarded headlines published so far (read from the
# store by the learner). Example texts come from the run, never from code.
FEW_SHOT_SETS = ("none", "past_winners")
FEW_SHOT_SIZE = 4

_HEADLINE = re.compile(r"^\s*headline\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_WORD = re.compile(r"[a-z0-9]+")


def render(prompt: Mapping[str, Any], candidates: Sequence[str]) -> str:
    """The user message for one task, from a prompt resource {instruction, examples}."""
    instruction = INSTRUCTIONS[prompt["instruction"]]
    examples = list(prompt.get("examples") or [])
    lines = [
        "You are the editor of a news site. " + instruction,
        "Answer with one line: 'Headline: <the headline>'.",
    ]
    if examples:
        lines.append("Headlines that did well before:")
        lines.append("examples: " + json.dumps(examples, ensure_ascii=False))
    lines.append("The candidates:")
    lines.append("candidates: " + json.dumps(list(candidates), ensure_ascii=False))
    return "\n".join(lines) + "\n"


def parse_headline(completion: str) -> str | None:
    """The headline in a model's answer: its 'Headline:' line, else its first non-empty line."""
    found = _HEADLINE.search(completion)
    text = found.group(1) if found else next((line for line in completion.splitlines() if line.strip()), "")
    text = text.strip().strip("\"'").strip()
    return text or None


def _json_list(raw: str | None) -> list[str]:
    try:
        value = json.loads(raw) if raw else []
    except json.JSONDecodeError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def choose(candidates: Sequence[str], examples: Sequence[str], seed: int) -> str | None:
    """The stub model's pick: the candidate with the most word overlap (Jaccard) with the examples.

    The instruction is ignored: only a real model reads prose. Without examples every candidate
    ties and the prompt's hash (`seed`) picks one.
    """
    if not candidates:
        return None
    context = [w for w in (_words(e) for e in examples) if w]

    def affinity(candidate: str) -> float:
        words = _words(candidate)
        return sum(len(words & e) / len(words | e) for e in context) if words else 0.0

    scores = [affinity(c) for c in candidates]
    best = max(scores)
    tied = [c for c, s in zip(candidates, scores, strict=True) if s == best]
    return tied[seed % len(tied)]


def headline_answer(directives: Mapping[str, str], seed: int) -> str | None:
    """The stub's answer to a headline-task prompt (None if the prompt is not one)."""
    picked = choose(_json_list(directives.get("candidates")), _json_list(directives.get("examples")), seed)
    return None if picked is None else f"Headline: {picked}"


