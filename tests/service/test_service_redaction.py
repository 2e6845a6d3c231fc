"""One masking wherever text is stored or shown (issue 12, item 5)."""

from __future__ import annotations

from service_helpers import AUTH, ctx_of, reference_of, submit

from tractatus.governance.actions import Finding, Severity, Span, Verdict
from tractatus.governance.redact import redact_for_storage
from tractatus.service.models import Submission
from tractatus.service.routes_pages import DASHBOARD_TEXT_CHARS

CARD = "4111 1111 1111 1111"


def _card_finding(text: str) -> Finding:
    start = text.index(CARD)
    return Finding(source="pii", source_kind="detector", category="payment_card", severity=Severity.HIGH,
                   rule_id="pii.payment_card", message="card", span=Span(start, start + len(CARD)),
                   verdict=Verdict.BLOCK)  # fmt: skip


def test_an_escalated_insult_is_masked_in_the_stored_message(client) -> None:  # type: ignore[no-untyped-def]
    page = submit(client, "You are a worthless idiot and I will find you and hurt you.")
    with ctx_of(client).sessions() as session:
        record = session.get(Submission, reference_of(page.text))
    assert record.verdict == "escalate"
    assert "idiot" not in record.message_redacted and "worthless" not in record.message_redacted
    assert "[INSULT]" in record.message_redacted and "[THREAT]" in record.message_redacted
    queued = client.get("/api/v1/escalations", headers=AUTH).json()
    assert queued and all("idiot" not in item["redacted_text"] for item in queued)


def test_card_security_code_and_expiry_are_masked_next_to_the_card() -> None:
    text = f"card {CARD} cvv 123 exp 09/27, thanks"
    masked = redact_for_storage(text, [_card_finding(text)])
    assert CARD not in masked and "123" not in masked and "09/27" not in masked
    assert masked.startswith("card [PAYMENT_CARD]") and masked.endswith(", thanks")


def test_a_date_far_from_any_card_is_left_alone() -> None:
    text = "The sale ends 12/25 and the code 123 is for the door."
    assert redact_for_storage(text, []) == text
    far = f"card {CARD}" + " and some more words here to pass the window" * 2 + " cvv 123"
    assert redact_for_storage(far, [_card_finding(far)]).endswith("cvv 123")


def test_the_dashboard_shows_at_most_the_documented_length(client) -> None:  # type: ignore[no-untyped-def]
    long_abuse = "You are a worthless idiot and I will find you and hurt you. " + "The checkout page is broken. " * 60
    submit(client, long_abuse)
    page = client.get("/dashboard", headers=AUTH).text
    assert "The checkout page is broken. " * 20 not in page  # 580 characters would pass the limit
    assert "…" in page
    assert DASHBOARD_TEXT_CHARS <= 500
