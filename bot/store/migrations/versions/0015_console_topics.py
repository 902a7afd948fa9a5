"""Supervisors' console: the outcome per topic (FAQ answer or form), per Riyadh day and
channel, for days that can no longer change (kept by bot.services.console.rollup, which
fills it from the turn rows still kept the first time it runs); counts only.

Revision ID: 0015_console_topics
Revises: 0014_agent_gender
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_console_topics"
down_revision = "0014_agent_gender"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_topics",
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("topic", sa.String(120), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("contained", sa.Integer, nullable=False),
        sa.Column("handed_off", sa.Integer, nullable=False),
        sa.Column("ended_on_fallback", sa.Integer, nullable=False),
        sa.Column("came_back", sa.Integer, nullable=False),
        sa.Column("rating_sum", sa.Integer, nullable=False),
        sa.Column("ratings", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("console_topics")
