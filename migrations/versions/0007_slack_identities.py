"""one Slack identity per person, across board users and consultants

A Slack member id was a column of ``app_user`` (unique among users) and of ``consultant`` (not unique at
all), so two consultants, or a consultant and a board user, could share one. The ids move to
``slack_identity``, where each id has exactly one holder and each holder at most one id.

Ids already shared keep their first holder: a board user before any consultant (a user's id was already
unique, and it is how their role is found), then the consultant longest on the list (lowest id). Every
other holder loses the id, and each loss is written to the audit log (``consultant.slack_id_cleared``,
with the id, who kept it and why), so nothing is lost and an admin can put it right. Downgrading puts the
ids back on their holders; the cleared ones stay in the audit log only.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.clock import utcnow
from core import audit
from core.audit import AuditEvent

revision = "0007"
down_revision = "0006"

ACTOR = "migration 0007 (one Slack identity per person)"
AUDIT_LOCK = 7263  # the advisory lock ``core.audit.record`` takes on PostgreSQL

identity = sa.table(
    "slack_identity",
    sa.column("slack_user_id", sa.String),
    sa.column("user_id", sa.Integer),
    sa.column("consultant_id", sa.Integer),
)
audit_event = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("entity_type", sa.String),
    sa.column("entity_id", sa.String),
    sa.column("before", sa.JSON),
    sa.column("after", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "slack_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("consultant_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(user_id IS NULL) <> (consultant_id IS NULL)", name="ck_slack_identity_one_holder"
        ),
        sa.ForeignKeyConstraint(["consultant_id"], ["consultant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_slack_identity_consultant_id"), "slack_identity", ["consultant_id"], unique=True)
    op.create_index(op.f("ix_slack_identity_slack_user_id"), "slack_identity", ["slack_user_id"], unique=True)
    op.create_index(op.f("ix_slack_identity_user_id"), "slack_identity", ["user_id"], unique=True)

    connection = op.get_bind()
    holders: dict[str, str] = {}
    users = connection.execute(
        sa.text("SELECT id, email, slack_user_id FROM app_user WHERE slack_user_id <> '' ORDER BY id")
    )
    for user_id, email, slack_user_id in users:
        holders[slack_user_id] = f"the board user {email}"
        connection.execute(identity.insert().values(slack_user_id=slack_user_id, user_id=user_id))
    consultants = connection.execute(
        sa.text("SELECT id, name, slack_user_id FROM consultant WHERE slack_user_id <> '' ORDER BY id")
    ).all()
    for consultant_id, name, slack_user_id in consultants:
        if slack_user_id in holders:
            _record_cleared(connection, consultant_id, slack_user_id, kept_by=holders[slack_user_id])
            continue
        holders[slack_user_id] = f"the consultant {name}"
        connection.execute(identity.insert().values(slack_user_id=slack_user_id, consultant_id=consultant_id))

    with op.batch_alter_table("consultant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultant_slack_user_id"))
        batch_op.drop_column("slack_user_id")
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_app_user_slack_user_id"))
        batch_op.drop_column("slack_user_id")


def _record_cleared(
    connection: sa.Connection, consultant_id: int, slack_user_id: str, *, kept_by: str
) -> None:
    """Append an audit event, chained as ``core.audit.record`` chains them, for an id a consultant lost."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = connection.execute(
        sa.select(audit_event.c.hash).order_by(audit_event.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    values = {
        "at": utcnow(),
        "actor": ACTOR,
        "action": "consultant.slack_id_cleared",
        "entity_type": "consultant",
        "entity_id": str(consultant_id),
        "before": {"slack_user_id": slack_user_id},
        "after": {
            "slack_user_id": None,
            "kept_by": kept_by,
            "reason": "One Slack account is linked to one person; it was on more than one record, and "
            "the first holder keeps it.",
        },
        "prev_hash": last or audit.GENESIS,
    }
    values["hash"] = audit.digest(AuditEvent(**values, hash=""))
    connection.execute(audit_event.insert().values(**values))


def downgrade() -> None:
    with op.batch_alter_table("app_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_app_user_slack_user_id"), ["slack_user_id"], unique=True)
    with op.batch_alter_table("consultant", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("slack_user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_consultant_slack_user_id"), ["slack_user_id"], unique=False)
    op.execute(
        "UPDATE app_user SET slack_user_id = (SELECT slack_user_id FROM slack_identity "
        "WHERE slack_identity.user_id = app_user.id)"
    )
    op.execute(
        "UPDATE consultant SET slack_user_id = (SELECT slack_user_id FROM slack_identity "
        "WHERE slack_identity.consultant_id = consultant.id)"
    )
    op.drop_index(op.f("ix_slack_identity_user_id"), table_name="slack_identity")
    op.drop_index(op.f("ix_slack_identity_slack_user_id"), table_name="slack_identity")
    op.drop_index(op.f("ix_slack_identity_consultant_id"), table_name="slack_identity")
    op.drop_table("slack_identity")
