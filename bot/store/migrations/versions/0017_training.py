"""New questions without a developer: training changes, retrain jobs, model releases.

Revision ID: 0017_training
Revises: 0016_content
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_training"
down_revision = "0016_content"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "training_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("progress", sa.Integer, nullable=False),
        sa.Column("log", sa.Text, nullable=True),
        sa.Column("started_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("scores", sa.Text, nullable=True),
        sa.Column("reasons", sa.Text, nullable=True),
        sa.Column("model_sha", sa.String(64), nullable=True),
        sa.Column("model_path", sa.Text, nullable=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "training_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("key", sa.String(80), nullable=False, index=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("author", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, index=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("training_jobs.id"), nullable=True),
    )
    op.create_table(
        "model_releases",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("training_jobs.id"), nullable=True),
        sa.Column("sha", sa.String(64), nullable=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("released_by", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("model_releases")
    op.drop_table("training_changes")
    op.drop_table("training_jobs")
