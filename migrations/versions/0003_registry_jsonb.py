"""registry: consultant list columns as JSONB on PostgreSQL

The listing filters (specialism, area, language) test list membership; JSONB stores the lists parsed,
so a filtered listing of 10,000 consultants no longer re-parses JSON text for every row. SQLite keeps
JSON (text), so this revision changes nothing there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
