"""the audit log refuses UPDATE and DELETE on PostgreSQL; previewed CSV imports are kept for their commit

The trigger makes the hash-chained log append-only for every role, the service's own included: nothing
in the service updates or deletes an audit event (the retention purge logs fingerprints instead). Only the
table's owner can switch it off (ALTER TABLE ... DISABLE TRIGGER), which is why ``scr audit verify
--checkpoint`` also anchors the chain outside the database. SQLite has no roles to guard against and
keeps no trigger.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"

GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log is append-only: % on audit_event is refused.', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
GUARD_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""


def upgrade() -> None:
    op.create_table(
        "import_preview",
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("csv_text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_index(op.f("ix_import_preview_created_at"), "import_preview", ["created_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(GUARD_FUNCTION)
        op.execute(GUARD_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    op.drop_index(op.f("ix_import_preview_created_at"), table_name="import_preview")
    op.drop_table("import_preview")
