"""Consultant self-service through the bot, admins confirming what consultants declare, and the audit of
every refusal."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import pytest
from factories import TODAY, case, consultant, hackney
from sqlmodel import Session, col, select

from commissioning.models import Commission
from core import audit
from core.audit import AuditEvent
from registry.models import Absence, Consultant, Engagement, Interest
from service.models import Role
from service.users import add_user

ADA, BEA = "U0ADA", "U0BEA"


@pytest.fixture
def world(session):
    hackney(session)
    case(session, "HK-1")
    return session


@pytest.fixture
def bot(session):
    """The Slack bot's service user: it names the consultant it speaks for in X-Slack-User-Id."""
    user, token = add_user(session, email="bot@board.example.org", role=Role.bot, actor="test")
    session.commit()
    return SimpleNamespace(email=user.email, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def ada(world) -> int:
    return consultant(world, "Ada Able", slack_user_id=ADA, registration_expiry=TODAY + timedelta(days=400))


@pytest.fixture
def bea(world) -> int:
    return consultant(world, "Bea Busy", slack_user_id=BEA, notes="Internal note about Bea")


def as_consultant(bot, slack_id: str) -> dict[str, str]:
    return {**bot.headers, "X-Slack-User-Id": slack_id}


def events(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id)))
    )


def shortlist_rules(client, commissioner, name: str) -> dict[str, list[tuple[str, str]]]:
    """The findings about ``name`` on HK-1's shortlist: as a candidate's warnings, or as the excluded."""
    body = client.get("/api/v1/cases/HK-1/shortlist", headers=commissioner.headers).json()
    found = {}
    for candidate in body["candidates"]:
        if candidate["name"] == name:
            found["candidate"] = [(w["rule"], w["severity"]) for w in candidate["warnings"]]
    for excluded in body["excluded"]:
        if excluded["name"] == name:
            found["excluded"] = [(f["rule"], f["severity"]) for f in excluded["findings"]]
    return found


# Seeing one's own record -----------------------------------------------------------------------


def test_a_consultant_sees_their_own_record_with_commissions_by_case_reference_only(
    client, world, bot, ada, bea, commissioner
):
    case(world, "HK-2")
    for ref, who in (("HK-1", ada), ("HK-2", bea)):
        made = client.post(
            f"/api/v1/cases/{ref}/commissions",
            headers=commissioner.headers,
            json={"consultant_id": who, "role": "lead_reviewer"},
        )
        assert made.status_code == 201
    world.add(Engagement(consultant_id=ada, agency_id="camden-csc", role_title="Manager", kind="employed"))
    world.commit()

    response = client.get("/api/v1/me", headers=as_consultant(bot, ADA))

    assert response.status_code == 200
    record = response.json()
    assert (record["id"], record["name"], record["status"]) == (ada, "Ada Able", "approved")
    dbs = TODAY - timedelta(days=365)
    assert record["checks"]["dbs_check_date"] == dbs.isoformat()
    assert (
        record["checks"]["dbs_valid_until"]
        == (dbs.replace(year=dbs.year + 3) - timedelta(days=1)).isoformat()
    )
    assert (record["capacity"], record["places_held"]) == (2, 1)
    assert [(c["case_ref"], c["status"], c["declared"]) for c in record["commissions"]] == [
        ("HK-1", "proposed", False)
    ]
    assert record["agencies"] == {"camden-csc": "Camden Children's Social Care"}
    assert "notes" not in record and "reviews" not in record
    mine = client.get("/api/v1/me/commissions", headers=as_consultant(bot, ADA)).json()
    assert [c["case_ref"] for c in mine] == ["HK-1"]


def test_an_unknown_slack_account_is_refused_with_what_to_do_and_the_refusal_is_audited(client, world, bot):
    response = client.get("/api/v1/me", headers=as_consultant(bot, "U0NOBODY"))
    assert response.status_code == 403
    assert "(U0NOBODY) is not on any consultant's record" in response.json()["detail"]
    assert "ask an admin to add your Slack member id" in response.json()["detail"]
    [refused] = events(world, "access.refused")
    assert (refused.actor, refused.entity_type, refused.entity_id) == (
        f"{bot.email} for Slack user U0NOBODY",
        "access",
        "slack:U0NOBODY",
    )
    assert refused.after["route"] == "/api/v1/me"


def test_self_service_is_only_for_the_bot_naming_a_consultant(client, world, bot, admin, ada):
    by_admin = client.get("/api/v1/me", headers=admin.headers)
    assert by_admin.status_code == 403 and "through the Slack bot" in by_admin.json()["detail"]
    unnamed = client.get("/api/v1/me", headers=bot.headers)
    assert unnamed.status_code == 403 and "X-Slack-User-Id" in unnamed.json()["detail"]
    assert client.get("/api/v1/me").status_code == 401


def test_a_consultant_cannot_open_another_consultants_record_and_the_attempt_is_audited(
    client, world, bot, ada, bea
):
    response = client.get(f"/api/v1/consultants/{bea}", headers=as_consultant(bot, ADA))

    assert response.status_code == 403
    assert "your own record ('/scr me' in Slack), and nothing else" in response.json()["detail"]
    assert "Bea" not in response.text
    [refused] = events(world, "access.refused")
    assert (refused.actor, refused.entity_id) == ("ada.able@reviews.example.org", f"consultant:{ada}")
    assert refused.after["route"] == "/api/v1/consultants/{consultant_id}"
    assert refused.after["params"] == {"consultant_id": str(bea)}
    assert refused.after["role"] == "consultant"


def test_a_chair_acting_as_an_admin_is_refused_and_audited(client, world, chair, ada):
    response = client.post(
        f"/api/v1/consultants/{ada}/suspend", headers=chair.headers, json={"reason": "Lapsed DBS"}
    )
    assert response.status_code == 403
    [refused] = events(world, "access.refused")
    assert (refused.actor, refused.entity_id, refused.after["role"]) == (
        chair.email,
        f"user:{chair.user_id}",
        "member",
    )
    assert refused.after["method"] == "POST"
    assert world.get(Consultant, ada).status == "approved"


def test_refusals_written_at_once_keep_the_audit_chain_whole(client, world, bot, ada, bea):
    def refuse(n: int) -> int:
        target = bea if n % 2 else ada
        return client.get(f"/api/v1/consultants/{target}", headers=as_consultant(bot, ADA)).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(refuse, range(24))) == {403}
    assert len(events(world, "access.refused")) == 24
    assert audit.verify(audit.history(world)) is None


# Availability ----------------------------------------------------------------------------------


def test_a_consultant_sets_capacity_and_dates_away_and_it_is_audited(client, world, bot, ada):
    away = {
        "start_date": (TODAY + timedelta(days=10)).isoformat(),
        "end_date": (TODAY + timedelta(days=20)).isoformat(),
    }
    response = client.patch(
        "/api/v1/me/availability", headers=as_consultant(bot, ADA), json={"capacity": 3, "away": [away]}
    )

    assert response.status_code == 200
    assert response.json()["capacity"] == 3
    assert [(p["start_date"], p["end_date"]) for p in response.json()["away"]] == [
        (away["start_date"], away["end_date"])
    ]
    [changed] = events(world, "consultant.availability")
    assert (changed.actor, changed.entity_type, changed.entity_id) == (
        "ada.able@reviews.example.org",
        "consultant",
        str(ada),
    )
    assert changed.before == {"capacity": 2, "away": []}
    assert changed.after["capacity"] == 3 and len(changed.after["away"]) == 1

    again = client.patch(
        "/api/v1/me/availability", headers=as_consultant(bot, ADA), json={"capacity": 3, "away": [away]}
    )
    assert again.status_code == 200 and len(events(world, "consultant.availability")) == 1
    cleared = client.patch("/api/v1/me/availability", headers=as_consultant(bot, ADA), json={"away": []})
    assert cleared.json()["away"] == [] and cleared.json()["capacity"] == 3
    assert world.exec(select(Absence)).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": 6}, "capacity"),
        ({"away": [{"start_date": "2030-02-01", "end_date": "2030-01-01"}]}, "away"),
        ({"away": [{"start_date": "2020-01-01", "end_date": "2020-01-31"}]}, "away"),
    ],
)
def test_bad_availability_is_refused_naming_the_field_and_nothing_changes(
    client, world, bot, ada, body, field
):
    response = client.patch("/api/v1/me/availability", headers=as_consultant(bot, ADA), json=body)
    assert response.status_code == 422
    assert field in {str(part) for problem in response.json()["problems"] for part in problem["loc"]}
    world.expire_all()
    assert world.get(Consultant, ada).capacity == 2 and world.exec(select(Absence)).all() == []
    assert events(world, "consultant.availability") == []


def test_away_today_excludes_from_the_shortlist_and_commissioning_and_away_later_warns(
    client, world, bot, ada, commissioner
):
    bea = consultant(world, "Bea Later", slack_user_id=BEA)
    soon = {"start_date": TODAY.isoformat(), "end_date": (TODAY + timedelta(days=14)).isoformat()}
    later = {
        "start_date": (TODAY + timedelta(days=30)).isoformat(),
        "end_date": (TODAY + timedelta(days=44)).isoformat(),
    }
    client.patch("/api/v1/me/availability", headers=as_consultant(bot, ADA), json={"away": [soon]})
    client.patch("/api/v1/me/availability", headers=as_consultant(bot, BEA), json={"away": [later]})

    assert shortlist_rules(client, commissioner, "Ada Able") == {"excluded": [("capacity.away", "block")]}
    assert shortlist_rules(client, commissioner, "Bea Later") == {
        "candidate": [("capacity.away_during_review", "warn")]
    }
    refused = client.post(
        "/api/v1/cases/HK-1/commissions",
        headers=commissioner.headers,
        json={"consultant_id": ada, "role": "lead_reviewer"},
    )
    assert refused.status_code == 409 and "is away from" in refused.json()["detail"]
    assert world.exec(select(Commission)).all() == []
    assert bea


def test_an_admin_sets_a_consultants_availability_for_them(client, world, admin, ada):
    response = client.patch(
        f"/api/v1/consultants/{ada}/availability", headers=admin.headers, json={"capacity": 1}
    )
    assert response.status_code == 200 and response.json() == {"capacity": 1, "away": []}
    [changed] = events(world, "consultant.availability")
    assert changed.actor == admin.email
    detail = client.get(f"/api/v1/consultants/{ada}", headers=admin.headers).json()
    assert detail["capacity"] == 1 and detail["away"] == []


# Declarations and their confirmation -----------------------------------------------------------


def test_a_declared_interest_warns_until_an_admin_confirms_it_and_then_blocks(
    client, world, bot, ada, admin, commissioner
):
    declared = client.post(
        "/api/v1/me/interests",
        headers=as_consultant(bot, ADA),
        json={"text": "My sister is the family's health visitor", "case_ref": "hk-1"},
    )
    assert declared.status_code == 201
    interest = declared.json()
    assert (interest["case_ref"], interest["confirmed"], interest["declared_on"]) == (
        "HK-1",
        False,
        TODAY.isoformat(),
    )
    assert shortlist_rules(client, commissioner, "Ada Able") == {
        "candidate": [("independence.interest_in_case", "warn")]
    }
    pending = client.get("/api/v1/declarations/pending", headers=admin.headers).json()
    assert [(p["kind"], p["consultant_name"], p["record"]["id"]) for p in pending] == [
        ("interest", "Ada Able", interest["id"])
    ]

    url = f"/api/v1/consultants/{ada}/interests/{interest['id']}/confirm"
    confirmed = client.post(url, headers=admin.headers)

    assert confirmed.status_code == 200 and confirmed.json()["confirmed"] is True
    assert shortlist_rules(client, commissioner, "Ada Able") == {
        "excluded": [("independence.interest_in_case", "block")]
    }
    assert client.post(url, headers=admin.headers).status_code == 200
    [event] = events(world, "interest.confirm")
    assert (event.actor, event.before["confirmed"], event.after["confirmed"]) == (admin.email, False, True)
    assert client.get("/api/v1/declarations/pending", headers=admin.headers).json() == []


def test_a_declared_engagement_is_rejected_with_a_reason_and_only_an_admin_may_do_it(
    client, world, bot, ada, admin, chair
):
    declared = client.post(
        "/api/v1/me/engagements",
        headers=as_consultant(bot, ADA),
        json={
            "agency_id": "Hackney CSC",
            "kind": "contracted",
            "role_title": "Trainer",
            "start_date": "2024-01-01",
        },
    )
    assert declared.status_code == 201
    engagement = declared.json()
    assert (engagement["agency_id"], engagement["confirmed"]) == ("hackney-csc", False)
    [added] = events(world, "engagement.add")
    assert added.actor == "ada.able@reviews.example.org"
    url = f"/api/v1/consultants/{ada}/engagements/{engagement['id']}"

    by_chair = client.post(f"{url}/reject", headers=chair.headers, json={"reason": "Not a tie"})
    assert by_chair.status_code == 403
    assert [e.actor for e in events(world, "access.refused")] == [chair.email]

    rejected = client.post(
        f"{url}/reject", headers=admin.headers, json={"reason": "Training, not a contract"}
    )
    assert rejected.status_code == 204
    assert world.get(Engagement, engagement["id"]) is None
    [event] = events(world, "engagement.reject")
    assert event.before["role_title"] == "Trainer" and event.after == {"reason": "Training, not a contract"}
    assert client.post(f"{url}/confirm", headers=admin.headers).status_code == 404


def test_a_confirmed_declaration_cannot_be_rejected(client, world, bot, ada, admin):
    made = client.post(
        "/api/v1/me/engagements",
        headers=as_consultant(bot, ADA),
        json={"agency_id": "homerton", "kind": "employed", "role_title": "Named nurse"},
    ).json()
    url = f"/api/v1/consultants/{ada}/engagements/{made['id']}"
    assert client.post(f"{url}/confirm", headers=admin.headers).status_code == 200
    response = client.post(f"{url}/reject", headers=admin.headers, json={"reason": "Changed my mind"})
    assert response.status_code == 409 and "is confirmed" in response.json()["detail"]


def test_a_declaration_is_confirmed_only_on_the_consultant_it_belongs_to(client, world, bot, ada, bea, admin):
    made = client.post(
        "/api/v1/me/interests", headers=as_consultant(bot, ADA), json={"text": "Trustee of a local charity"}
    ).json()
    response = client.post(f"/api/v1/consultants/{bea}/interests/{made['id']}/confirm", headers=admin.headers)
    assert response.status_code == 404
    assert world.get(Interest, made["id"]).confirmed is False


def test_a_declaration_naming_an_unknown_agency_or_a_bad_reference_is_refused(client, world, bot, ada):
    unknown = client.post(
        "/api/v1/me/interests",
        headers=as_consultant(bot, ADA),
        json={"text": "Knew them", "agency_id": "Nowhere"},
    )
    assert unknown.status_code == 422 and unknown.json()["problems"][0]["loc"] == ["body", "agency_id"]
    bad_ref = client.post(
        "/api/v1/me/interests",
        headers=as_consultant(bot, ADA),
        json={"text": "Knew them", "case_ref": "HK 1"},
    )
    assert bad_ref.status_code == 422
    assert world.exec(select(Interest)).all() == []


def test_the_agency_picker_lists_agencies_by_name(client, world, bot, ada):
    found = client.get("/api/v1/me/agencies", headers=as_consultant(bot, ADA), params={"q": "hackney"}).json()
    assert {a["id"] for a in found} == {"hackney-csc", "chscp"}
