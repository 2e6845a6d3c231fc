"""Initial service schema: submissions, contacts, decisions, rollouts.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("message_redacted", sa.Text),
        sa.Column("message_chars", sa.Integer, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("flags", sa.JSON, nullable=False),
        sa.Column("finding_rules", sa.JSON, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("strategy", sa.String(32), nullable=False),
        sa.Column("response_text", sa.Text, nullable=False),
        sa.Column("draft_blocked", sa.Boolean, nullable=False),
        sa.Column("consent", sa.Boolean, nullable=False),
        sa.Column("contact_kept", sa.Boolean, nullable=False),
        sa.Column("rating", sa.Integer),
        sa.Column("rated_at", sa.Float),
        sa.Column("intake_audit_seq", sa.Integer),
        sa.Column("draft_audit_seq", sa.Integer),
        sa.Column("escalation_id", sa.String(64)),
        sa.Column("policy_digest", sa.String(64), nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
    )
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    op.create_index("ix_submissions_category", "submissions", ["category"])
    op.create_table(
        "contacts",
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), primary_key=True),
        sa.Column("email_token", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("rule_ids", sa.JSON, nullable=False),
        sa.Column("latency_us", sa.Float, nullable=False),
        sa.Column("audit_seq", sa.Integer),
    )
    op.create_index("ix_decisions_created_at", "decisions", ["created_at"])
    op.create_table(
        "rollouts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("submission_id", sa.String(32), sa.ForeignKey("submissions.id"), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("prompt", sa.Text, nullable=False),
        sa.Column("strategy", sa.String(32), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("blocked", sa.Boolean, nullable=False),
        sa.Column("reward", sa.Float),
        sa.Column("rewarded_at", sa.Float),
    )
    op.create_index("ix_rollouts_submission_id", "rollouts", ["submission_id"])


def downgrade() -> None:
    op.drop_table("rollouts")
    op.drop_table("decisions")
    op.drop_table("contacts")
    op.drop_table("submissions")
