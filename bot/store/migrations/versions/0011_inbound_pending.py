"""Webhook messages accepted and not yet answered, kept until the answer so a worker
that dies mid-turn does not lose them (bot/store/inbound.py).

Revision ID: 0011_inbound_pending
Revises: 0010_console
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_inbound_pending"
down_revision = "0010_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_pending",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dedup_key", sa.String(160), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("owner", sa.String(120), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dedup_key", name="uq_inbound_pending_key"),
    )
    op.create_index("ix_inbound_pending_conversation_id", "inbound_pending", ["conversation_id"])
    op.create_index("ix_inbound_pending_claimed_at", "inbound_pending", ["claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_pending_claimed_at", table_name="inbound_pending")
    op.drop_index("ix_inbound_pending_conversation_id", table_name="inbound_pending")
    op.drop_table("inbound_pending")
