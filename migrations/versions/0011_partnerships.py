"""partnerships: many safeguarding partnerships on one service, with walls between them

A partnership covers local-authority areas, gives its cases their reference prefix and holds its own
values of the local policy settings. A case belongs to its lead partnership, and other partnerships may
contribute to it (read access). A user's regional standing stays in ``app_user.role`` (list admin,
analyst, member, bot); admin, commissioner and chair are held per partnership in ``partnership_role``.
A partnership can note a local reason not to use a consultant.

Existing data goes into one partnership made from the areas its cases use, named after them, with the
prefix the existing references use for the most common area (so references continue), or SCR. Admins
become list admins and admins of that partnership; commissioners and chairs become members holding their
role there. Downgrading gives each person back the strongest role they hold (a list admin is an admin),
and revokes analysts and people without a role in any partnership: the older service has no such role.
"""

import re
from collections import Counter

import sqlalchemy as sa
import sqlmodel
from alembic import op

from core.clock import utcnow

revision = "0011"
down_revision = "0010"

SMALL_WORDS = {"and", "of", "on", "upon", "the", "in"}
FALLBACK_PREFIX = "SCR"

partnership = sa.table(
    "partnership",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("prefix", sa.String),
    sa.column("policy", sa.JSON),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
partnership_area = sa.table("partnership_area", sa.column("area", sa.String), sa.column("partnership_id", sa.Integer))
partnership_role = sa.table(
    "partnership_role",
    sa.column("user_id", sa.Integer),
    sa.column("partnership_id", sa.Integer),
    sa.column("role", sa.String),
)


def area_slug(area: str) -> str:
    """An area as partnerships list it: lower case, words joined by hyphens (``City of London`` ->
    ``city-of-london``). The same rule as ``commissioning.partnerships.area_slug``, frozen here."""
    return re.sub(r"[^a-z0-9]+", "-", area.strip().lower()).strip("-")


def area_name(slug: str) -> str:
    words = slug.split("-")
    return " ".join(w if i and w in SMALL_WORDS else w.capitalize() for i, w in enumerate(words))


def joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def reference_code(area: str) -> str:
    """The code references were made with before partnerships: the first three letters of the area."""
    return re.sub(r"[^A-Za-z]", "", area)[:3].upper()


def _tables() -> None:
    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.AutoString(length=200), nullable=False),
        sa.Column("prefix", sqlmodel.AutoString(length=6), nullable=False),
        sa.Column("reminder_channel", sqlmodel.AutoString(length=80), nullable=True),
        sa.Column("admin_channel", sqlmodel.AutoString(length=80), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_index("ix_partnership_prefix", "partnership", ["prefix"], unique=True)
    op.create_table(
        "partnership_area",
        sa.Column("area", sqlmodel.AutoString(length=100), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("area"),
    )
    op.create_index("ix_partnership_area_partnership_id", "partnership_area", ["partnership_id"])
    op.create_table(
        "partnership_role",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "partnership_id", "role"),
    )
    op.create_index("ix_partnership_role_partnership_id", "partnership_role", ["partnership_id"])
    op.create_table(
        "case_contributor",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("case_id", "partnership_id"),
    )
    op.create_index("ix_case_contributor_partnership_id", "case_contributor", ["partnership_id"])
    op.create_table(
        "consultant_local_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("consultant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.AutoString(length=1000), nullable=False),
        sa.Column("recorded_by", sqlmodel.AutoString(length=254), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["consultant_id"], ["consultant.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_consultant_local_note_partnership_id", "consultant_local_note", ["partnership_id"])
    op.create_index("ix_consultant_local_note_consultant_id", "consultant_local_note", ["consultant_id"])


def _migrated_partnership(connection: sa.Connection) -> int | None:
    """The one partnership existing cases and people move into, or None when there are neither."""
    areas = [area for (area,) in connection.execute(sa.text("SELECT area FROM review_case"))]
    people = connection.execute(sa.text("SELECT count(*) FROM app_user WHERE role <> 'bot'")).scalar_one()
    if not areas and not people:
        return None
    counts = Counter(area_slug(area) for area in areas if area_slug(area))
    slugs = sorted(counts)
    name = joined([area_name(slug) for slug in slugs]) if slugs else "Safeguarding partnership"
    commonest = Counter(reference_code(area) for area in areas).most_common(1)
    code = commonest[0][0] if commonest else ""
    prefix = code if 2 <= len(code) <= 6 else FALLBACK_PREFIX
    connection.execute(
        partnership.insert().values(name=name[:200], prefix=prefix, policy={}, created_at=utcnow())
    )
    partnership_id = connection.execute(sa.text("SELECT id FROM partnership")).scalar_one()
    for slug in slugs:
        connection.execute(partnership_area.insert().values(area=slug[:100], partnership_id=partnership_id))
    return int(partnership_id)


def upgrade() -> None:
    _tables()
    connection = op.get_bind()
    partnership_id = _migrated_partnership(connection)
    with op.batch_alter_table("review_case") as batch_op:
        batch_op.add_column(sa.Column("partnership_id", sa.Integer(), nullable=True))
    if partnership_id is not None:
        connection.execute(sa.text("UPDATE review_case SET partnership_id = :p"), {"p": partnership_id})
        users = connection.execute(sa.text("SELECT id, role FROM app_user WHERE role <> 'bot'")).all()
        for user_id, role in users:
            connection.execute(
                partnership_role.insert().values(user_id=user_id, partnership_id=partnership_id, role=role)
            )
        connection.execute(sa.text("UPDATE app_user SET role = 'list_admin' WHERE role = 'admin'"))
        connection.execute(
            sa.text("UPDATE app_user SET role = 'member' WHERE role IN ('commissioner', 'chair')")
        )
    with op.batch_alter_table("review_case") as batch_op:
        batch_op.alter_column("partnership_id", existing_type=sa.Integer(), nullable=False)
        batch_op.create_index("ix_review_case_partnership_id", ["partnership_id"])
        batch_op.create_foreign_key(
            "fk_review_case_partnership_id", "partnership", ["partnership_id"], ["id"]
        )


STRONGEST = ("admin", "commissioner", "chair")


def downgrade() -> None:
    connection = op.get_bind()
    users = connection.execute(sa.text("SELECT id, role FROM app_user WHERE role <> 'bot'")).all()
    for user_id, role in users:
        held = {r for (r,) in connection.execute(
            sa.text("SELECT role FROM partnership_role WHERE user_id = :u"), {"u": user_id}
        )}
        if role == "list_admin":
            connection.execute(sa.text("UPDATE app_user SET role = 'admin' WHERE id = :u"), {"u": user_id})
            continue
        strongest = next((r for r in STRONGEST if r in held), None)
        if strongest is None:  # an analyst, or a member without a role: nothing the older service knows
            connection.execute(
                sa.text("UPDATE app_user SET role = 'chair', active = :no WHERE id = :u"),
                {"u": user_id, "no": False},
            )
        else:
            connection.execute(
                sa.text("UPDATE app_user SET role = :r WHERE id = :u"), {"u": user_id, "r": strongest}
            )
    with op.batch_alter_table("review_case") as batch_op:
        batch_op.drop_constraint("fk_review_case_partnership_id", type_="foreignkey")
        batch_op.drop_index("ix_review_case_partnership_id")
        batch_op.drop_column("partnership_id")
    for table in ("consultant_local_note", "case_contributor", "partnership_role", "partnership_area"):
        op.drop_table(table)
    op.drop_index("ix_partnership_prefix", table_name="partnership")
    op.drop_table("partnership")
