"""The review's milestones, and the reasons a case was closed or reopened."""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0016"
down_revision = "0015"


def upgrade() -> None:
    op.create_table(
        "case_milestone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "kind"),
    )
    with op.batch_alter_table("case_milestone", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_milestone_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_status_change_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_status_change_case_id"))
    op.drop_table("case_status_change")
    with op.batch_alter_table("case_milestone", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_milestone_case_id"))
    op.drop_table("case_milestone")
