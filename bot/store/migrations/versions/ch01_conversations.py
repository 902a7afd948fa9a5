"""Conversations and transcript messages (channels: Telegram, WhatsApp, web, REST).

Revision ID: ch01_conversations
Revises: 0001_base
"""

import sqlalchemy as sa
from alembic import op

revision = "ch01_conversations"
down_revision = "0001_base"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("conversation_id", sa.String(128), primary_key=True),
        sa.Column("channel", sa.String(20), nullable=False, index=True),
        sa.Column("recipient_id", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_inbound_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "transcript_messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "conversation_id",
            sa.String(128),
            sa.ForeignKey("conversations.conversation_id"),
            nullable=False,
            index=True,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(10), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("buttons", sa.Text, nullable=True),
        sa.Column("channel_message_id", sa.String(128), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("transcript_messages")
    op.drop_table("conversations")
