"""Bad input: every case gets a clear 4xx, never a 500, and nothing is half-stored."""

from __future__ import annotations

import pytest
from service_helpers import AUTH, csrf_token, ctx_of, submit
from sqlalchemy import func, select, text

from tractatus.service.models import Contact, DecisionRecord, Submission


def counts(client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with ctx_of(client).sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Submission)),
            session.scalar(select(func.count()).select_from(DecisionRecord)),
        )


def form_post(client, body: bytes, content_type: str = "application/x-www-form-urlencoded"):  # type: ignore[no-untyped-def]
    return client.post("/feedback", content=body, headers={"Content-Type": content_type})


@pytest.mark.parametrize(
    ("message", "status", "phrase"),
    [("", 400, "must not be empty"), ("   \n\t ", 400, "must not be empty"), ("x" * 5001, 400, "longer than 5000")],
)
def test_empty_or_oversized_message(client, message, status, phrase):
    page = submit(client, message)
    assert page.status_code == status
    assert phrase in page.text
    assert counts(client) == (0, 0)


def test_body_over_the_size_limit_is_413_before_reading(client):
    token = csrf_token(client)
    page = client.post("/feedback", data={"message": "a" * 70000, "csrf_token": token})
    assert page.status_code == 413
    api = client.post("/api/v1/decide", content=b'{"text": "' + b"a" * 70000 + b'"}',
                      headers={**AUTH, "Content-Type": "application/json"})
    assert api.status_code == 413
    assert counts(client) == (0, 0)


def test_invalid_utf8_in_the_form(client):
    token = csrf_token(client)
    encoded = f"csrf_token={token}&message=".encode() + b"%FF%FEbroken"
    page = form_post(client, encoded)
    assert page.status_code == 400 and "not valid UTF-8" in page.text
    raw = form_post(client, f"csrf_token={token}&message=".encode() + b"\xff\xfe")
    assert raw.status_code == 400
    assert counts(client) == (0, 0)


def test_invalid_utf8_and_invalid_json_in_the_api(client):
    headers = {**AUTH, "Content-Type": "application/json"}
    bad_bytes = client.post("/api/v1/decide", content=b'{"text": "\xff\xfe"}', headers=headers)
    assert 400 <= bad_bytes.status_code < 500
    not_json = client.post("/api/v1/decide", content=b"{text:", headers=headers)
    assert not_json.status_code == 422 and "JSON" in not_json.json()["detail"]


def test_wrong_content_type(client):
    token = csrf_token(client)
    as_json = client.post("/feedback", json={"message": "hello there, the site is slow", "csrf_token": token})
    assert as_json.status_code == 415
    as_text = client.post("/api/v1/decide", content=b"text=hi", headers={**AUTH, "Content-Type": "text/plain"})
    assert as_text.status_code == 415 and "application/json" in as_text.json()["detail"]
    assert counts(client) == (0, 0)


def test_missing_or_forged_csrf_token(client):
    missing = client.post("/feedback", data={"message": "The docs search is broken."})
    assert missing.status_code == 403 and "CSRF" in missing.text
    forged = client.post("/feedback", data={"message": "The docs search is broken.", "csrf_token": "abc.123.def"})
    assert forged.status_code == 403
    token = csrf_token(client)
    client.cookies.clear()  # a token without its cookie (a cross-site post) is refused too
    crosssite = client.post("/feedback", data={"message": "The docs search is broken.", "csrf_token": token})
    assert crosssite.status_code == 403
    assert counts(client) == (0, 0)


def test_unknown_fields(client):
    unknown_api = client.post("/api/v1/decide", json={"text": "hi", "verdict": "allow"}, headers=AUTH)
    assert unknown_api.status_code == 422 and unknown_api.json()["detail"] == "verdict: unknown field"
    unknown_review = client.post("/api/v1/escalations/x/approve", json={"reviewer": "a", "force": True}, headers=AUTH)
    assert unknown_review.status_code == 422
    token = csrf_token(client)
    unknown_form = client.post("/feedback", data={"message": "hi there friends", "csrf_token": token, "priority": "urgent"})
    assert unknown_form.status_code == 400 and "priority" in unknown_form.text
    assert counts(client) == (0, 0)


def test_bad_email_and_checkbox(client):
    bad_email = submit(client, "The page is slow to load.", email="not-an-address")
    assert bad_email.status_code == 400 and "email" in bad_email.text
    token = csrf_token(client)
    bad_box = client.post("/feedback", data={"message": "The page is slow.", "csrf_token": token, "consent": "maybe"})
    assert bad_box.status_code == 400
    assert counts(client) == (0, 0)


def test_unknown_kind_and_bad_query_values(client):
    kind = client.post("/api/v1/decide", json={"kind": "teleport", "text": "hi"}, headers=AUTH)
    assert kind.status_code == 400 and "teleport" in kind.json()["detail"]
    assert client.get("/api/v1/audit?verdict=maybe", headers=AUTH).status_code == 422
    assert client.get("/api/v1/audit?limit=0", headers=AUTH).status_code == 422
    assert client.get("/api/v1/escalations?status=lost", headers=AUTH).status_code == 422
    assert client.post("/api/v1/escalations/nope/approve", json={"reviewer": "amy"}, headers=AUTH).status_code == 422
    assert client.post("/api/v1/escalations/%C2%B2/deny", json={"reviewer": "amy"}, headers=AUTH).status_code == 422
    assert client.post("/api/v1/escalations/999999/approve", json={"reviewer": "amy"}, headers=AUTH).status_code == 404


def test_a_failed_store_keeps_nothing(client):
    """The contacts table is gone: storing a consented contact fails, and the whole submission
    (record, decisions, rollout) rolls back with it. The person gets a 503, not a 500."""
    ctx = ctx_of(client)
    with ctx.engine.begin() as conn:
        conn.execute(text("DROP TABLE contacts"))
    page = submit(client, "The login page is broken on Safari.", email="sam@example.net", consent=True)
    assert page.status_code == 503 and "nothing was kept" in page.text
    assert counts(client) == (0, 0)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Submission)) == 0
    _ = Contact  # the model exists; only its table was dropped
