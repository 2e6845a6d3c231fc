"""No check of the default policy stalls on crafted 1 KB input.

Each input repeats one short unit (an insult opener, a digit run, an address fragment...) to 1 KB,
the shape that makes backtracking regexes and per-match scoring go super-linear. Found this way:
the abuse detector scored VADER once per repeated insult on the same sentence, 3-13 s on 1 KB of
"you stupid ". The bound is generous (the machine is shared); a stall costs seconds.
"""

from __future__ import annotations

import time

import pytest

from tractatus.governance.actions import Action
from tractatus.governance.checks import CheckContext
from tractatus.governance.normalize import normalize
from tractatus.governance.policy import bundled_policy_path, load_policy
from tractatus.governance.registry import default_registry
from tractatus.governance.state import GovernanceState

UNITS = [
    "you stupid ", "you idiot ", "you are stupid ", "he is an idiot ", "you f*cking ", "id**t ", "go die ",
    "I will kill ", "call 555 ", "+1 (", "Apt 1 ", "PSC 1 Box ", "123 Main St ", "a@b.c ", "4111 ", "DE89 ",
    "10.0.0.", "SHOCKING ", "!!! ", "You Wont Believe ", "87% ", "guarantee ", "my name is ", "diagnosed with ",
    "a", "1", "1.", "%41", "this weird ", "-", "@", "A. ", "http://a", "rm -r", "\u200b", "é",
]
BOUND_S = 1.0


@pytest.fixture(scope="module")
def checks() -> dict:
    policy = load_policy(bundled_policy_path("default"))
    registry = default_registry()
    return {name: registry[name](policy.check_settings(name)) for name in policy.document.checks}


@pytest.mark.parametrize("unit", UNITS)
def test_every_check_decides_crafted_1kb_input_in_bounded_time(checks: dict, unit: str) -> None:
    text = (unit * (1024 // len(unit) + 1))[:1024] + "!"
    started = time.perf_counter()
    normalized = normalize(text)
    assert time.perf_counter() - started < BOUND_S, "normalize"
    ctx = CheckContext(action=Action(kind="message", text=text), text=normalized, state=GovernanceState())
    for name, check in checks.items():
        started = time.perf_counter()
        check.evaluate(ctx)
        assert time.perf_counter() - started < BOUND_S, f"{name} took over {BOUND_S} s on {unit!r} x 1 KB"


def test_repeated_insults_are_still_found(checks: dict) -> None:
    text = "you stupid idiot " * 60
    ctx = CheckContext(action=Action(text=text), text=normalize(text), state=GovernanceState())
    assert {f.category for f in checks["abuse"].evaluate(ctx)} & {"insult", "directed_negativity"}
