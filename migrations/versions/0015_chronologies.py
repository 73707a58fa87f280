"""Agencies' chronologies: requests, accepted versions and the glossary; agency contacts and reviewers

An agency contact is a user tied to one agency (``app_user.agency_id``); a reviewer is a user tied to their
consultant record (``app_user.consultant_id``).
"""

import sqlalchemy as sa
from alembic import op

from service.migration_parts import cascade, create_indexes, drop_tables, optional, required, stamp, string


revision = "0015"
down_revision = "0014"

# Each new table, in the order it is made, with its indexed columns.
INDEXED = {
    "chronology_request": ["agency_id", "case_id"],
    "glossary_term": ["case_id"],
    "chronology_version": ["request_id"],
}


def upgrade() -> None:
    op.create_table(
        "chronology_request",
        required("id", sa.Integer()),
        required("case_id", sa.Integer()),
        string("agency_id", 64),
        required("period_start", sa.Date()),
        required("period_end", sa.Date()),
        required("questions", sa.JSON()),
        required("issued_on", sa.Date()),
        required("due_on", sa.Date()),
        string("issued_by", 254),
        stamp("issued_at"),
        stamp("problems_at", nullable=True),
        required("problems", sa.Integer()),
        optional("reminded_on", sa.Date()),
        optional("late_notice_on", sa.Date()),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        cascade("case_id", "review_case.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "agency_id"),
    )
    op.create_table(
        "glossary_term",
        required("id", sa.Integer()),
        required("case_id", sa.Integer()),
        string("name", 200),
        string("code", 60),
        cascade("case_id", "review_case.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "name"),
    )
    op.create_table(
        "chronology_version",
        required("id", sa.Integer()),
        required("request_id", sa.Integer()),
        required("version", sa.Integer()),
        string("filename", 255),
        required("rows", sa.JSON()),
        required("warnings", sa.JSON()),
        required("current", sa.Boolean()),
        string("uploaded_by", 254),
        stamp("uploaded_at"),
        cascade("request_id", "chronology_request.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "version"),
    )
    create_indexes(INDEXED)

    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(string("agency_id", 64, nullable=True))
        batch_op.add_column(optional("consultant_id", sa.Integer()))
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
    drop_tables(INDEXED)
