"""One Slack account, one person: a Slack member id belongs to one consultant or one board user.

Before, two consultants could carry the same id (which locked the first out of ``/scr me``), and a
consultant could carry a board user's. Now the database refuses it (``slack_identity``), and every way of
setting an id refuses a clash with a 409 naming who holds it. The migration keeps existing duplicates'
first holder and records every id it takes away in the audit log.
"""

import csv
import io

import pytest
from admin_pages_client import as_browser, csrf_from, sign_in, with_password
from alembic import command
from factories import add_person
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from core import audit
from core.audit import AuditEvent
from core.clock import utcnow
from core.errors import Conflict
from registry.models import Consultant
from service.cli import app as cli
from service.migrate import alembic_config, upgrade
from service.models import Role, SlackIdentity, User

API = "/api/v1"
JANE, OTHER = "U0JANE", "U0OTHER"


def consultant_body(name: str, slack_user_id: str | None = None) -> dict[str, str | None]:
    email = f"{name.lower().replace(' ', '.')}@reviews.example.org"
    return {"name": name, "email": email, "slack_user_id": slack_user_id}


def add(client, admin, name: str, slack_user_id: str | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/consultants", json=consultant_body(name, slack_user_id), headers=admin.headers)


@pytest.fixture
def jane(client, admin) -> int:
    made = add(client, admin, "Jane Smith", JANE)
    assert made.status_code == 201, made.text
    return made.json()["id"]


@pytest.fixture
def make_chair_with(session):  # type: ignore[no-untyped-def]
    def make(slack_user_id: str) -> str:
        user, _ = add_person(
            session,
            email="chair@board.example.org",
            role=Role.chair,
            actor="test",
            slack_user_id=slack_user_id,
        )
        session.commit()
        return user.email

    return make


def test_a_second_consultant_cannot_be_given_a_consultants_slack_id(client, session, admin, jane):
    refused = add(client, admin, "Joe Bloggs", JANE)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert "U0JANE already belongs to the consultant Jane Smith" in detail
    assert f"id {jane}" not in detail and "consultant_id" not in refused.text
    assert refused.json()["findings"] == [
        {"field": "slack_user_id", "slack_user_id": JANE, "held_by": "the consultant Jane Smith"}
    ]
    assert session.exec(select(Consultant).where(Consultant.name == "Joe Bloggs")).all() == []

    joe = add(client, admin, "Joe Bloggs").json()["id"]
    patched = client.patch(f"{API}/consultants/{joe}", json={"slack_user_id": JANE}, headers=admin.headers)
    assert patched.status_code == 409 and "the consultant Jane Smith" in patched.json()["detail"]
    assert client.get(f"{API}/consultants/{joe}", headers=admin.headers).json()["slack_user_id"] is None


def test_a_consultant_cannot_be_given_a_board_users_slack_id(client, admin, make_chair_with):
    chair = make_chair_with(JANE)
    refused = add(client, admin, "Joe Bloggs", JANE)
    assert refused.status_code == 409
    assert f"U0JANE already belongs to the board user {chair}" in refused.json()["detail"]


def test_a_board_user_cannot_be_given_a_consultants_slack_id_from_the_command_line(session, jane):
    with pytest.raises(Conflict, match="U0JANE already belongs to the consultant Jane Smith"):
        add_person(
            session, email="chair@board.example.org", role=Role.chair, actor="test", slack_user_id=JANE
        )
    session.rollback()
    result = CliRunner().invoke(
        cli,
        [
            "user",
            "add",
            "chair@board.example.org",
            "--role",
            "chair",
            "--partnership",
            "HAC",
            "--slack-user-id",
            JANE,
        ],
    )
    assert result.exit_code != 0
    assert "already belongs to the consultant Jane Smith" in result.output
    assert session.exec(select(User).where(User.email == "chair@board.example.org")).first() is None


def test_a_consultant_keeps_moves_and_frees_their_own_slack_id(client, admin, jane):
    same = client.patch(
        f"{API}/consultants/{jane}", json={"slack_user_id": JANE, "capacity": 3}, headers=admin.headers
    )
    assert same.status_code == 200 and same.json()["slack_user_id"] == JANE
    moved = client.patch(f"{API}/consultants/{jane}", json={"slack_user_id": OTHER}, headers=admin.headers)
    assert moved.status_code == 200 and moved.json()["slack_user_id"] == OTHER
    assert add(client, admin, "Joe Bloggs", JANE).status_code == 201  # the old id is free again
    freed = client.patch(f"{API}/consultants/{jane}", json={"slack_user_id": None}, headers=admin.headers)
    assert freed.status_code == 200 and freed.json()["slack_user_id"] is None
    assert add(client, admin, "Kim Other", OTHER).status_code == 201


def import_csv(client, admin, rows: list[list[str]], *, dry_run: bool):  # type: ignore[no-untyped-def]
    out = io.StringIO()
    csv.writer(out).writerows([["name", "email", "slack_user_id"], *rows])
    return client.post(
        f"{API}/consultants/import",
        params={"dry_run": str(dry_run).lower()},
        files={"file": ("list.csv", out.getvalue().encode(), "text/csv")},
        headers=admin.headers,
    )


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_csv_import_that_gives_a_held_slack_id_is_refused_naming_the_row_and_the_holder(
    client, session, admin, jane, make_chair_with, dry_run
):
    chair = make_chair_with(OTHER)
    rows = [
        ["Jane Smith", "jane.smith@reviews.example.org", JANE],  # her own: fine
        ["Joe Bloggs", "joe.bloggs@reviews.example.org", JANE],
        ["Kim Other", "kim.other@reviews.example.org", OTHER],
        ["Lee New", "lee.new@reviews.example.org", "U0LEE"],
        ["Mo New", "mo.new@reviews.example.org", "U0LEE"],
    ]
    response = import_csv(client, admin, rows, dry_run=dry_run)
    assert response.status_code == 409, response.text
    problems = {(p["row"], p["column"]): p["msg"] for p in response.json()["findings"]}
    assert set(problems) == {(3, "slack_user_id"), (4, "slack_user_id"), (6, "slack_user_id")}
    assert "already belongs to the consultant Jane Smith" in problems[(3, "slack_user_id")]
    assert f"already belongs to the board user {chair}" in problems[(4, "slack_user_id")]
    assert "also on row 5" in problems[(6, "slack_user_id")]
    assert len(session.exec(select(Consultant)).all()) == 1


def test_the_command_line_import_reports_a_held_slack_id(session, jane, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("name,email,slack_user_id\nJoe Bloggs,joe.bloggs@reviews.example.org,U0JANE\n")
    result = CliRunner().invoke(cli, ["registry", "import", str(path)])
    assert result.exit_code == 1
    assert (
        "row 2, slack_user_id: The Slack member id U0JANE already belongs to the consultant Jane Smith"
        in result.output
    )


def test_the_admin_pages_refuse_a_held_slack_id_beside_the_field(client, session, admin, jane):
    as_browser(client)
    assert sign_in(client, with_password(session, admin.email)).status_code == 303
    token = csrf_from(client.get("/admin/consultants/new").text)
    form = {**consultant_body("Joe Bloggs", JANE), "capacity": "2", "csrf_token": token}
    added = client.post("/admin/consultants/new", data=form)
    assert added.status_code == 409
    assert 'id="slack_user_id-error"' in added.text
    assert "already belongs to the consultant Jane Smith" in added.text

    joe = add(client, admin, "Joe Bloggs").json()["id"]
    token = csrf_from(client.get(f"/admin/consultants/{joe}/edit").text)
    saved = client.post(f"/admin/consultants/{joe}/edit", data={**form, "csrf_token": token})
    assert saved.status_code == 409 and "already belongs to the consultant Jane Smith" in saved.text


def test_the_database_itself_keeps_one_holder_per_slack_id(engine, session, jane):
    user, _ = add_person(session, email="chair@board.example.org", role=Role.chair, actor="test")
    session.commit()
    for row in (
        SlackIdentity(slack_user_id=JANE, user_id=user.id),  # the consultant's id, for a user
        SlackIdentity(slack_user_id=OTHER, user_id=user.id, consultant_id=jane),  # two holders
        SlackIdentity(slack_user_id=OTHER),  # no holder
        SlackIdentity(slack_user_id=OTHER, consultant_id=jane),  # a second id for one consultant
    ):
        with Session(engine) as other, pytest.raises(IntegrityError):
            other.add(row)
            other.commit()
    with Session(engine) as other, pytest.raises(IntegrityError):
        other.add(Consultant(name="Joe Bloggs", email="joe@reviews.example.org", slack_user_id=JANE))
        other.commit()


# The migration, on a database that already holds duplicates ---------------------------------------


BEFORE = """
INSERT INTO app_user (id, email, role, slack_user_id, active, created_at)
    VALUES (1, 'chair@board.example.org', 'chair', 'U0SHARED', true, :now);
INSERT INTO consultant (id, name, email, slack_user_id, backgrounds, specialisms, languages, areas,
    capacity, status, created_at, updated_at) VALUES
    (1, 'Ann First', 'ann@x.org', 'U0SHARED', '[]', '[]', '[]', '[]', 2, 'approved', :now, :now),
    (2, 'Bob Keeps', 'bob@x.org', 'U0BOB', '[]', '[]', '[]', '[]', 2, 'approved', :now, :now),
    (3, 'Cat Later', 'cat@x.org', 'U0BOB', '[]', '[]', '[]', '[]', 2, 'approved', :now, :now),
    (4, 'Dee Alone', 'dee@x.org', 'U0DEE', '[]', '[]', '[]', '[]', 2, 'approved', :now, :now),
    (5, 'Eve None', 'eve@x.org', NULL, '[]', '[]', '[]', '[]', 2, 'applied', :now, :now)
"""


def test_the_migration_keeps_the_first_holder_and_audits_every_id_it_takes_away(scratch_url):
    upgrade(scratch_url, "0006")
    engine = create_engine(scratch_url)
    with Session(engine) as session:
        audit.record(session, actor="test", action="thing.add", entity_type="thing", entity_id=1, after={})
        for statement in BEFORE.split(";"):
            session.exec(text(statement), params={"now": utcnow()})  # type: ignore[call-overload]
        session.commit()

    upgrade(scratch_url, "0007")
    with Session(engine) as session:
        rows = session.exec(
            select(SlackIdentity.slack_user_id, SlackIdentity.user_id, SlackIdentity.consultant_id)
        )
        held = {slack_user_id: (user_id, consultant_id) for slack_user_id, user_id, consultant_id in rows}
        assert held == {"U0SHARED": (1, None), "U0BOB": (None, 2), "U0DEE": (None, 4)}
        events = list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))
        assert audit.verify(events) is None
        cleared = [e for e in events if e.action == "consultant.slack_id_cleared"]
        assert [(e.entity_id, e.before, e.after["kept_by"]) for e in cleared] == [
            ("1", {"slack_user_id": "U0SHARED"}, "the board user chair@board.example.org"),
            ("3", {"slack_user_id": "U0BOB"}, "the consultant Bob Keeps"),
        ]
        assert all(e.after["slack_user_id"] is None for e in cleared)

    command.downgrade(alembic_config(scratch_url), "0006")
    with engine.connect() as connection:
        users = connection.execute(text("SELECT slack_user_id FROM app_user")).scalars().all()
        consultants = connection.execute(text("SELECT id, slack_user_id FROM consultant ORDER BY id")).all()
    assert users == ["U0SHARED"]
    assert [tuple(row) for row in consultants] == [
        (1, None),
        (2, "U0BOB"),
        (3, None),
        (4, "U0DEE"),
        (5, None),
    ]
    engine.dispose()
