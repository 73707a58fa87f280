"""Recommendations and action plans: a review's recommendations with the agencies each asks to act, each
agency's actions, and the evidence of each action (a file or a link).

Only new tables: whichever migration comes before it (``down_revision``), nothing here depends on it.
"""

import sqlalchemy as sa
from alembic import op

from service.migration_parts import cascade, create_indexes, drop_tables, optional, required, stamp, string


revision = "0017"
down_revision = "0016"

# Each new table, in the order it is made, with its indexed columns: upgrade makes these indexes and
# downgrade drops them, newest first.
INDEXED = {
    "recommendation": ["case_id"],
    "recommendation_action": ["agency_id", "due_on", "owner", "recommendation_id", "status"],
    "recommendation_agency": ["agency_id"],
    "action_evidence": ["action_id"],
}


def upgrade() -> None:
    op.create_table(
        "recommendation",
        required("id", sa.Integer()),
        required("case_id", sa.Integer()),
        required("number", sa.Integer()),
        required("text", sa.Text()),
        string("scope", 16, nullable=True),
        string("owner", 200, nullable=True),
        string("priority", 8, nullable=True),
        optional("due_on", sa.Date()),
        optional("finding", sa.Text()),
        required("warnings", sa.JSON()),
        string("created_by", 254),
        stamp("created_at"),
        optional("closed_on", sa.Date()),
        string("closed_by", 254, nullable=True),
        optional("closed_note", sa.Text()),
        cascade("case_id", "review_case.id"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number"),
    )
    op.create_table(
        "recommendation_action",
        required("id", sa.Integer()),
        required("recommendation_id", sa.Integer()),
        string("agency_id", 64, nullable=True),
        required("text", sa.Text()),
        string("owner", 254),
        required("due_on", sa.Date()),
        string("status", 24),
        string("created_by", 254),
        stamp("created_at"),
        stamp("updated_at"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        cascade("recommendation_id", "recommendation.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "recommendation_agency",
        required("recommendation_id", sa.Integer()),
        string("agency_id", 64),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
        cascade("recommendation_id", "recommendation.id"),
        sa.PrimaryKeyConstraint("recommendation_id", "agency_id"),
    )
    op.create_table(
        "action_evidence",
        required("id", sa.Integer()),
        required("action_id", sa.Integer()),
        string("filename", 255, nullable=True),
        string("media_type", 100, nullable=True),
        optional("content", sa.LargeBinary()),
        string("link", 2000, nullable=True),
        optional("note", sa.Text()),
        string("added_by", 254),
        stamp("added_at"),
        cascade("action_id", "recommendation_action.id"),
        sa.PrimaryKeyConstraint("id"),
    )
    create_indexes(INDEXED)


def downgrade() -> None:
    drop_tables(INDEXED)
