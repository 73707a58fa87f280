"""The consultant search box, the card, the checks falling due and reminders, over HTTP."""

from datetime import date, timedelta

import pytest
from factories import TODAY, agency, case, commission, consultant, engagement, interest, rating
from sqlmodel import select

from commissioning.models import CommissionStatus
from core.audit import AuditEvent
from registry import expiry
from registry.consultants import checks_falling_due, list_consultants
from registry.lifecycle import add_years
from registry.vocabulary import ConsultantStatus, EngagementKind

API = "/api/v1"


@pytest.fixture
def world(session):
    agency(session, "camden-csc", "Camden Children's Social Care", area="camden")
    ada = consultant(
        session,
        "Ada Reviewer",
        specialisms=["domestic_abuse"],
        areas=["hackney"],
        slack_user_id="U0ADA",
        dbs_check_date=add_years(TODAY, -3) + timedelta(days=10),
    )
    consultant(session, "Bea Reviewer", specialisms=["neglect"], areas=["Camden"])
    consultant(session, "Cy Sexton", specialisms=["sexual_abuse"], areas=["islington"])
    engagement(session, ada, "camden-csc", EngagementKind.contracted, start_date=TODAY - timedelta(days=100))
    engagement(session, ada, "camden-csc", EngagementKind.employed, end_date=TODAY - timedelta(days=400))
    interest(session, ada, agency_id="camden-csc")
    rating(session, ada, 3)
    case_id = case(session, "HK-1", agencies=("camden-csc",))
    commission(session, case_id, ada, status=CommissionStatus.confirmed)
    return {"ada": ada}


def names(client, persona, q):
    response = client.get(f"{API}/consultants/search", params={"q": q}, headers=persona.headers)
    assert response.status_code == 200, response.text
    return [item["name"] for item in response.json()["items"]]


def test_one_search_box_finds_by_name_specialism_or_area(client, world, commissioner):
    assert names(client, commissioner, "reviewer") == ["Ada Reviewer", "Bea Reviewer"]
    assert names(client, commissioner, "Domestic abuse") == ["Ada Reviewer"]
    assert names(client, commissioner, "abuse") == ["Ada Reviewer", "Cy Sexton"]
    assert names(client, commissioner, "camden") == ["Bea Reviewer"]
    assert names(client, commissioner, "nobody") == []


def test_the_search_pages(client, world, admin):
    params = {"q": "e", "limit": 2, "offset": 2}
    page = client.get(f"{API}/consultants/search", params=params, headers=admin.headers).json()
    assert (page["total"], [c["name"] for c in page["items"]]) == (3, ["Cy Sexton"])


def test_chairs_may_not_search_or_open_cards(client, world, chair):
    search = client.get(f"{API}/consultants/search", params={"q": "ada"}, headers=chair.headers)
    card = client.get(f"{API}/consultants/{world['ada']}/card", headers=chair.headers)
    assert search.status_code == card.status_code == 403
    assert "commissioner or admin" in search.json()["detail"]


def test_the_card_shows_places_held_each_check_and_the_actions_open(client, world, commissioner):
    card = client.get(f"{API}/consultants/{world['ada']}/card", headers=commissioner.headers).json()
    assert card["places_held"] == 1 and card["consultant"]["capacity"] == 2
    checks = {c["check"]: c for c in card["checks"]}
    assert checks["dbs"]["state"] == "due_soon"
    assert checks["dbs"]["due"] == (TODAY + timedelta(days=10)).isoformat()
    assert (checks["insurance"]["state"], checks["registration"]["state"]) == ("current", "not_held")
    assert card["allowed_actions"] == ["approve", "suspend", "remove"]
    assert card["agency_names"] == {"camden-csc": "Camden Children's Social Care"}
    assert len(card["consultant"]["engagements"]) == 2 and card["consultant"]["reviews"][0]["rating"] == 3


def test_an_unknown_consultant_has_no_card(client, world, admin):
    assert client.get(f"{API}/consultants/999/card", headers=admin.headers).status_code == 404


def test_the_checks_falling_due_are_for_the_bot_one_item_per_check(client, session, world, admin):
    from service.auth import hash_token
    from service.models import Role, User

    session.add(User(email="bot@board.example.org", role=Role.bot, token_hash=hash_token("bot-token")))
    session.commit()
    consultant(session, "Dee Lapsed", insurance_expiry=None, registration_expiry=TODAY + timedelta(days=5))
    consultant(session, "Eve Suspended", status=ConsultantStatus.suspended, insurance_expiry=None)
    bot = {"Authorization": "Bearer bot-token"}
    assert client.get(f"{API}/slack/checks-due", headers=admin.headers).status_code == 403
    listed = client.get(f"{API}/slack/checks-due", params={"within_days": 30}, headers=bot).json()
    assert sorted((i["name"], i["check"], i["state"]) for i in listed) == [
        ("Ada Reviewer", "dbs", "due_soon"),
        ("Dee Lapsed", "insurance", "missing"),
        ("Dee Lapsed", "registration", "due_soon"),
    ]
    assert next(i for i in listed if i["name"] == "Ada Reviewer")["slack_user_id"] == "U0ADA"
    assert client.get(f"{API}/slack/checks-due", params={"within_days": 5}, headers=bot).json()[0][
        "name"
    ] == ("Dee Lapsed")


def test_a_reminder_is_recorded_for_admins_and_needs_a_slack_account(
    client, session, world, admin, commissioner
):
    url = f"{API}/consultants/{world['ada']}/reminders"
    assert client.post(url, json={"check": "dbs"}, headers=commissioner.headers).status_code == 403
    made = client.post(url, json={"check": "dbs"}, headers=admin.headers)
    assert made.status_code == 200, made.text
    assert made.json()["slack_user_id"] == "U0ADA" and made.json()["check"]["label"] == "DBS check"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.remind")).one()
    assert (event.actor, event.entity_id, event.after["check"]) == (admin.email, str(world["ada"]), "dbs")
    bea = list_consultants(session=session, q="bea").items[0].id
    refused = client.post(
        f"{API}/consultants/{bea}/reminders", json={"check": "insurance"}, headers=admin.headers
    )
    assert refused.status_code == 409 and "no Slack account" in refused.json()["detail"]
    assert client.post(url, json={"check": "passport"}, headers=admin.headers).status_code == 422


DAYS = (None, -1, 0, 1, 29, 30, 31, 400)


def _day(offset: int | None, base: date) -> date | None:
    return None if offset is None else base + timedelta(days=offset)


@pytest.mark.parametrize("dbs", DAYS)
@pytest.mark.parametrize("other", DAYS)
def test_the_checks_named_as_falling_due_are_exactly_the_dashboards(session, dbs, other):
    """Every consultant the SQL filter lists has a check the pure rule names, and no one else does."""
    today = date(2028, 2, 29) if dbs == 0 else TODAY
    fields = {
        "dbs_check_date": _day(dbs, add_years(today, -3)),
        "insurance_expiry": _day(other, today),
        "registration_expiry": _day(other, today),
        "reapproval_due": _day(other, today),
    }
    consultant(session, "Someone", **fields)
    listed = list_consultants(session=session, expiring_within_days=30, dbs_recheck_years=3, today=today)
    [record] = list_consultants(session=session).items
    named = expiry.falling_due(record, today=today, within_days=30, dbs_recheck_years=3)
    assert bool(listed.total) == bool(named)
    due = checks_falling_due(session=session, today=today, within_days=30, dbs_recheck_years=3)
    assert [status for _, status in due] == named
