"""Content owned by the program's staff: proposed changes and published releases, and the
`editor` / `approver` rights of a desk account (four eyes: one proposes, another approves).

Revision ID: 0016_content
Revises: 0015_console_topics
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_content"
down_revision = "0015_console_topics"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_agent_access") as batch:
        batch.add_column(sa.Column("editor", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(
            sa.Column("approver", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "content_releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("values", sa.Text, nullable=False),
    )
    op.create_table(
        "content_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("item", sa.String(160), nullable=False, index=True),
        sa.Column("texts", sa.Text, nullable=False),
        sa.Column("warnings", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_id", sa.Integer, sa.ForeignKey("content_releases.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("content_changes")
    op.drop_table("content_releases")
    with op.batch_alter_table("desk_agent_access") as batch:
        batch.drop_column("approver")
        batch.drop_column("editor")
