"""the approved list's version: one row, raised by every committed write to the list's tables

Triggers raise it in the writing transaction, so a rolled-back write raises nothing. On PostgreSQL they
are deferred to the commit and raise it once per transaction (a transaction-local setting remembers
that it has), so the row's lock is held only while committing; TRUNCATE raises it too. SQLite, whose
writers take turns anyway, raises it row by row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"

TABLES = (
    "agency",
    "agency_alias",
    "consultant",
    "engagement",
    "interest",
    "absence",
    "accreditation",
    "review_record",
)

BUMP_FUNCTION = """
CREATE OR REPLACE FUNCTION registry_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('scr.registry_version_bumped', true) IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('scr.registry_version_bumped', txid_current()::text, true);
        UPDATE registry_version SET version = version + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$
"""


def _postgres_triggers(table: str) -> list[str]:
    return [
        f"CREATE CONSTRAINT TRIGGER registry_version_bump AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_version_bump()",
        f"CREATE TRIGGER registry_version_bump_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION registry_version_bump()",
    ]


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER registry_version_bump_{table}_{event.lower()} AFTER {event} ON {table} "
        "BEGIN UPDATE registry_version SET version = version + 1 WHERE id = 1; END"
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table(
        "registry_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO registry_version (id, version) VALUES (1, 0)")
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute(BUMP_FUNCTION)
    for table in TABLES:
        for statement in _postgres_triggers(table) if postgres else _sqlite_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS registry_version_bump ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS registry_version_bump_truncate ON {table}")
        else:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS registry_version_bump_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS registry_version_bump()")
    op.drop_table("registry_version")
