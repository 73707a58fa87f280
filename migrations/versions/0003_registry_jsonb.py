"""registry: consultant list columns as JSONB on PostgreSQL

The listing filters (specialism, area, language) test list membership; JSONB stores the lists parsed,
so a filtered listing of 10,000 consultants no longer re-parses JSON text for every row. SQLite keeps
JSON (text), so this revision changes nothing there.
"""

from alembic import op

revision = "0003"
down_revision = "0002"

COLUMNS = ("backgrounds", "specialisms", "languages", "areas")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {name} TYPE jsonb USING {name}::jsonb" for name in COLUMNS)
    op.execute(f"ALTER TABLE consultant {changes}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    changes = ", ".join(f"ALTER COLUMN {name} TYPE json USING {name}::json" for name in COLUMNS)
    op.execute(f"ALTER TABLE consultant {changes}")
