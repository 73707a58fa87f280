"""A Slack member id means someone only in its own workspace.

Before, the service knew people by member id alone: when partnerships use their own Slack workspaces,
the same id in another workspace (another person) would have acted as whoever was linked here. Now every
link is keyed by workspace and member id, the bot names the workspace of every request
(``X-Slack-Team-Id``), and someone linked in one workspace is unknown in another.
"""

import pytest
from alembic import command
from factories import home_partnership, other_partnership
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from typer.testing import CliRunner

from core.audit import AuditEvent
from service import slack_partnerships
from service.cli import app as cli
from service.migrate import alembic_config, upgrade
from service.models import Role, SlackIdentity, User
from service.users import add_user

API = "/api/v1"
OWN, OTHER, THIRD = "T0OWN", "T0OTHER", "T0THIRD"
SAME = "U0SAME"


def _bot_and_home_chair(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The bot (its token's header) and SAME, a chair of the home partnership in the own workspace."""
    _, token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    add_user(
        session,
        email="chair@board.example.org",
        role=Role.chair,
        actor="test",
        slack_user_id=SAME,
        partnership=home_partnership(session).prefix,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def two_workspaces(session, environment):  # type: ignore[no-untyped-def]
    """A deployment whose own workspace is OWN; SAME is a chair there (of the home partnership) and, in
    OTHER, a commissioner of another partnership."""
    environment(SCR_SLACK_TEAM_ID=OWN)
    bot = _bot_and_home_chair(session)
    add_user(
        session,
        email="commissioner@other.example.org",
        role=Role.commissioner,
        actor="test",
        slack_user_id=SAME,
        slack_team=OTHER,
        partnership=other_partnership(session).prefix,
    )
    # the other workspace serves the other partnership (an unmapped workspace serves none)
    slack_partnerships.set_served(
        session,
        team=slack_partnerships.team_key(OTHER),
        prefixes=[other_partnership(session).prefix],
        actor="test",
    )
    session.commit()
    return bot


def relayed(bot: dict[str, str], member: str, team: str | None) -> dict[str, str]:
    return {**bot, "X-Slack-User-Id": member, **({"X-Slack-Team-Id": team} if team else {})}


def test_the_same_member_id_in_two_workspaces_is_two_people(client, two_workspaces):
    bot = two_workspaces
    here = client.get(f"{API}/slack/me", headers=relayed(bot, SAME, OWN))
    there = client.get(f"{API}/slack/me", headers=relayed(bot, SAME, OTHER))
    assert (here.json()["role"], here.json()["slack_team_id"]) == ("chair", None)
    assert (there.json()["role"], there.json()["slack_team_id"]) == ("commissioner", OTHER)
    unlinked = client.get(f"{API}/slack/me", headers=relayed(bot, SAME, THIRD))
    assert unlinked.status_code == 403 and "not linked" in unlinked.json()["detail"]
    # A bot that names no workspace (one from before workspaces) acts in the own one.
    assert client.get(f"{API}/slack/me", headers=relayed(bot, SAME, None)).json()["role"] == "chair"


def test_a_consultant_linked_in_one_workspace_is_unknown_in_another(client, session, two_workspaces, admin):
    body = {
        "name": "Ada Able",
        "email": "ada@reviews.example.org",
        "slack_user_id": "U0ADA",
        "slack_team_id": OTHER,
    }
    made = client.post(f"{API}/consultants", json=body, headers=admin.headers)
    assert made.status_code == 201 and made.json()["slack_team_id"] == OTHER

    mine = client.get(f"{API}/me", headers=relayed(two_workspaces, "U0ADA", OTHER))
    assert mine.status_code == 200 and mine.json()["name"] == "Ada Able"
    assert client.get(f"{API}/me", headers=relayed(two_workspaces, "U0ADA", OWN)).status_code == 403

    changed = client.patch(
        f"{API}/me/availability", json={"capacity": 3}, headers=relayed(two_workspaces, "U0ADA", OTHER)
    )
    assert changed.status_code == 200
    session.expire_all()
    [event] = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.availability")).all()
    assert event.after["relayed"] == {"via": "slack", "slack_user_id": "U0ADA", "slack_team_id": OTHER}


def test_an_account_is_refused_only_to_a_second_holder_in_the_same_workspace(client, two_workspaces, admin):
    def add(name: str, team: str | None):  # type: ignore[no-untyped-def]
        body = {"name": name, "email": f"{name.lower()}@reviews.example.org", "slack_user_id": SAME}
        return client.post(f"{API}/consultants", json={**body, "slack_team_id": team}, headers=admin.headers)

    here = add("Here", None)
    assert here.status_code == 409 and "the board user chair@board.example.org" in here.json()["detail"]
    named_own = add("Named", OWN)  # the own workspace by its id is the same workspace
    assert named_own.status_code == 409 and "chair@board.example.org" in named_own.json()["detail"]
    there = add("There", OTHER)
    assert there.status_code == 409 and "commissioner@other.example.org" in there.json()["detail"]
    third = add("Third", THIRD)
    assert third.status_code == 201 and third.json()["slack_team_id"] == THIRD


def test_a_workspace_alone_links_no_one(client, two_workspaces, admin):
    body = {"name": "Ada Able", "email": "ada@reviews.example.org", "slack_team_id": OTHER}
    refused = client.post(f"{API}/consultants", json=body, headers=admin.headers)
    assert refused.status_code == 422 and "slack_team_id" in refused.text


def test_changing_a_consultants_member_id_keeps_their_workspace_unless_one_is_named(
    client, two_workspaces, admin
):
    body = {
        "name": "Ada Able",
        "email": "ada@reviews.example.org",
        "slack_user_id": "U0ADA",
        "slack_team_id": THIRD,
    }
    ada = client.post(f"{API}/consultants", json=body, headers=admin.headers).json()["id"]
    kept = client.patch(f"{API}/consultants/{ada}", json={"slack_user_id": "U0ADA2"}, headers=admin.headers)
    assert (kept.json()["slack_user_id"], kept.json()["slack_team_id"]) == ("U0ADA2", THIRD)
    moved = client.patch(
        f"{API}/consultants/{ada}",
        json={"slack_user_id": "U0ADA2", "slack_team_id": OWN},
        headers=admin.headers,
    )
    assert (moved.json()["slack_user_id"], moved.json()["slack_team_id"]) == ("U0ADA2", None)


def test_with_one_workspace_and_no_team_setting_every_workspace_is_the_own_one(client, session, environment):
    environment(SCR_SLACK_TEAM_ID="")
    bot = _bot_and_home_chair(session)
    session.commit()
    assert client.get(f"{API}/slack/me", headers=relayed(bot, SAME, "T0WHICHEVER")).json()["role"] == "chair"


def test_the_database_keys_an_account_by_workspace_and_member(session):
    home = home_partnership(session).prefix

    def chair_of_home(email: str):  # type: ignore[no-untyped-def]
        return add_user(session, email=email, role=Role.chair, actor="test", partnership=home)[0]

    chair, other = chair_of_home("chair@board.example.org"), chair_of_home("other@board.example.org")
    session.add(SlackIdentity(team_id=OTHER, slack_user_id=SAME, user_id=chair.id))
    session.commit()
    session.add(SlackIdentity(team_id=THIRD, slack_user_id=SAME, user_id=other.id))
    session.commit()  # the same member id in another workspace: another person
    third = chair_of_home("third@board.example.org")
    session.add(SlackIdentity(team_id=OTHER, slack_user_id=SAME, user_id=third.id))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_scr_user_add_links_in_the_workspace_named(session, environment):
    environment(SCR_SLACK_TEAM_ID=OWN)
    home = home_partnership(session).prefix
    session.commit()
    runner = CliRunner()
    alone = runner.invoke(
        cli,
        [
            "user",
            "add",
            "a@board.example.org",
            "--role",
            "chair",
            "--partnership",
            home,
            "--slack-team-id",
            OTHER,
        ],
    )
    assert alone.exit_code == 2 and "give both" in alone.output
    added = runner.invoke(
        cli,
        [
            "user",
            "add",
            "b@board.example.org",
            "--role",
            "chair",
            "--partnership",
            home,
            "--slack-user-id",
            SAME,
            "--slack-team-id",
            OTHER,
        ],
    )
    assert added.exit_code == 0, added.output
    session.expire_all()
    user = session.exec(select(User).where(User.email == "b@board.example.org")).one()
    assert (user.slack_user_id, user.slack_team_id) == (SAME, OTHER)


def test_the_migration_puts_existing_links_in_the_own_workspace_and_downgrades_only_without_others(
    scratch_url,
):
    upgrade(scratch_url, "0010")
    engine = create_engine(scratch_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO app_user (id, email, role, active, created_at) VALUES "
                "(1, 'chair@board.example.org', 'chair', true, CURRENT_TIMESTAMP), "
                "(2, 'other@board.example.org', 'chair', true, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(text("INSERT INTO slack_identity (slack_user_id, user_id) VALUES ('U0SAME', 1)"))

    upgrade(scratch_url, "0013")
    with engine.begin() as connection:
        rows = connection.execute(text("SELECT team_id, slack_user_id, user_id FROM slack_identity")).all()
        assert [tuple(row) for row in rows] == [("own", "U0SAME", 1)]
        connection.execute(
            text(
                "INSERT INTO slack_identity (team_id, slack_user_id, user_id) VALUES ('T0OTHER', 'U0SAME', 2)"
            )
        )

    with pytest.raises(RuntimeError, match="1 Slack account\\(s\\) are linked in a workspace other than"):
        command.downgrade(alembic_config(scratch_url), "0010")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM slack_identity WHERE team_id <> 'own'"))
    command.downgrade(alembic_config(scratch_url), "0010")
    with engine.begin() as connection:
        assert connection.execute(text("SELECT slack_user_id, user_id FROM slack_identity")).all() == [
            ("U0SAME", 1)
        ]
        with pytest.raises(IntegrityError):  # the member id alone is unique again
            connection.execute(
                text("INSERT INTO slack_identity (slack_user_id, user_id) VALUES ('U0SAME', 2)")
            )
    engine.dispose()
