"""Phone numbers as people write them abroad, with extensions; numbers that only look like phones pass."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import found_values, run

from tractatus.governance.actions import Severity


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Reach me on +41 (0)96 471 07 95 tomorrow.", "+41 (0)96 471 07 95"),
        ("WhatsApp +34924678045", "+34924678045"),
        ("the office: +49(0)4864 172722", "+49(0)4864 172722"),
        ("Dial 001-588-842-0089 from the hotel.", "001-588-842-0089"),
        ("Call 206.269.0743x9150 after lunch", "206.269.0743x9150"),
        ("Phone: +44 20 7946 0958 ext. 12", "+44 20 7946 0958 ext. 12"),
        ("Our desk (555) 123-4567 extension 7 is staffed", "(555) 123-4567 extension 7"),
        ("Please call (02)46687248 today", "(02)46687248"),
        ("my number is 0455.428.716", "0455.428.716"),
        ("Her number changed to 06 36 38 44 91 last week.", "06 36 38 44 91"),
    ],
)
def test_international_and_extension_formats_are_phones(
    detectors: dict[str, Any], text: str, number: str
) -> None:
    assert found_values(detectors["pii"], text, "phone") == [number]


@pytest.mark.parametrize(
    "text",
    [
        "Upgrade to version 10.20.8 before 04.10.2023.",
        "The build 2023.10.04.1 shipped.",
        "Order #12345678 shipped on 2024-01-02.",
        "763,840,406 people watched the final.",
        "We shipped 16 orders last week, up from 69962 the week before.",
        "Score: +3 points, +12 in total",
        "Invoice 0123 4567 89 is overdue",
        "The ratio was 1x1234 in the grid",
    ],
)
def test_numbers_that_are_not_phones_pass(detectors: dict[str, Any], text: str) -> None:
    assert found_values(detectors["pii"], text, "phone") == []


def test_ssn_in_parentheses_is_an_ssn_not_a_trunk_prefixed_phone(detectors: dict[str, Any]) -> None:
    findings = run(detectors["pii"], "The applicant's SSN (014-39-6331) is on file.")
    assert [f.category for f in findings] == ["ssn"]


@pytest.mark.parametrize(
    "text",
    [
        "BEST MASSAGE IN TOWN -- TOP RATED SPA 718-555-0143, open late",
        "Luigi's Pizzeria on Main St, call 555-010-0199 for delivery",
        "Reservations: +44 20 7946 0958",
        "Our customer service line is (555) 123-4567.",
    ],
)
def test_a_phone_a_business_advertises_is_the_business_s_not_a_person_s(detectors: dict[str, Any], text: str) -> None:
    findings = [f for f in run(detectors["pii"], text) if f.rule_id == "pii.phone"]
    assert len(findings) == 1 and findings[0].message == "contains a business phone number"
    assert findings[0].severity == Severity.INFO  # role_mailbox_severity: on the record, allowed
    consent = [f for f in run(detectors["compliance"], text) if f.rule_id == "compliance.consent_required"]
    assert consent == []  # a business's number needs no person's consent


@pytest.mark.parametrize(
    "text",
    [
        "Call 1-800-555-0199",
        "Call me at (555) 123-4567, I'm staying at the hotel",
        "The hotel was full, so call my cell 555.123.4567 instead",
        "Store manager Jane Doe's personal number: 555-123-4567",
    ],
)
def test_a_persons_number_near_a_business_word_is_still_reported(detectors: dict[str, Any], text: str) -> None:
    findings = [f for f in run(detectors["pii"], text) if f.rule_id == "pii.phone"]
    assert findings and all(f.severity == Severity.MEDIUM for f in findings), text
