"""The users page over HTTP: an admin lists, adds, names, links, unlinks and revokes the board's users, with
the same form token, Origin check and audit events as every admin page, and one Slack account per person."""

import re

import pytest
from factories import add_person, consultant, create_person
from security.admin_pages_client import assert_refused_beside_fields, signed_in_as
from sqlmodel import select

from core.audit import AuditEvent
from service.models import Role, User
from service.users import revoke_user, roles_of

SLACK_ME = "/api/v1/slack/me"
LEE = "lee@board.example.org"


@pytest.fixture
def signed_in(client, session, admin):  # type: ignore[no-untyped-def]
    """The client, signed in as an admin; ``client.token`` is the session's form token."""
    return signed_in_as(client, session, admin.email, page="/admin/users")


@pytest.fixture
def sam(session) -> User:  # type: ignore[no-untyped-def]
    """Sam Patel, a commissioner linked to the Slack account U0SAM."""
    sam = create_person(
        session,
        email="sam@board.example.org",
        role=Role.commissioner,
        display_name="Sam Patel",
        slack_user_id="U0SAM",
    )
    session.commit()
    return sam


@pytest.fixture
def lee(session) -> User:  # type: ignore[no-untyped-def]
    """Lee, a chair with no name set and no Slack account."""
    lee = create_person(session, email=LEE, role=Role.chair)
    session.commit()
    return lee


@pytest.fixture
def bot(session):  # type: ignore[no-untyped-def]
    """The bot's headers for a Slack user: ``bot(slack_user_id)``."""
    _, token = add_person(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    return lambda slack_user_id: {"Authorization": f"Bearer {token}", "X-Slack-User-Id": slack_user_id}


def user_by_email(session, email: str) -> User | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).first()


def events(session, action: str) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


JANE = {
    "display_name": "Jane Smith",
    "email": "Jane.Smith@board.example.org",
    "role": "chair",
    "slack_user_id": "U0JANE",
}


def test_the_list_shows_each_users_name_email_role_slack_link_and_access(signed_in, session, sam, lee):
    revoke_user(session, email=lee.email, actor="test")
    session.commit()

    page = signed_in.get("/admin/users")
    assert page.status_code == 200
    assert '<a href="/admin/users" aria-current="page">Users</a>' in page.text
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", page.text, re.S)
    sams = next(row for row in rows if "Sam Patel" in row)
    assert (
        "sam@board.example.org" in sams and "Commissioner" in sams and ">Linked<" in sams and "Active" in sams
    )
    lees = next(row for row in rows if LEE in row)
    assert "No name set" in lees and "Not linked" in lees and "Revoked" in lees
    assert rows.index(lees) == len(rows) - 1, "revoked users come last"


def test_an_admin_adds_a_named_person_linked_to_slack_and_the_bot_then_acts_for_them(
    signed_in, session, admin, client, bot
):
    response = signed_in.post("/admin/users/new", data={**JANE, "csrf_token": signed_in.token})
    assert response.status_code == 200
    assert "Jane Smith was added as a chair of Hackney test partnership." in response.text
    jane = user_by_email(session, "jane.smith@board.example.org")
    assert jane is not None
    assert (jane.display_name, jane.role, jane.slack_user_id) == ("Jane Smith", Role.member, "U0JANE")
    assert [(p.prefix, role) for p, role in roles_of(session, jane.id)] == [("HAC", Role.chair)]
    assert jane.token_hash is None, "a person added from the page holds no API token"
    assert response.url.path == f"/admin/users/{jane.id}"
    (added,) = [e for e in events(session, "user.add") if e.entity_id == str(jane.id)]
    assert added.actor == admin.email
    assert added.after["display_name"] == "Jane Smith" and added.after["slack_user_id"] == "U0JANE"

    me = client.get(SLACK_ME, headers=bot("U0JANE"))
    assert me.status_code == 200 and me.json()["role"] == "chair"


def test_the_add_form_reports_every_bad_field_and_saves_nothing(signed_in, session):
    bad = {"display_name": " ", "email": "not-an-email", "role": "bot", "slack_user_id": "jane"}
    response = signed_in.post("/admin/users/new", data={**bad, "csrf_token": signed_in.token})
    assert_refused_beside_fields(
        response,
        {
            "display_name": "Enter the name",
            "email": "Enter an email address in the correct format",
            "role": "Choose one of the options listed",
            "slack_user_id": "Enter a Slack member ID: U or W",
        },
    )
    assert 'value="not-an-email"' in response.text
    assert user_by_email(session, "not-an-email") is None
    assert len(session.exec(select(User)).all()) == 1  # the admin alone


def test_a_slack_id_someone_else_holds_is_refused_beside_the_field_naming_them(signed_in, session, admin):
    consultant(session, "Rhea Reviewer", slack_user_id="U0JANE")
    response = signed_in.post("/admin/users/new", data={**JANE, "csrf_token": signed_in.token})
    assert response.status_code == 409
    assert re.search(
        r'id="slack_user_id-error">.*?U0JANE already belongs to the consultant Rhea Reviewer',
        response.text,
        re.S,
    )
    assert user_by_email(session, "jane.smith@board.example.org") is None
    assert [e.after["email"] for e in events(session, "user.add")] == [admin.email]


def test_linking_a_slack_id_another_user_holds_is_refused_beside_the_field_naming_them(
    signed_in, session, sam, lee
):
    taken = signed_in.post(
        f"/admin/users/{lee.id}/slack", data={"slack_user_id": "U0SAM", "csrf_token": signed_in.token}
    )
    assert taken.status_code == 409
    assert "U0SAM already belongs to the board user Sam Patel" in taken.text
    assert 'value="U0SAM"' in taken.text
    session.expire_all()
    assert session.get(User, lee.id).slack_user_id is None
    assert session.get(User, sam.id).slack_user_id == "U0SAM"


def test_linking_changing_and_unlinking_a_slack_account_is_audited_and_the_bot_follows(
    signed_in, session, client, bot, lee
):
    page = f"/admin/users/{lee.id}"
    assert client.get(SLACK_ME, headers=bot("U0LEE")).status_code == 403

    linked = signed_in.post(f"{page}/slack", data={"slack_user_id": "U0LEE", "csrf_token": signed_in.token})
    assert "is linked to the Slack account U0LEE" in linked.text
    assert client.get(SLACK_ME, headers=bot("U0LEE")).json()["id"] == lee.id

    signed_in.post(f"{page}/slack", data={"slack_user_id": "U0LEE2", "csrf_token": signed_in.token})
    assert client.get(SLACK_ME, headers=bot("U0LEE")).status_code == 403
    assert client.get(SLACK_ME, headers=bot("U0LEE2")).json()["id"] == lee.id

    unlinked = signed_in.post(f"{page}/slack/unlink", data={"csrf_token": signed_in.token})
    assert "no longer linked to a Slack account" in unlinked.text
    refused = client.get(SLACK_ME, headers=bot("U0LEE2"))
    assert refused.status_code == 403 and "admin pages (Users)" in refused.json()["detail"]

    changes = [(e.before["slack_user_id"], e.after["slack_user_id"]) for e in events(session, "user.update")]
    assert changes == [(None, "U0LEE"), ("U0LEE", "U0LEE2"), ("U0LEE2", None)]
    assert "U0LEE2" in unlinked.text.split('id="history"')[1], "the history shows each change"


def test_naming_a_user_shows_the_name_everywhere_on_the_pages(signed_in, session, admin, lee):
    blank = signed_in.post(
        f"/admin/users/{lee.id}/name", data={"display_name": "", "csrf_token": signed_in.token}
    )
    assert blank.status_code == 422 and re.search(
        r'id="display_name-error">.*?Enter the name', blank.text, re.S
    )
    saved = signed_in.post(
        f"/admin/users/{lee.id}/name", data={"display_name": "  Lee Chan ", "csrf_token": signed_in.token}
    )
    assert "The name was saved: Lee Chan." in saved.text
    assert "<h1>Lee Chan" in saved.text
    assert "Lee Chan" in signed_in.get("/admin/users").text
    (event,) = events(session, "user.update")
    assert (event.before["display_name"], event.after["display_name"], event.actor) == (
        None,
        "Lee Chan",
        admin.email,
    )

    signed_in.post(
        f"/admin/users/{admin.user_id}/name",
        data={"display_name": "Ada Admin", "csrf_token": signed_in.token},
    )
    assert (
        'class="signed-in-as">Ada Admin (List admin; admin, Hackney test partnership)'
        in signed_in.get("/admin/users").text
    )


def test_revoking_ends_the_bot_the_pages_and_the_token_at_once(signed_in, session, client, bot):
    lee, token = add_person(
        session, email=LEE, role=Role.chair, slack_user_id="U0LEE", display_name="Lee Chan"
    )
    session.commit()
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    revoked = signed_in.post(f"/admin/users/{lee.id}/revoke", data={"csrf_token": signed_in.token})
    assert "Lee Chan&#39;s access was revoked" in revoked.text
    assert user_by_email(session, LEE).active is False
    assert client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert client.get(SLACK_ME, headers=bot("U0LEE")).status_code == 403
    assert len(events(session, "user.revoke")) == 1

    again = signed_in.post(f"/admin/users/{lee.id}/revoke", data={"csrf_token": signed_in.token})
    assert again.status_code == 409 and "already revoked" in again.text
    relink = signed_in.post(
        f"/admin/users/{lee.id}/slack", data={"slack_user_id": "U0NEW", "csrf_token": signed_in.token}
    )
    assert relink.status_code == 409 and "cannot be linked to Slack" in relink.text
    freed = signed_in.post(f"/admin/users/{lee.id}/slack/unlink", data={"csrf_token": signed_in.token})
    assert freed.status_code == 200, "a revoked user's Slack account can be freed for someone else"
    assert len(events(session, "user.revoke")) == 1


def test_an_admin_cannot_revoke_themselves(signed_in, session, admin):
    response = signed_in.post(f"/admin/users/{admin.user_id}/revoke", data={"csrf_token": signed_in.token})
    assert response.status_code == 409
    assert "You cannot revoke your own access" in response.text
    assert user_by_email(session, admin.email).active is True


def test_a_users_form_without_its_token_or_from_elsewhere_is_refused_and_saves_nothing(
    signed_in, session, lee
):
    no_token = signed_in.post(f"/admin/users/{lee.id}/revoke")
    assert no_token.status_code == 403
    elsewhere = signed_in.post(
        f"/admin/users/{lee.id}/revoke",
        data={"csrf_token": signed_in.token},
        headers={"Origin": "https://evil.example.com"},
    )
    assert elsewhere.status_code == 403
    assert user_by_email(session, LEE).active is True
    assert events(session, "user.revoke") == []
    assert len(events(session, "access.refused")) == 2


def test_an_unknown_user_gets_a_404_page(signed_in):
    for path in ("/admin/users/999999", "/admin/users/99999999999"):
        response = signed_in.get(path)
        assert response.status_code == 404
        assert "There is no such user." in response.text
