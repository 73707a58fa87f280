"""The partnerships each Slack workspace serves

A request relayed from a workspace sees only the partnerships mapped to it. No rows: the deployment's own
workspace serves every partnership, as before; any other workspace serves none until mapped.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    op.create_table(
        "slack_workspace_partnership",
        sa.Column("team_id", sqlmodel.AutoString(length=32), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("mapped_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "partnership_id"),
    )
    with op.batch_alter_table("slack_workspace_partnership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_slack_workspace_partnership_partnership_id"), ["partnership_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_workspace_partnership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_workspace_partnership_partnership_id"))
    op.drop_table("slack_workspace_partnership")
