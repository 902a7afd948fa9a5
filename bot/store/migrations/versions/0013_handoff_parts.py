"""Each agent's part of a handoff episode (claims, transfers, releases, hand-backs), so a
transfer no longer hands the first agent's wait and work to the second.

Episodes from before keep one part each, for the agent who held them last: their
history was not recorded.

Revision ID: 0013_handoff_parts
Revises: 0012_revoked_web_sessions
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_handoff_parts"
down_revision = "0012_revoked_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_parts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "handoff_id",
            sa.Integer,
            sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("agent", sa.String(80), nullable=False),
        sa.Column("began", sa.String(12), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended", sa.String(12), nullable=True),
    )
    op.create_index("ix_handoff_parts_handoff_id", "handoff_parts", ["handoff_id"])
    op.execute(
        "INSERT INTO handoff_parts "
        "(handoff_id, agent, began, waiting_since, started_at, ended_at, ended) "
        "SELECT id, claimed_by, 'claimed', queued_at, claimed_at, "
        "CASE WHEN state IN ('bot', 'closed') THEN ended_at END, "
        "CASE state WHEN 'bot' THEN 'returned' WHEN 'closed' THEN 'closed' END "
        "FROM handoffs WHERE claimed_by IS NOT NULL AND claimed_at IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_handoff_parts_handoff_id", table_name="handoff_parts")
    op.drop_table("handoff_parts")
