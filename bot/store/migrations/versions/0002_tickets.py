"""Tickets ("صوتك مسموع"), payment objections, one-time codes and the SMS outbox.

Revision ID: 0002_tickets
Revises: ch01_conversations
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_tickets"
down_revision = "ch01_conversations"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("mobile", sa.String(10), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("status_note", sa.Text, nullable=True),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("conversation_id", sa.String(255), nullable=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("number", name="uq_tickets_number"),
        sa.UniqueConstraint("idempotency_key", name="uq_tickets_idempotency_key"),
    )
    op.create_index("ix_tickets_national_id", "tickets", ["national_id"])

    op.create_table(
        "objections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("national_id", sa.String(10), nullable=False),
        sa.Column("mobile", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("payment_cycle", sa.String(40), nullable=False),
        sa.Column("amount_halalas", sa.Integer, nullable=True),
        sa.Column("submitted_on", sa.Date, nullable=False),
        sa.Column("decided_on", sa.Date, nullable=True),
        sa.Column("decision_note", sa.Text, nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("number", name="uq_objections_number"),
    )
    op.create_index("ix_objections_national_id", "objections", ["national_id"])

    op.create_table(
        "otp_challenges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("verified_at", nullable=True),
        _ts("locked_until", nullable=True),
        sa.Column("superseded", sa.Boolean, nullable=False),
    )
    op.create_index("ix_otp_subject", "otp_challenges", ["purpose", "subject"])
    op.create_index("ix_otp_challenges_conversation_id", "otp_challenges", ["conversation_id"])

    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("to", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("gateway", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("provider_ref", sa.String(80), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        _ts("created_at"),
        sa.UniqueConstraint("message_id", name="uq_sms_message_id"),
    )
    op.create_index("ix_sms_outbox_created_at", "sms_outbox", ["created_at"])


def downgrade() -> None:
    op.drop_table("sms_outbox")
    op.drop_table("otp_challenges")
    op.drop_table("objections")
    op.drop_table("tickets")
