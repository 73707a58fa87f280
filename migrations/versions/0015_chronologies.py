"""Agencies' chronologies: requests, accepted versions and the glossary; agency contacts and reviewers

An agency contact is a user tied to one agency (``app_user.agency_id``); a reviewer is a user tied to their
consultant record (``app_user.consultant_id``).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0015"
down_revision = "0014"


def upgrade() -> None:
    op.create_table(
        "chronology_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("issued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("problems_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("late_notice_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agency_id"],
            ["agency.id"],
        ),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "agency_id"),
    )
    with op.batch_alter_table("chronology_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronology_request_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_chronology_request_case_id"), ["case_id"], unique=False)

    op.create_table(
        "glossary_term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "name"),
    )
    with op.batch_alter_table("glossary_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_glossary_term_case_id"), ["case_id"], unique=False)

    op.create_table(
        "chronology_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("current", sa.Boolean(), nullable=False),
        sa.Column("uploaded_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["chronology_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "version"),
    )
    with op.batch_alter_table("chronology_version", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chronology_version_request_id"), ["request_id"], unique=False)

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("agency_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(sa.Column("consultant_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_app_user_agency_id"), ["agency_id"], unique=False)
        batch_op.create_unique_constraint("uq_app_user_consultant_id", ["consultant_id"])
        batch_op.create_foreign_key(
            "fk_app_user_agency_id", "agency", ["agency_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_app_user_consultant_id", "consultant", ["consultant_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_constraint("fk_app_user_consultant_id", type_="foreignkey")
        batch_op.drop_constraint("fk_app_user_agency_id", type_="foreignkey")
        batch_op.drop_constraint("uq_app_user_consultant_id", type_="unique")
        batch_op.drop_index(batch_op.f("ix_app_user_agency_id"))
        batch_op.drop_column("consultant_id")
        batch_op.drop_column("agency_id")

    with op.batch_alter_table("chronology_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronology_version_request_id"))

    op.drop_table("chronology_version")
    with op.batch_alter_table("glossary_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_glossary_term_case_id"))

    op.drop_table("glossary_term")
    with op.batch_alter_table("chronology_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chronology_request_case_id"))
        batch_op.drop_index(batch_op.f("ix_chronology_request_agency_id"))

    op.drop_table("chronology_request")
