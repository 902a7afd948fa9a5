"""Supervisors' console: one analytics row per bot turn, citizens'
ratings (CSAT), review labels, and the indexes the console's aggregates read.

Revision ID: 0010_console
Revises: 0009_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_console"
down_revision = "0009_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bot_turns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("ts", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("intent", sa.String(120), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("fallback", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("handoff", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("form", sa.String(60), nullable=True),
        sa.Column("form_event", sa.String(12), nullable=True),
        sa.Column("requested_slot", sa.String(60), nullable=True),
        sa.Column("finished", sa.String(40), nullable=True),
        sa.Column("latency_ms", sa.Integer, nullable=True),
        sa.Column("failed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("repeated", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("before_handoff", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_bot_turns_day_channel", "bot_turns", ["day", "channel"])
    op.create_index("ix_bot_turns_conversation_ts", "bot_turns", ["conversation_id", "ts"])
    op.create_index("ix_bot_turns_day_intent", "bot_turns", ["day", "intent"])

    # Per Riyadh day and channel, for days that can no longer change (kept by
    # bot.services.console.rollup); no conversation ids, so no personal data.
    op.create_table(
        "console_daily",
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("conversations", sa.Integer, nullable=False),
        sa.Column("turns", sa.Integer, nullable=False),
        sa.Column("fallbacks", sa.Integer, nullable=False),
        sa.Column("contained", sa.Integer, nullable=False),
        sa.Column("handed_off", sa.Integer, nullable=False),
        sa.Column("ended_on_fallback", sa.Integer, nullable=False),
        sa.Column("came_back", sa.Integer, nullable=False),
    )
    op.create_table(
        "console_latency",  # reply latencies per 10 ms, for the percentiles
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("bucket", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer, nullable=False),
    )
    op.create_table(
        "console_forms",  # question "" holds the counts; others the runs that stopped there
        sa.Column("day", sa.Integer, primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("form", sa.String(60), primary_key=True),
        sa.Column("question", sa.String(60), primary_key=True),
        sa.Column("started", sa.Integer, nullable=False),
        sa.Column("completed", sa.Integer, nullable=False),
        sa.Column("cancelled", sa.Integer, nullable=False),
        sa.Column("dropped", sa.Integer, nullable=False),
    )
    op.create_table(
        "console_rollups",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("through_day", sa.Integer, nullable=False),
    )

    op.create_table(
        "csat_ratings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("day", sa.Integer, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished", sa.String(40), nullable=False),
        sa.Column("agent", sa.String(80), nullable=True),
        sa.Column("intent", sa.String(120), nullable=True),
        sa.Column("score", sa.Integer, nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
    )
    op.create_index("ix_csat_conversation_asked", "csat_ratings", ["conversation_id", "asked_at"])
    op.create_index("ix_csat_day_channel", "csat_ratings", ["day", "channel"])

    op.create_table(
        "review_labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("turn_id", sa.Integer, nullable=False, unique=True),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("intent", sa.String(120), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("labelled_by", sa.String(80), nullable=False),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_review_labels_label", "review_labels", ["label"])

    # The console's handoff numbers filter by when an episode was queued.
    op.create_index("ix_handoffs_queued_at", "handoffs", ["queued_at"])


def downgrade() -> None:
    op.drop_index("ix_handoffs_queued_at", table_name="handoffs")
    op.drop_index("ix_review_labels_label", table_name="review_labels")
    op.drop_table("review_labels")
    op.drop_index("ix_csat_day_channel", table_name="csat_ratings")
    op.drop_index("ix_csat_conversation_asked", table_name="csat_ratings")
    op.drop_table("csat_ratings")
    op.drop_table("console_rollups")
    op.drop_table("console_forms")
    op.drop_table("console_latency")
    op.drop_table("console_daily")
    op.drop_index("ix_bot_turns_day_intent", table_name="bot_turns")
    op.drop_index("ix_bot_turns_conversation_ts", table_name="bot_turns")
    op.drop_index("ix_bot_turns_day_channel", table_name="bot_turns")
    op.drop_table("bot_turns")
