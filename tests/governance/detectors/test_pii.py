"""PII: validators reject look-alikes, evidence is masked, spans point at the original text."""

from __future__ import annotations

from typing import Any

import pytest
from detector_helpers import build, run

from tractatus.governance.actions import Severity
from tractatus.governance.detectors.pii import presidio_available


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("Contact me at john.doe@example.com", "john.doe@example.com"),
        ("Call me at (555) 123-4567", "555"),
        ("Pay with 4111 1111 1111 1111", "4111 1111 1111"),
        ("IBAN DE89 3704 0044 0532 0130 00", "3704 0044"),
        ("SSN 123-45-6789", "123-45"),
        ("from 203.0.113.45", "0.113"),
    ],
)
def test_evidence_is_masked_never_raw(detectors: dict[str, Any], text: str, raw: str) -> None:
    findings = run(detectors["pii"], text)
    assert findings, text
    for finding in findings:
        assert finding.evidence and raw not in finding.evidence
        assert "*" in finding.evidence


def test_email_evidence_shape(detectors: dict[str, Any]) -> None:
    (finding,) = run(detectors["pii"], "Contact me at john.doe@example.com")
    assert finding.evidence == "j***@e***.com"
    assert finding.rule_id == "pii.email" and finding.category == "email"


def test_span_points_into_the_obfuscated_original(detectors: dict[str, Any]) -> None:
    text = "mail me: ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ, or base64 am9obi5kb2VAZXhhbXBsZS5jb20="
    findings = run(detectors["pii"], text)
    assert [text[f.span.start : f.span.end] for f in findings] == ["ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "am9obi5kb2VAZXhhbXBsZS5jb20="]


@pytest.mark.parametrize(
    ("number", "valid"),
    [("4111 1111 1111 1111", True), ("4111 1111 1111 1112", False), ("5500 0000 0000 0004", True), ("1234 5678 9012 3456", False)],
)
def test_cards_need_luhn(detectors: dict[str, Any], number: str, valid: bool) -> None:
    rules = {f.rule_id for f in run(detectors["pii"], f"card {number}")}
    assert ("pii.payment_card" in rules) is valid


@pytest.mark.parametrize(("ssn", "valid"), [("123-45-6789", True), ("000-45-6789", False), ("666-45-6789", False), ("912-45-6789", False), ("123-00-6789", False), ("123-45-0000", False)])
def test_ssn_invalid_area_group_serial_rules(detectors: dict[str, Any], ssn: str, valid: bool) -> None:
    rules = {f.rule_id for f in run(detectors["pii"], f"SSN {ssn}")}
    assert ("pii.ssn" in rules) is valid


def test_iban_checksum(detectors: dict[str, Any]) -> None:
    assert {f.rule_id for f in run(detectors["pii"], "IBAN DE89 3704 0044 0532 0130 00")} == {"pii.iban"}
    assert not run(detectors["pii"], "IBAN DE88 3704 0044 0532 0130 00")


@pytest.mark.parametrize("text", ["version 10.0.0.1", "v1.2.3.4", "release 2.0.0.1 notes", "see section 4.2.1.3", "999.1.1.1 is not an address"])
def test_version_numbers_are_not_ip_addresses(detectors: dict[str, Any], text: str) -> None:
    assert not run(detectors["pii"], text)


def test_shared_mailbox_is_reported_as_info_and_private_ip_severity_comes_from_settings(detectors: dict[str, Any]) -> None:
    findings = run(detectors["pii"], "write to support@acme.com from 192.168.1.10")
    assert {(f.rule_id, f.severity) for f in findings} == {("pii.email", Severity.INFO), ("pii.ip_address", Severity.MEDIUM)}
    assert {f.severity for f in run(build("pii", role_mailbox_severity="low"), "write to support@acme.com")} == {Severity.LOW}
    relaxed = build("pii", private_ip_severity="low")
    assert {f.severity for f in run(relaxed, "from 192.168.1.10")} == {Severity.LOW}


def test_consent_lowers_only_the_consented_categories(detectors: dict[str, Any]) -> None:
    text = "Contact me at john.doe@example.com or 555-123-4567, card 4111 1111 1111 1111"
    consented = {f.rule_id: f.severity for f in run(detectors["pii"], text, {"consent": True})}
    assert consented == {"pii.email": Severity.INFO, "pii.phone": Severity.INFO, "pii.payment_card": Severity.HIGH}
    # No record, or anything but a literal true, changes nothing.
    for context in (None, {"consent": "yes"}, {"consent": False}):
        severities = {f.rule_id: f.severity for f in run(detectors["pii"], text, context)}
        assert severities == {"pii.email": Severity.MEDIUM, "pii.phone": Severity.MEDIUM, "pii.payment_card": Severity.HIGH}


def test_settings_drive_severity_and_categories() -> None:
    detector = build("pii", categories=["email"], severities={"email": "critical"})
    findings = run(detector, "john@example.com, 555-123-4567")
    assert [(f.rule_id, f.severity) for f in findings] == [("pii.email", Severity.CRITICAL)]


def test_person_names_need_presidio() -> None:
    detector = build("pii")
    assert detector.ner_available is presidio_available()
    if not presidio_available():
        pytest.skip("presidio_analyzer and a spaCy model are not installed (optional extra 'ner')")
    findings = run(detector, "Please forward this to Angela Merkel tomorrow")
    assert any(f.rule_id == "pii.person" for f in findings)


@pytest.mark.parametrize("text", ["\ud800", "my name is \ud800 Smith", "1\ud800 Main Street, Springfield", "x\udfff 12 Main Street"])
def test_lone_surrogates_neither_raise_nor_move_spans(detectors: dict[str, Any], text: str) -> None:
    for finding in run(detectors["pii"], text):
        assert 0 <= finding.span.start <= finding.span.end <= len(text)
    assert {f.rule_id for f in run(detectors["pii"], "x\udfff 12 Main Street, Springfield, IL 62704")} == {"pii.street_address"}
