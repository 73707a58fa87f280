"""a declaration the consultant signed on paper or by email, recorded by an admin as such

Who recorded it, the signed statement's date and where it is kept. Declarations made before have none:
each was the consultant's own, or was entered for them, and the audit log says which.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"


def _columns() -> list[sa.Column]:
    return [
        sa.Column("recorded_by", sqlmodel.AutoString(length=254), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("signed_reference", sqlmodel.AutoString(length=300), nullable=True),
    ]


def upgrade() -> None:
    for column in _columns():
        op.add_column("declaration", column)


def downgrade() -> None:
    with op.batch_alter_table("declaration") as batch_op:
        for column in reversed(_columns()):
            batch_op.drop_column(column.name)
