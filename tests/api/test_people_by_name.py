"""People by name wherever a person reads about them: the case's decision in the API, in Slack and in the
terms of reference, the case and consultant pages, and the audit history; the display name set with
``scr user add --name``. Stored records keep the email, so a name set later shows everywhere."""

import re

import pytest
from factories import CASE_FEATURES, add_person, consultant, create_person, hackney, home_partnership
from sqlmodel import select
from typer.testing import CliRunner

from bot.features.case import views as case_views
from core import audit, clock
from service.cli import app as cli
from service.models import Role, User
from service.passwords import set_password
from service.people import names

PASSWORD = "correct horse battery staple"
CHAIR_EMAIL = "priya.raman@board.example.org"


@pytest.fixture
def named_chair(session):  # type: ignore[no-untyped-def]
    """A chair named Priya Raman: their API headers."""
    _, token = add_person(
        session, email=CHAIR_EMAIL, role=Role.chair, actor="test", display_name="Priya Raman"
    )
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def decided(client, session, commissioner, named_chair) -> str:  # type: ignore[no-untyped-def]
    """A case the commissioner recorded and Priya Raman accepted for the board; its reference."""
    hackney(session)
    ref = client.post("/api/v1/cases", json={"features": CASE_FEATURES}, headers=commissioner.headers).json()[
        "ref"
    ]
    accepted = client.post(f"/api/v1/cases/{ref}/decision", json={"accepted": True}, headers=named_chair)
    assert accepted.status_code == 200, accepted.text
    return ref


def test_the_case_api_keeps_the_email_and_adds_the_name_of_who_decided(client, decided, commissioner):
    case = client.get(f"/api/v1/cases/{decided}", headers=commissioner.headers).json()
    board = case["board_decision"]
    assert (board["decided_by"], board["decided_by_name"]) == (CHAIR_EMAIL, "Priya Raman")
    assert [d["decided_by_name"] for d in case["history"]] == [commissioner.email, "Priya Raman"]
    listed = client.get("/api/v1/cases", headers=commissioner.headers).json()["items"]
    assert listed[0]["board_decision"]["decided_by_name"] == "Priya Raman"


def test_slack_credits_the_decision_to_the_chair_by_name(client, decided, commissioner):
    case = client.get(f"/api/v1/cases/{decided}", headers=commissioner.headers).json()
    text = str(case_views.blocks(case, labels={}, chair=False, today=clock.today()))
    assert "accepted by Priya Raman" in text
    assert CHAIR_EMAIL not in text


def test_the_terms_of_reference_name_the_chair_who_decided(client, decided, commissioner):
    client.post(f"/api/v1/cases/{decided}/terms", headers=commissioner.headers)
    text = client.get(f"/api/v1/cases/{decided}/terms/1.md", headers=commissioner.headers).text
    decision = text.split("## 3. Criteria met, decision and legal basis")[1].split("\n## ")[0]
    assert "Priya Raman, chair for the safeguarding partners, recorded the decision." in decision
    assert CHAIR_EMAIL not in text


def test_the_case_page_names_who_recorded_decided_and_generated(client, session, decided, commissioner):
    client.post(f"/api/v1/cases/{decided}/terms", headers=commissioner.headers)
    user = session.exec(select(User).where(User.email == commissioner.email)).one()
    user.display_name = "Tom Whitfield"
    session.add(user)
    set_password(session, email=commissioner.email, password=PASSWORD, actor="test")
    session.commit()
    client.headers["Origin"] = str(client.base_url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/sign-in").text)[1]  # type: ignore[index]
    data = {"email": commissioner.email, "password": PASSWORD, "csrf_token": token}
    client.post("/admin/sign-in", data=data)

    page = client.get(f"/admin/cases/{decided}").text
    assert "by Tom Whitfield" in page  # who recorded the case
    assert "(Priya Raman)" in page  # who decided
    assert "<td>Tom Whitfield</td>" in page  # who generated the terms
    assert CHAIR_EMAIL not in page and commissioner.email not in page


def test_names_for_every_kind_of_actor_the_audit_log_holds(session):
    create_person(
        session, email="ada@board.example.org", role=Role.admin, actor="test", display_name="Ada Lane"
    )
    create_person(
        session, email="sam@board.example.org", role=Role.chair, actor="test", slack_user_id="U0SAM"
    )
    consultant(session, "Rhea Reviewer", slack_user_id="U0RHEA")
    session.commit()
    actors = [
        "ada@board.example.org",
        "ADA@board.example.org",
        "sam@board.example.org",
        "rhea.reviewer@reviews.example.org",
        "bot@board.example.org for Slack user U0RHEA",
        "bot@board.example.org for Slack user U0SAM",
        "bot@board.example.org for Slack user U0NOBODY",
        "ada@board.example.org (Slack U0ADA)",
        "cli",
        "migration 0007 (one Slack identity per person)",
    ]
    named = names(session, actors)
    assert [named(actor) for actor in actors] == [
        "Ada Lane",
        "Ada Lane",
        "sam@board.example.org",  # no name yet: the email stands in
        "Rhea Reviewer",
        "Rhea Reviewer (in Slack)",
        "sam@board.example.org (in Slack)",
        "someone in Slack not linked to anyone here (in Slack)",
        "Ada Lane (in Slack)",
        "Command line",
        "migration 0007 (one Slack identity per person)",
    ]


def test_the_consultant_history_names_the_admin_who_changed_the_record(client, session, admin):
    user = session.exec(select(User).where(User.email == admin.email)).one()
    user.display_name = "Ada Lane"
    session.add(user)
    set_password(session, email=admin.email, password=PASSWORD, actor="test")
    rhea = consultant(session, "Rhea Reviewer")
    audit.record(
        session,
        actor=admin.email,
        action="consultant.update",
        entity_type="consultant",
        entity_id=rhea,
        after={"phone": "1"},
    )
    session.commit()
    client.headers["Origin"] = str(client.base_url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/sign-in").text)[1]  # type: ignore[index]
    client.post("/admin/sign-in", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})

    history = client.get(f"/admin/consultants/{rhea}").text.split('id="history"')[1]
    assert "<td>Ada Lane</td>" in history
    assert admin.email not in history


def test_scr_user_add_takes_a_display_name_and_refuses_a_blank_one(session):
    home_partnership(session)
    added = CliRunner().invoke(
        cli,
        [
            "user",
            "add",
            "jane@board.example.org",
            "--role",
            "chair",
            "--partnership",
            "HAC",
            "--name",
            "Jane Smith",
        ],
    )
    assert added.exit_code == 0, added.output
    session.expire_all()
    jane = session.exec(select(User).where(User.email == "jane@board.example.org")).one()
    assert jane.display_name == "Jane Smith" and jane.token_hash is not None

    blank = CliRunner().invoke(
        cli,
        ["user", "add", "lee@board.example.org", "--role", "chair", "--partnership", "HAC", "--name", "  "],
    )
    assert blank.exit_code != 0
    assert "The name is empty" in blank.output
    two_lines = CliRunner().invoke(
        cli,
        [
            "user",
            "add",
            "lee@board.example.org",
            "--role",
            "chair",
            "--partnership",
            "HAC",
            "--name",
            "Lee\nChan",
        ],
    )
    assert two_lines.exit_code != 0 and "must be on one line" in two_lines.output
    session.expire_all()
    assert session.exec(select(User).where(User.email == "lee@board.example.org")).first() is None
