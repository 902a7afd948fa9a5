"""An agent's form of address (desk_agent_access.gender): what the handoff's wording
uses, so a female agent is not announced in the masculine.

Revision ID: 0014_agent_gender
Revises: 0013_handoff_parts
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_agent_gender"
down_revision = "0013_handoff_parts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("desk_agent_access") as batch:
        batch.add_column(sa.Column("gender", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("desk_agent_access") as batch:
        batch.drop_column("gender")
