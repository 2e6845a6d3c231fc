"""Person names without a model: where a person names themselves or signs. Title-case look-alikes pass."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import found_values


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Hi, my name is Gerhard Ott and I need help with my account.", "Gerhard Ott"),
        ("my name's Priya", "Priya"),
        ("Name: Lauren van der Zijl", "Lauren van der Zijl"),
        ("Hello, this is Maria Lopez from the billing team.", "Maria Lopez"),
        ("I'm Sean O'Brien, the new project manager.", "Sean O'Brien"),
        ("Thanks for your help.\nRegards,\nEkiya Srivastava", "Ekiya Srivastava"),
        ("Best regards, Vrishti Arora", "Vrishti Arora"),
        ("See you soon.\nCheers,\nJo", "Jo"),
        ("Kind regards\nHeinz-Günter Albers", "Heinz-Günter Albers"),
    ],
)
def test_self_named_and_signing_people_are_found(detectors: dict[str, Any], text: str, name: str) -> None:
    assert found_values(detectors["pii"], text, "person") == [name]


@pytest.mark.parametrize(
    "text",
    [
        "I'm happy with the results so far.",
        "I'm Sorry",
        "I'm Not Okay And That's Fine",
        "This Is Why You Should Never Skip Breakfast",
        "This is the last reminder before the deadline.",
        "Regards to everyone at the office.",
        "Thanks, Everyone!",
        "Best, Team",
        "Call me back when you can.",
        "The Best Sellers Of The Year",
        "my name is on the list",
    ],
)
def test_title_case_and_everyday_phrases_are_not_names(detectors: dict[str, Any], text: str) -> None:
    assert found_values(detectors["pii"], text, "person") == []
