"""Recommendations and action plans: a review's recommendations with the agencies each asks to act, each
agency's actions, and the evidence of each action (a file or a link).

Only new tables: whichever migration comes before it (``down_revision``), nothing here depends on it.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0017"
down_revision = "0016"


def upgrade() -> None:
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
        sa.Column("closed_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number"),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_case_id"), ["case_id"], unique=False)

    op.create_table(
        "recommendation_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recommendation_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_action_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendation_action_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_recommendation_action_owner"), ["owner"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_recommendation_action_recommendation_id"), ["recommendation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendation_action_status"), ["status"], unique=False)

    op.create_table(
        "recommendation_agency",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendation.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("recommendation_id", "agency_id"),
    )
    with op.batch_alter_table("recommendation_agency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recommendation_agency_agency_id"), ["agency_id"], unique=False)

    op.create_table(
        "action_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("media_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["recommendation_action.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("action_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_action_evidence_action_id"), ["action_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("action_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_evidence_action_id"))

    op.drop_table("action_evidence")
    with op.batch_alter_table("recommendation_agency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_agency_agency_id"))

    op.drop_table("recommendation_agency")
    with op.batch_alter_table("recommendation_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_action_status"))
        batch_op.drop_index(batch_op.f("ix_recommendation_action_recommendation_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_action_owner"))
        batch_op.drop_index(batch_op.f("ix_recommendation_action_due_on"))
        batch_op.drop_index(batch_op.f("ix_recommendation_action_agency_id"))

    op.drop_table("recommendation_action")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_case_id"))

    op.drop_table("recommendation")
