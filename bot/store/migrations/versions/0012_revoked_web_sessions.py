"""Web chat sessions ended by an erasure (bot/store/web_sessions.py).

Revision ID: 0012_revoked_web_sessions
Revises: 0011_inbound_pending
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_revoked_web_sessions"
down_revision = "0011_inbound_pending"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revoked_web_sessions",
        sa.Column("conversation_hash", sa.String(64), primary_key=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_revoked_web_sessions_revoked_at", "revoked_web_sessions", ["revoked_at"])


def downgrade() -> None:
    op.drop_index("ix_revoked_web_sessions_revoked_at", table_name="revoked_web_sessions")
    op.drop_table("revoked_web_sessions")
