"""a declaration the consultant signed on paper or by email, recorded by an admin as such

Who recorded it, the signed statement's date and where it is kept. Declarations made before have none:
each was the consultant's own, or was entered for them, and the audit log says which.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recorded_by", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
        batch_op.add_column(sa.Column("signed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("signed_reference", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("declaration", schema=None) as batch_op:
        batch_op.drop_column("signed_reference")
        batch_op.drop_column("signed_on")
        batch_op.drop_column("recorded_by")
