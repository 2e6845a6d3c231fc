"""The service's tables. Nothing here ever holds raw submitter text or raw contact data.

- `submissions`: one anonymized record per feedback message: the redacted text, what governance
  flagged, the analyzer's category and severity, the response shown and its rating.
- `contacts`: a contact address kept only when the submitter consented, encrypted at rest.
- `decisions`: one row per governance decision the service asked for (intake, draft, API), for
  the dashboard's charts. The authoritative record is the hash-chained audit log.
- `rollouts`: (prompt, strategy, response, reward) of every drafted response, so the response
  optimization can be replayed through Agent Lightning.

Times are UNIX seconds (float) so the same schema works on SQLite and PostgreSQL and charts can
bucket them without time-zone handling.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Submission(Base):
    __tablename__ = "submissions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    message_redacted: Mapped[str | None] = mapped_column(Text)  # None when intake was blocked
    message_chars: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[str]] = mapped_column(JSON)  # e.g. ["pii", "abuse", "special_category"]
    finding_rules: Mapped[list[str]] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    strategy: Mapped[str] = mapped_column(String(32))
    response_text: Mapped[str] = mapped_column(Text)
    draft_blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_kept: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[int | None] = mapped_column(Integer)  # 1 helpful, 0 not helpful, None unrated
    rated_at: Mapped[float | None] = mapped_column(Float)
    intake_audit_seq: Mapped[int | None] = mapped_column(Integer)
    draft_audit_seq: Mapped[int | None] = mapped_column(Integer)
    escalation_id: Mapped[str | None] = mapped_column(String(64))
    policy_digest: Mapped[str] = mapped_column(String(64))
    latency_ms: Mapped[float] = mapped_column(Float)


class Contact(Base):
    __tablename__ = "contacts"

    submission_id: Mapped[str] = mapped_column(String(32), ForeignKey("submissions.id"), primary_key=True)
    email_token: Mapped[str] = mapped_column(Text)  # Fernet token; the key is not in the database
    created_at: Mapped[float] = mapped_column(Float)


class DecisionRecord(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[float] = mapped_column(Float, index=True)
    source: Mapped[str] = mapped_column(String(16))  # intake | draft | api
    verdict: Mapped[str] = mapped_column(String(16))
    rule_ids: Mapped[list[str]] = mapped_column(JSON)
    latency_us: Mapped[float] = mapped_column(Float)
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class Rollout(Base):
    __tablename__ = "rollouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[str] = mapped_column(String(32), ForeignKey("submissions.id"), index=True)
    created_at: Mapped[float] = mapped_column(Float)
    prompt: Mapped[str] = mapped_column(Text)  # redacted message with its category and severity
    strategy: Mapped[str] = mapped_column(String(32))
    response: Mapped[str] = mapped_column(Text)  # the draft, redacted by its re-validation findings
    blocked: Mapped[bool] = mapped_column(Boolean)
    reward: Mapped[float | None] = mapped_column(Float)
    rewarded_at: Mapped[float | None] = mapped_column(Float)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "submission_id": self.submission_id,
            "created_at": self.created_at,
            "prompt": self.prompt,
            "strategy": self.strategy,
            "response": self.response,
            "blocked": self.blocked,
            "reward": self.reward,
        }
