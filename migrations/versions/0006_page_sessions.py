"""admin page sessions and the sign-in throttle, kept in the database

Sessions signed before this revision lived only in their cookies; they are not carried over, so
everyone signs in again once.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "page_session",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("notice", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index(op.f("ix_page_session_expires_at"), "page_session", ["expires_at"], unique=False)
    op.create_index(op.f("ix_page_session_user_id"), "page_session", ["user_id"], unique=False)

    op.create_table(
        "sign_in_failure",
        sa.Column("key_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    op.create_index(op.f("ix_sign_in_failure_last_failed_at"), "sign_in_failure", ["last_failed_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_in_failure_last_failed_at"), table_name="sign_in_failure")

    op.drop_table("sign_in_failure")
    op.drop_index(op.f("ix_page_session_user_id"), table_name="page_session")
    op.drop_index(op.f("ix_page_session_expires_at"), table_name="page_session")

    op.drop_table("page_session")
