"""Street addresses in several countries' forms; headlines and dates with numbers are not addresses."""

from __future__ import annotations

import time
from typing import Any

import pytest
from detector_helpers import found_values, run


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "I live at 574 Patrick Walks Apt. 883, Herringfort, VI 48307.",
            "574 Patrick Walks Apt. 883, Herringfort, VI 48307",
        ),
        ("Ship to 1099 Nicholas Radial Suite 848 please", "1099 Nicholas Radial Suite 848"),
        ("Send it to PSC 1234, Box 5678, APO AE 12345", "PSC 1234, Box 5678, APO AE 12345"),
        ("Home: Flat 6, Austin Shore, Marymouth, DN13 4PR", "Flat 6, Austin Shore, Marymouth, DN13 4PR"),
        ("Office: 221B Baker Street, London NW1 6XE", "221B Baker Street"),
        ("Wir wohnen in der Hauptstraße 5, 10115 Berlin.", "Hauptstraße 5, 10115 Berlin"),
        ("Je suis au 12, rue de Rivoli, 75001 Paris", "12, rue de Rivoli, 75001 Paris"),
        ("Siamo in Via Fiorucci, 3 a Roma", "Via Fiorucci, 3"),
        ("Our flat is at Woutdreef 740, 5340EW, Egchel", "Woutdreef 740, 5340EW, Egchel"),
        ("Pick me up at H.No. 85, Goyal Marg", "H.No. 85, Goyal Marg"),
        ("Postal address: P.O. Box 4521", "P.O. Box 4521"),
        (
            "Mailing: 56/084 Joel Expressway, New Matthewton, VIC, 2920",
            "56/084 Joel Expressway, New Matthewton, VIC, 2920",
        ),
    ],
)
def test_addresses_in_many_forms_are_found(detectors: dict[str, Any], text: str, address: str) -> None:
    found = found_values(detectors["pii"], text, "street_address")
    assert found, text
    assert address in found, found


@pytest.mark.parametrize(
    "text",
    [
        "27 Pictures That Are Way Too Real",
        "During 1971, Mayo-Walters invested heavily in new factories.",
        "In 1999, Smith Park opened to the public.",
        "10 Dogs Who Own The Road",
        "12 Celebrities Who Live On The Same Street",
        "Top 10 Best Way to learn Rust",
        "7 Amazing Park Ideas For Your Weekend",
        "11 Reasons Your Morning Walk Is The Best Way To Start The Day",
        "The Spring 2024 collection launches today.",
        "We shipped 16 orders last week, up from 69962 the week before.",
        "Chapter 3 Main Points are summarised below.",
    ],
)
def test_headlines_dates_and_counts_are_not_addresses(detectors: dict[str, Any], text: str) -> None:
    assert found_values(detectors["pii"], text, "street_address") == []


def test_address_patterns_stay_linear_on_hostile_input(detectors: dict[str, Any]) -> None:
    hostile = "1 " + "Aa " * 5000 + "1, " * 2000 + "x"
    started = time.perf_counter()
    run(detectors["pii"], hostile)
    assert time.perf_counter() - started < 2.0
