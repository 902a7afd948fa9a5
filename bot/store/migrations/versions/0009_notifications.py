"""Notification outbox and opt-outs: citizens hear back when their case changes.

Revision ID: 0009_notifications
Revises: 0008_desk_notes_labels
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_notifications"
down_revision = "0008_desk_notes_labels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(20), nullable=False),
        sa.Column("subject_number", sa.String(16), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=True),
        sa.Column("mobile", sa.String(10), nullable=True),
        sa.Column("channels", sa.String(80), nullable=False),
        sa.Column("channel_index", sa.Integer, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_holder", sa.String(120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_channel", sa.String(20), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_message_id", sa.String(128), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_notifications_key"),
    )
    for column in ("subject_number", "conversation_id", "mobile", "state", "next_attempt_at"):
        op.create_index(f"ix_notifications_{column}", "notifications", [column])
    op.create_index("ix_notifications_created_at", "notifications", ["created_at"])
    op.create_table(
        "notification_optouts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("target", sa.String(140), nullable=False),
        sa.Column("source", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("target", name="uq_notification_optouts_target"),
    )


def downgrade() -> None:
    op.drop_table("notification_optouts")
    op.drop_table("notifications")
