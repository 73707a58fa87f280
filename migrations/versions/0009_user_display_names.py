"""board users gain a display name, the name people see in Slack, on the pages and in documents

Existing users get none: the service shows their email until an admin sets a name on the users page,
rather than guess a name from an address.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.add_column("app_user", sa.Column("display_name", sqlmodel.AutoString(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch_op:
        batch_op.drop_column("display_name")
