"""Maintenance runs: the guard that lets one process at a time run the retention purge.

Revision ID: 0007_maintenance
Revises: 0006_handoff
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_maintenance"
down_revision = "0006_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance_runs",
        sa.Column("job", sa.String(40), primary_key=True),
        sa.Column("holder", sa.String(120), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("maintenance_runs")
