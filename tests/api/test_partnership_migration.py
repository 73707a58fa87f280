"""Migration 0011 moves a one-board service into one partnership with nothing lost: every case keeps its
reference and joins the partnership made from the areas in use, named after them, whose prefix continues
the references; every person keeps what they could do, as roles held there. Downgrading gives the roles
back, and upgrading again maps the same way."""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from service.migrate import alembic_config, upgrade

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
# The demo's people, as a service at 0010 held them, and the cases a board recorded.
USERS = [
    ("admin@demo.example.org", "admin", "Amara Osei"),
    ("commissioner@demo.example.org", "commissioner", "Tom Whitfield"),
    ("chair@demo.example.org", "chair", "Priya Raman"),
    ("bot@demo.example.org", "bot", "Case review bot"),
]
CASES = [
    ("HAC-2025-0001", "Hackney", "closed"),
    ("HAC-2026-0001", "hackney", "open"),
    ("CAM-2026-0001", "Camden", "open"),
    ("CIT-2026-0001", "City of London", "open"),
    ("HAC-2026-0002", "Hackney", "open"),
]


def _at_0010(url: str) -> sa.Engine:
    upgrade(url, "0010")
    engine = sa.create_engine(url)
    with engine.begin() as db:
        for email, role, name in USERS:
            db.execute(
                sa.text(
                    "INSERT INTO app_user (email, role, display_name, active, created_at) "
                    "VALUES (:email, :role, :name, :active, :now)"
                ),
                {"email": email, "role": role, "name": name, "active": True, "now": NOW},
            )
        for ref, area, status in CASES:
            db.execute(
                sa.text(
                    "INSERT INTO review_case (ref, area, features, status, created_by, created_at, "
                    "updated_at) "
                    "VALUES (:ref, :area, :features, :status, 'chair@demo.example.org', :now, :now)"
                ),
                {"ref": ref, "area": area, "features": f'{{"area": "{area}"}}', "status": status, "now": NOW},
            )
        case_id = db.execute(sa.text("SELECT id FROM review_case WHERE ref = 'HAC-2026-0001'")).scalar_one()
        db.execute(
            sa.text(
                "INSERT INTO case_decision (case_id, kind, ruleset_id, ruleset_version, today, features, "
                "result, decided_by, decided_at) "
                "VALUES (:case, 'recommendation', 'wt2023', '2', '2026-11-30', "
                "'{}', '{}', 'chair@demo.example.org', :now)"
            ),
            {"case": case_id, "now": NOW},
        )
    return engine


def _mapped(engine: sa.Engine) -> dict[str, object]:
    with engine.connect() as db:
        partnerships = db.execute(sa.text("SELECT id, name, prefix FROM partnership")).all()
        areas = db.execute(sa.text("SELECT area FROM partnership_area ORDER BY area")).scalars().all()
        cases = db.execute(
            sa.text("SELECT ref, area, status, partnership_id FROM review_case ORDER BY ref")
        ).all()
        users = db.execute(
            sa.text("SELECT email, role, display_name, active FROM app_user ORDER BY id")
        ).all()
        grants = db.execute(
            sa.text(
                "SELECT u.email, r.role, p.prefix FROM partnership_role r "
                "JOIN app_user u ON u.id = r.user_id "
                "JOIN partnership p ON p.id = r.partnership_id ORDER BY u.id"
            )
        ).all()
        decisions = db.execute(sa.text("SELECT count(*) FROM case_decision")).scalar_one()
    ((partnership_id, name, prefix),) = partnerships
    return {
        "partnership": (name, prefix),
        "areas": list(areas),
        "cases": [tuple(row[:3]) for row in cases],
        "every case led by it": all(row[3] == partnership_id for row in cases),
        "users": [tuple(row) for row in users],
        "grants": [tuple(row) for row in grants],
        "decisions": decisions,
    }


EXPECTED = {
    "partnership": ("Camden, City of London and Hackney", "HAC"),
    "areas": ["camden", "city-of-london", "hackney"],
    "cases": sorted((ref, area, status) for ref, area, status in CASES),
    "every case led by it": True,
    "users": [
        ("admin@demo.example.org", "list_admin", "Amara Osei", True),
        ("commissioner@demo.example.org", "member", "Tom Whitfield", True),
        ("chair@demo.example.org", "member", "Priya Raman", True),
        ("bot@demo.example.org", "bot", "Case review bot", True),
    ],
    "grants": [
        ("admin@demo.example.org", "admin", "HAC"),
        ("commissioner@demo.example.org", "commissioner", "HAC"),
        ("chair@demo.example.org", "chair", "HAC"),
    ],
    "decisions": 1,
}


def test_existing_cases_and_people_move_into_one_partnership_and_back(scratch_url):
    engine = _at_0010(scratch_url)
    upgrade(scratch_url, "0011")
    assert _mapped(engine) == EXPECTED

    command.downgrade(alembic_config(scratch_url), "0010")
    with engine.connect() as db:
        users = db.execute(sa.text("SELECT email, role, active FROM app_user ORDER BY id")).all()
        refs = db.execute(sa.text("SELECT ref, area FROM review_case ORDER BY ref")).all()
        columns = {c["name"] for c in sa.inspect(db).get_columns("review_case")}
    assert [tuple(u) for u in users] == [(email, role, True) for email, role, _ in USERS]
    assert [tuple(r) for r in refs] == sorted((ref, area) for ref, area, _ in CASES)
    assert "partnership_id" not in columns

    upgrade(scratch_url, "0011")
    assert _mapped(engine) == EXPECTED
    engine.dispose()


def test_an_empty_service_gets_no_partnership(scratch_url):
    upgrade(scratch_url, "0011")
    engine = sa.create_engine(scratch_url)
    with engine.connect() as db:
        assert db.execute(sa.text("SELECT count(*) FROM partnership")).scalar_one() == 0
    engine.dispose()


def test_people_without_cases_get_the_fallback_prefix_and_downgrading_revokes_an_analyst(scratch_url):
    upgrade(scratch_url, "0010")
    engine = sa.create_engine(scratch_url)
    with engine.begin() as db:
        db.execute(
            sa.text(
                "INSERT INTO app_user (email, role, active, created_at) VALUES ('a@x.org', 'chair', :t, :now)"
            ),
            {"t": True, "now": NOW},
        )
    upgrade(scratch_url, "0011")
    with engine.begin() as db:
        assert db.execute(sa.text("SELECT name, prefix FROM partnership")).one() == (
            "Safeguarding partnership",
            "SCR",
        )
        db.execute(
            sa.text(
                "INSERT INTO app_user (email, role, active, created_at) "
                "VALUES ('b@x.org', 'analyst', :t, :now)"
            ),
            {"t": True, "now": NOW},
        )
    command.downgrade(alembic_config(scratch_url), "0010")
    with engine.connect() as db:
        users = db.execute(sa.text("SELECT email, role, active FROM app_user ORDER BY id")).all()
    assert [tuple(u) for u in users] == [("a@x.org", "chair", True), ("b@x.org", "chair", False)]
    engine.dispose()
