"""Human handoff: escalation episodes, desk agents, desk sessions.

Revision ID: 0006_handoff
Revises: 0002_tickets
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_handoff"
down_revision = "0002_tickets"
branch_labels = None
depends_on = None

_OPEN = "state IN ('queued', 'agent')"


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("reason_detail", sa.String(200), nullable=True),
        sa.Column("snapshot", sa.Text, nullable=True),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(80), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(80), nullable=True),
        sa.Column("last_citizen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_agent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ticket_ref", sa.String(64), nullable=True),
    )
    op.create_index("ix_handoffs_conversation_id", "handoffs", ["conversation_id"])
    op.create_index("ix_handoffs_state_queued_at", "handoffs", ["state", "queued_at"])
    # At most one open episode per conversation (partial unique index: SQLite >= 3.8, PostgreSQL).
    op.create_index(
        "uq_handoffs_open_conversation",
        "handoffs",
        ["conversation_id"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )

    op.create_table(
        "desk_agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "desk_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "agent_id",
            sa.Integer,
            sa.ForeignKey("desk_agents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_desk_sessions_agent_id", "desk_sessions", ["agent_id"])


def downgrade() -> None:
    op.drop_index("ix_desk_sessions_agent_id", table_name="desk_sessions")
    op.drop_table("desk_sessions")
    op.drop_table("desk_agents")
    op.drop_index("uq_handoffs_open_conversation", table_name="handoffs")
    op.drop_index("ix_handoffs_state_queued_at", table_name="handoffs")
    op.drop_index("ix_handoffs_conversation_id", table_name="handoffs")
    op.drop_table("handoffs")
