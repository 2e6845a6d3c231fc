"""The feedback pipeline end to end through the HTTP form: governance, analysis, response, storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from service_helpers import AUTH, RATING_FIELD, csrf_token, ctx_of, make_settings, reference_of, submit
from sqlalchemy import MetaData, func, select

from tractatus.service.app import create_app
from tractatus.service.bandit import ThompsonBandit
from tractatus.service.models import Contact, DecisionRecord, Rollout, Submission
from tractatus.service.responder import FALLBACK, REVIEW_REPLY

EMAIL = "jane.roe@example.org"
PHONE = "+1 415 555 0134"


def stored_text(ctx) -> str:  # type: ignore[no-untyped-def]
    """Every value in every table of the service database and the audit log, as one string."""
    chunks: list[str] = []
    for engine in (ctx.engine, ctx.audit.engine):
        meta = MetaData()
        meta.reflect(bind=engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                chunks.extend(str(tuple(row)) for row in conn.execute(select(table)))
    return "\n".join(chunks)


def sqlite_bytes(ctx) -> bytes:  # type: ignore[no-untyped-def]
    data = b""
    for url in (ctx.settings.resolved_database_url, ctx.settings.resolved_audit_db):
        path = Path(url.removeprefix("sqlite:///"))
        for candidate in (path, path.with_name(path.name + "-wal")):
            if candidate.exists():
                data += candidate.read_bytes()
    return data


def test_pii_is_redacted_before_anything_is_stored(client):
    page = submit(client, f"The signup page crashes when I enter my email {EMAIL} or call me on {PHONE}")
    assert page.status_code == 200
    assert EMAIL not in page.text.split('id="stored">')[-1].split("</pre>")[0]
    assert 'id="pii-notice"' in page.text
    ctx = ctx_of(client)
    with ctx.sessions() as session:
        record = session.get(Submission, reference_of(page.text))
    assert record is not None
    assert "pii" in record.flags
    assert EMAIL not in record.message_redacted and "555" not in record.message_redacted
    assert "[EMAIL]" in record.message_redacted
    everything = stored_text(ctx)
    assert EMAIL not in everything and "555 0134" not in everything and "5550134" not in everything
    if ctx.settings.resolved_database_url.startswith("sqlite"):
        raw = sqlite_bytes(ctx)
        assert EMAIL.encode() not in raw and b"555 0134" not in raw


def test_angry_product_feedback_is_accepted_and_answered(client):
    page = submit(client, "This update is garbage and your support is useless: the export button crashes every time.")
    assert page.status_code == 200
    ctx = ctx_of(client)
    with ctx.sessions() as session:
        record = session.get(Submission, reference_of(page.text))
    assert record.verdict in ("allow", "warn")
    assert "abuse" not in record.flags and "escalated" not in record.flags
    assert record.category == "website_bug" and record.severity == "high"
    assert record.strategy in ctx.bandit.arms


def test_abuse_beyond_the_boundary_is_flagged_for_a_person(client):
    page = submit(client, "You are a worthless idiot and I will find you and hurt you.")
    assert page.status_code == 200
    assert REVIEW_REPLY in page.text
    ctx = ctx_of(client)
    with ctx.sessions() as session:
        record = session.get(Submission, reference_of(page.text))
        rollouts = session.scalar(select(func.count()).select_from(Rollout))
    assert "abuse" in record.flags and record.verdict == "escalate"
    assert record.strategy == "review" and rollouts == 0  # the optimizer never answers abuse
    pending = client.get("/api/v1/escalations", headers=AUTH).json()
    assert any(str(item["id"]) == record.escalation_id for item in pending)


def test_contact_is_kept_only_with_consent_and_only_encrypted(client):
    ctx = ctx_of(client)
    without = submit(client, "Please add support for exporting the audit log to CSV.", email=EMAIL)
    assert "was not kept" in without.text
    with_consent = submit(client, "Please add support for exporting the audit log to CSV.", email=EMAIL, consent=True)
    assert "we kept your email address" in with_consent.text
    with ctx.sessions() as session:
        contacts = session.scalars(select(Contact)).all()
        first = session.get(Submission, reference_of(without.text))
        second = session.get(Submission, reference_of(with_consent.text))
    assert [c.submission_id for c in contacts] == [second.id]
    assert not first.contact_kept and second.contact_kept
    assert ctx.pipeline.vault.open_token(contacts[0].email_token) == EMAIL
    assert EMAIL not in stored_text(ctx)


def test_special_category_data_is_flagged(client):
    page = submit(client, "My colleague John has HIV and your accessibility page does not load on his screen reader.")
    ctx = ctx_of(client)
    with ctx.sessions() as session:
        record = session.get(Submission, reference_of(page.text))
    assert "special_category" in record.flags
    assert "HIV" not in (record.message_redacted or "")


# personal_followup is no longer blocked with a consented contact: it is kept (test_service_promises.py).
@pytest.mark.parametrize("strategy", ["reassuring"])
def test_a_draft_that_fails_revalidation_is_replaced_and_audited(client, strategy):
    ctx = ctx_of(client)
    ctx.pipeline.bandit = ThompsonBandit((strategy,), seed=1)  # force the strategy under test
    page = submit(client, "The search box on the docs site returns nothing for 'policy'.", email=EMAIL, consent=True)
    assert page.status_code == 200
    assert FALLBACK in page.text
    assert EMAIL not in page.text.split('id="response-text">')[1].split("</p>")[0]
    assert not RATING_FIELD.search(page.text)  # the fallback is not the strategy's answer: nothing to rate
    with ctx.sessions() as session:
        record = session.get(Submission, reference_of(page.text))
        rollout = session.scalars(select(Rollout).where(Rollout.submission_id == record.id)).one()
    assert record.draft_blocked and rollout.blocked and rollout.reward == 0.0
    assert EMAIL not in rollout.response
    events = ctx.audit.query(kind="draft_blocked", limit=10)
    assert len(events) == 1 and events[0].payload["strategy"] == strategy
    (arm,) = ctx.pipeline.bandit.stats()
    assert arm.beta == 2.0 and arm.alpha == 1.0  # the attempt was rewarded 0
    assert client.get("/api/v1/escalations", headers=AUTH).json() == []  # nothing left for a person


def test_ratings_teach_the_bandit_once_per_submission(client):
    ctx = ctx_of(client)
    ctx.pipeline.bandit = ThompsonBandit(("next_steps",), seed=1)
    token = csrf_token(client)
    page = submit(client, "The dark mode toggle on the settings page does not work.", token=token)
    rating_token = RATING_FIELD.search(page.text).group(1)
    ref = reference_of(page.text)
    ok = client.post(f"/feedback/{ref}/rating", data={"csrf_token": token, "rating_token": rating_token, "helpful": "yes"})
    assert ok.status_code == 200
    again = client.post(f"/feedback/{ref}/rating", data={"csrf_token": token, "rating_token": rating_token, "helpful": "no"})
    assert again.status_code == 400 and "already been rated" in again.text
    forged = client.post(f"/feedback/{'0' * 32}/rating", data={"csrf_token": token, "rating_token": rating_token, "helpful": "no"})
    assert forged.status_code == 403
    (arm,) = ctx.pipeline.bandit.stats()
    assert (arm.alpha, arm.beta) == (2.0, 1.0)
    with ctx.sessions() as session:
        assert session.scalars(select(Rollout.reward)).all() == [1.0]
        assert session.get(Submission, ref).rating == 1


def test_responses_improve_online_from_ratings(client):
    """Simulated people who find only `next_steps` helpful: the bandit learns to prefer it,
    and learns to stop drafting what governance blocks."""
    ctx = ctx_of(client)
    pipeline = ctx.pipeline
    from tractatus.service.pipeline import FeedbackInput

    chosen: list[str] = []
    for i in range(120):
        result = pipeline.submit(FeedbackInput(message=f"The pricing page layout is broken on mobile (report {i}).", email=EMAIL))
        chosen.append(result.strategy)
        if result.rateable:
            pipeline.rate(result.id, helpful=result.strategy == "next_steps")
    early, late = chosen[:30], chosen[-30:]
    assert late.count("next_steps") > early.count("next_steps")
    assert late.count("next_steps") >= 15
    blocked_late = sum(s in ("personal_followup", "reassuring") for s in late)
    assert blocked_late <= 5
    curve = client.get("/api/v1/dashboard", headers=AUTH).json()["learning_curve"]
    assert curve[-1]["mean_reward"] > curve[19]["mean_reward"]


def test_blocked_intake_stores_no_text(tmp_path, database_url):
    """Fail closed: when governance blocks the intake (here: over the policy's size limit),
    the person is told and nothing they wrote is stored."""
    policy = tmp_path / "tiny.yaml"
    # A child of the service policy that only lowers the size limit (`extends:` resolves the rest).
    policy.write_text(f"extends: {Path('policies/service.yaml').resolve()}\nname: tiny\nlimits:\n  max_text_bytes: 40\n")
    from fastapi.testclient import TestClient

    with TestClient(create_app(make_settings(tmp_path, database_url, policy_path=policy))) as client:
        page = submit(client, "The checkout page crashes whenever I press the back button twice.")
        assert page.status_code == 200 and "could not accept" in page.text
        ctx = ctx_of(client)
        with ctx.sessions() as session:
            record = session.get(Submission, reference_of(page.text))
            decisions = session.scalars(select(DecisionRecord)).all()
        assert record.verdict == "block" and record.message_redacted is None and "blocked" in record.flags
        assert [d.source for d in decisions] == ["intake"]
        assert "checkout" not in stored_text(ctx)
