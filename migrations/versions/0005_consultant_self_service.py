"""consultant self-service: periods away, and interests awaiting an admin's confirmation

Interests recorded before this revision were entered by admins, so they start confirmed; the server
default fills them in and is then dropped, as the model sets the value itself.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_table(
        "absence",
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["consultant.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_absence_consultant_id"), "absence", ["consultant_id"], unique=False)

    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("confirmed", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.alter_column("confirmed", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("interest", schema=None) as batch_op:
        batch_op.drop_column("confirmed")

    op.drop_index(op.f("ix_absence_consultant_id"), table_name="absence")

    op.drop_table("absence")
