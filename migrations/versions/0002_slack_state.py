"""slack state: once-only claims and threshold-check drafts"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "slack_claim",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("claimed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("slack_claim", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_claim_kind"), ["kind"], unique=False)

    op.create_table(
        "slack_draft",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("slack_draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_slack_draft_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_slack_draft_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("slack_draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_draft_user_id"))
        batch_op.drop_index(batch_op.f("ix_slack_draft_created_at"))

    op.drop_table("slack_draft")
    with op.batch_alter_table("slack_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_slack_claim_kind"))

    op.drop_table("slack_claim")
