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
    op.create_index(op.f("ix_slack_claim_kind"), "slack_claim", ["kind"], unique=False)

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
    op.create_index(op.f("ix_slack_draft_created_at"), "slack_draft", ["created_at"], unique=False)
    op.create_index(op.f("ix_slack_draft_user_id"), "slack_draft", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_draft_user_id"), table_name="slack_draft")
    op.drop_index(op.f("ix_slack_draft_created_at"), table_name="slack_draft")

    op.drop_table("slack_draft")
    op.drop_index(op.f("ix_slack_claim_kind"), table_name="slack_claim")

    op.drop_table("slack_claim")
