"""The desk for a full working day: agents' internal notes and labels on an episode,
supervisors, and the moment an agent's sign-in throttle was last reset (an unlock).

Revision ID: 0008_desk_notes_labels
Revises: 0007_maintenance
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_desk_notes_labels"
down_revision = "0007_maintenance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "handoff_id",
            sa.Integer,
            sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handoff_notes_handoff_id", "handoff_notes", ["handoff_id"])
    op.create_table(
        "handoff_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "handoff_id",
            sa.Integer,
            sa.ForeignKey("handoffs.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("label", sa.String(40), nullable=False),
        sa.Column("added_by", sa.String(80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("handoff_id", "label", name="uq_handoff_labels"),
    )
    op.create_index("ix_handoff_labels_handoff_id", "handoff_labels", ["handoff_id"])
    op.create_index("ix_handoff_labels_label", "handoff_labels", ["label"])
    op.create_table(
        "desk_agent_access",
        sa.Column(
            "username",
            sa.String(80),
            sa.ForeignKey("desk_agents.username", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("supervisor", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("throttle_reset_at", sa.DateTime(timezone=True), nullable=True),
    )
    # History and search read ended episodes by time.
    op.create_index("ix_handoffs_ended_at", "handoffs", ["ended_at"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_ended_at", table_name="handoffs")
    op.drop_table("desk_agent_access")
    op.drop_table("handoff_labels")
    op.drop_table("handoff_notes")
