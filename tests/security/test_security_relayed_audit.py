"""Every action the Slack bot relays is audited with how it came in, beside the person it was for.

Before, an action a board user took in Slack was logged under their email alone (the Slack id only ever
appeared inside the actor text of a refusal), so the log could not tell a relayed action from one made
with the user's own token. Now each event of a relayed request carries
``after["relayed"] == {"via": "slack", "slack_user_id": ...}``, for board users and consultants alike.
"""

from types import SimpleNamespace

import pytest
from factories import add_person, agency, case, consultant
from sqlmodel import Session, col, select

from commissioning.models import Commission, CommissionRole
from core.audit import AuditEvent
from registry.vocabulary import AgencyKind
from service.models import Role

API = "/api/v1"
ADMIN, ADA, STRANGER = "U0ADMIN", "U0ADA", "U0STRANGER"


def relayed(slack_user_id: str) -> dict[str, str]:
    return {"via": "slack", "slack_user_id": slack_user_id}


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
    return list(session.exec(query))


@pytest.fixture
def world(session: Session) -> SimpleNamespace:
    """The bot, an admin on Slack, and Ada, a consultant on Slack commissioned on one case."""
    _, bot_token = add_person(session, email="bot@board.example.org", role=Role.bot, actor="test")
    admin, admin_token = add_person(
        session, email="admin@board.example.org", role=Role.admin, actor="test", slack_user_id=ADMIN
    )
    agency(session, "hackney-csc", "Hackney CSC", kind=AgencyKind.childrens_social_care)
    ada = consultant(session, "Ada Able", slack_user_id=ADA)
    commission = Commission(
        case_id=case(session, "HK-1", agencies=("hackney-csc",)),
        consultant_id=ada,
        role=CommissionRole.lead_reviewer,
        created_by="t",
    )
    session.add(commission)
    session.commit()
    bot = {"Authorization": f"Bearer {bot_token}"}
    return SimpleNamespace(
        bot=bot,
        admin_email=admin.email,
        admin_own={"Authorization": f"Bearer {admin_token}"},
        ada=ada,
        commission=commission.id,
        for_admin={**bot, "X-Slack-User-Id": ADMIN},
        for_ada={**bot, "X-Slack-User-Id": ADA},
    )


def test_a_board_users_action_relayed_by_the_bot_says_so_and_their_own_call_does_not(client, session, world):
    body = {"name": "Joe Bloggs", "email": "joe@reviews.example.org"}
    assert client.post(f"{API}/consultants", json=body, headers=world.for_admin).status_code == 201
    body = {"name": "Kim Other", "email": "kim@reviews.example.org"}
    assert client.post(f"{API}/consultants", json=body, headers=world.admin_own).status_code == 201

    by_slack, by_token = events(session, "consultant.create")
    assert by_slack.actor == world.admin_email and by_slack.after["relayed"] == relayed(ADMIN)
    assert by_token.actor == world.admin_email and "relayed" not in by_token.after


def test_a_consultants_own_change_relayed_by_the_bot_says_so(client, session, world):
    response = client.patch(f"{API}/me/availability", json={"capacity": 3}, headers=world.for_ada)
    assert response.status_code == 200, response.text
    [event] = events(session, "consultant.availability")
    assert event.actor == "ada.able@reviews.example.org"
    assert event.after["relayed"] == relayed(ADA) and event.after["capacity"] == 3


def test_a_declaration_the_bot_relays_for_the_consultant_says_so(client, session, world):
    body = {"agencies": ["hackney-csc"], "no_conflict": True, "slack_user_id": ADA}
    response = client.post(f"{API}/commissions/{world.commission}/declaration", json=body, headers=world.bot)
    assert response.status_code == 200, response.text
    [event] = events(session, "commission.declare")
    assert event.after["relayed"] == relayed(ADA)


def test_a_refusal_of_a_relayed_request_says_how_it_came_in(client, session, world):
    assert client.get(f"{API}/consultants", headers=world.for_ada).status_code == 403
    stranger = {**world.bot, "X-Slack-User-Id": STRANGER}
    assert client.post(f"{API}/cases", json={"features": {}}, headers=stranger).status_code == 403
    consultant, unknown = events(session, "access.refused")
    assert consultant.entity_id == f"consultant:{world.ada}" and consultant.after["relayed"] == relayed(ADA)
    assert unknown.entity_id == f"slack:{STRANGER}" and unknown.after["relayed"] == relayed(STRANGER)
