"""The approved list through HTTP: agencies, consultants, their records, status actions and audit."""

from datetime import date, timedelta

import factories
import pytest
from sqlalchemy import func
from sqlmodel import select

from core import clock
from core.audit import AuditEvent
from registry.agencies import resolve_agency
from registry.consultants import change_status
from registry.lifecycle import add_years
from registry.models import Consultant
from registry.records import engagements_since
from registry.vocabulary import EngagementKind

API = "/api/v1"
TODAY = clock.today()


def add_agency(client, admin, **fields):
    body = {
        "id": "hackney-csc",
        "name": "Hackney Children and Families Service",
        "kind": "childrens_social_care",
    }
    body |= {"area": "Hackney", "aliases": ["Hackney Council", "London Borough of Hackney"]} | fields
    response = client.post(f"{API}/agencies", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


# This module's consultant, Ada Quill, with a full record so that every listing filter finds something.
ADA_QUILL = {
    "name": "Ada Quill",
    "email": "ada.quill@reviews.example.org",  # named, so a test changing the name changes only the name
    "backgrounds": ["social_work"],
    "specialisms": ["neglect", "domestic_abuse"],
    "languages": ["English", "Turkish"],
    "areas": ["Hackney", "Islington"],
    "day_rate": 600,
}


def consultant_body(**fields):
    return factories.consultant_body(**ADA_QUILL | fields)


def add_consultant(client, admin, **fields):
    """Ada Quill (changed as the test needs) added through the API: an applicant."""
    return factories.post_consultant(client, admin.headers, approve=False, **ADA_QUILL | fields)


def act(client, admin, consultant_id, action, reason="Agreed by the review group."):
    return client.post(
        f"{API}/consultants/{consultant_id}/{action}", json={"reason": reason}, headers=admin.headers
    )


def audit_count(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def history(client, admin, entity_type, entity_id):
    response = client.get(
        f"{API}/audit",
        params={"entity_type": entity_type, "entity_id": str(entity_id)},
        headers=admin.headers,
    )
    return response.json()


def problem_fields(response) -> set[str]:
    assert response.status_code == 422, response.text
    return {".".join(str(part) for part in problem["loc"][1:]) for problem in response.json()["problems"]}


# Who may do what ----------------------------------------------------------------------------------


def test_reading_the_list_needs_a_token(client):
    response = client.get(f"{API}/consultants")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["detail"]


@pytest.mark.parametrize("persona", ["chair", "commissioner"])
def test_every_role_may_read_but_only_list_admins_may_write_or_export(client, request, admin, persona):
    reader = request.getfixturevalue(persona)
    consultant = add_consultant(client, admin)
    add_agency(client, admin)
    assert client.get(f"{API}/consultants", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/consultants/{consultant['id']}", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/agencies", headers=reader.headers).status_code == 200
    assert client.get(f"{API}/consultants/export", headers=reader.headers).status_code == 403
    refused = [
        client.post(
            f"{API}/consultants", json=consultant_body(email="b@x.example.org"), headers=reader.headers
        ),
        client.patch(f"{API}/consultants/{consultant['id']}", json={"capacity": 3}, headers=reader.headers),
        act(client, reader, consultant["id"], "approve"),
        client.post(
            f"{API}/agencies",
            json={"id": "x-y", "name": "X", "kind": "other", "area": "X"},
            headers=reader.headers,
        ),
        client.delete(f"{API}/agencies/hackney-csc", headers=reader.headers),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert refused[0].json()["detail"] == (
        "This needs a list admin: they keep the approved list and the agencies. "
        f"You are signed in as {persona} of Hackney test partnership."
    )


# Agencies -----------------------------------------------------------------------------------------


def test_an_agency_is_created_listed_read_and_found_by_any_alias(client, session, admin, chair):
    created = add_agency(client, admin)
    assert created["aliases"] == ["hackney council", "london borough of hackney"]
    add_agency(
        client,
        admin,
        id="met-central-east",
        name="Metropolitan Police, Central East BCU",
        kind="police",
        aliases=[],
    )
    listed = client.get(f"{API}/agencies", params={"kind": "police"}, headers=chair.headers).json()
    assert [agency["id"] for agency in listed] == ["met-central-east"]
    by_area = client.get(
        f"{API}/agencies", params={"area": "hackney", "q": "children"}, headers=chair.headers
    )
    assert [agency["id"] for agency in by_area.json()] == ["hackney-csc"]
    assert client.get(f"{API}/agencies/hackney-csc", headers=chair.headers).json() == created
    for name in (
        "Hackney Council",
        "  london BOROUGH of hackney ",
        "hackney-csc",
        "Hackney Children and Families Service",
    ):
        assert resolve_agency(session=session, name=name).id == "hackney-csc"
    assert resolve_agency(session=session, name="Islington Council") is None


def test_an_agency_name_or_alias_can_mean_only_one_agency(client, admin):
    add_agency(client, admin)
    clash = {"id": "lbh", "name": "LBH", "kind": "other", "area": "Hackney", "aliases": ["HACKNEY COUNCIL"]}
    response = client.post(f"{API}/agencies", json=clash, headers=admin.headers)
    assert response.status_code == 409
    assert response.json()["findings"] == [
        {
            "name": "hackney council",
            "agency_id": "hackney-csc",
            "agency_name": "Hackney Children and Families Service",
        }
    ]
    same_id = client.post(
        f"{API}/agencies", json={**clash, "id": "hackney-csc", "aliases": []}, headers=admin.headers
    )
    assert same_id.status_code == 409


def test_a_bad_agency_is_refused_naming_each_field(client, admin):
    response = client.post(
        f"{API}/agencies",
        json={"id": "Not A Slug", "name": "", "kind": "church", "area": "Hackney"},
        headers=admin.headers,
    )
    assert problem_fields(response) == {"id", "name", "kind"}


def test_an_agency_is_renamed_and_its_aliases_replaced_with_an_audit_event(client, admin):
    add_agency(client, admin)
    response = client.patch(
        f"{API}/agencies/hackney-csc",
        json={"name": "Hackney Children's Services", "aliases": ["LBH"]},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["lbh"]
    events = history(client, admin, "agency", "hackney-csc")
    assert [event["action"] for event in events] == ["agency.create", "agency.update"]
    assert events[1]["before"]["name"] == "Hackney Children and Families Service"
    assert events[1]["after"]["name"] == "Hackney Children's Services"
    null_name = client.patch(f"{API}/agencies/hackney-csc", json={"name": None}, headers=admin.headers)
    assert problem_fields(null_name) == {"name"}


def test_an_unused_agency_is_deleted_but_one_in_someone_s_history_is_kept(client, admin):
    add_agency(client, admin)
    add_agency(
        client,
        admin,
        id="camden-csc",
        name="Camden Children's Services",
        area="Camden",
        aliases=["Camden Council"],
    )
    consultant = add_consultant(client, admin)
    engagement = {"agency_id": "hackney-csc", "role_title": "Team manager", "kind": "employed"}
    client.post(f"{API}/consultants/{consultant['id']}/engagements", json=engagement, headers=admin.headers)
    assert client.delete(f"{API}/agencies/camden-csc", headers=admin.headers).status_code == 204
    assert client.get(f"{API}/agencies/camden-csc", headers=admin.headers).status_code == 404
    kept = client.delete(f"{API}/agencies/hackney-csc", headers=admin.headers)
    assert kept.status_code == 409
    assert "named in 1 engagements" in kept.json()["detail"]
    assert client.get(f"{API}/agencies/hackney-csc", headers=admin.headers).status_code == 200


# Consultants --------------------------------------------------------------------------------------


def test_a_consultant_is_added_as_an_applicant_and_read_back_with_their_records(client, admin, commissioner):
    created = add_consultant(
        client, admin, email="Ada.Quill@Reviews.Example.org", languages=[" Turkish ", "Turkish"]
    )
    assert created["status"] == "applied"
    assert created["email"] == "ada.quill@reviews.example.org"
    assert created["languages"] == ["Turkish"]
    detail = client.get(f"{API}/consultants/{created['id']}", headers=commissioner.headers).json()
    assert detail | {"engagements": [], "interests": [], "accreditations": [], "reviews": []} == detail
    assert detail["specialisms"] == ["neglect", "domestic_abuse"]


def test_the_same_email_twice_is_a_conflict_whatever_its_case(client, session, admin):
    first = add_consultant(client, admin)
    before = audit_count(session)
    again = client.post(
        f"{API}/consultants",
        json=consultant_body(email="ADA.QUILL@reviews.example.org"),
        headers=admin.headers,
    )
    assert again.status_code == 409
    assert "already exists" in again.json()["detail"]
    other = add_consultant(client, admin, email="ben@reviews.example.org")
    taken = client.patch(
        f"{API}/consultants/{other['id']}", json={"email": first["email"]}, headers=admin.headers
    )
    assert taken.status_code == 409
    assert audit_count(session) == before + 1  # only Ben's creation


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"dbs_check_date": "31/02/2024"}, "dbs_check_date"),
        ({"insurance_expiry": "next year"}, "insurance_expiry"),
        ({"specialisms": ["neglect", "witchcraft"]}, "specialisms.1"),
        ({"backgrounds": ["astrology"]}, "backgrounds.0"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 6}, "capacity"),
        ({"day_rate": -50}, "day_rate"),
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"areas": ["Hackney; Islington"]}, "areas"),
        ({"slack_user_id": "bob"}, "slack_user_id"),
    ],
)
def test_bad_consultant_input_is_refused_naming_the_field(client, session, admin, fields, field):
    before = audit_count(session)
    response = client.post(f"{API}/consultants", json=consultant_body(**fields), headers=admin.headers)
    assert problem_fields(response) == {field}
    assert field.split(".")[0] in response.json()["detail"]
    assert audit_count(session) == before
    assert session.exec(select(func.count()).select_from(Consultant)).one() == 0


def test_a_patch_changes_only_the_fields_sent_and_records_before_and_after(client, admin):
    consultant = add_consultant(client, admin)
    response = client.patch(
        f"{API}/consultants/{consultant['id']}",
        json={"capacity": 3, "phone": "020 7946 0101"},
        headers=admin.headers,
    )
    assert response.status_code == 200
    assert response.json() == consultant | {"capacity": 3, "phone": "020 7946 0101"}
    update = history(client, admin, "consultant", consultant["id"])[-1]
    assert update["action"] == "consultant.update"
    assert (update["before"]["capacity"], update["after"]["capacity"]) == (2, 3)


def test_a_patch_may_clear_optional_fields_but_not_required_ones(client, admin):
    consultant = add_consultant(client, admin, phone="020 7946 0101")
    cleared = client.patch(
        f"{API}/consultants/{consultant['id']}", json={"phone": None}, headers=admin.headers
    )
    assert cleared.json()["phone"] is None
    refused = client.patch(
        f"{API}/consultants/{consultant['id']}", json={"name": None, "capacity": None}, headers=admin.headers
    )
    assert problem_fields(refused) == {"name", "capacity"}


def test_an_unknown_consultant_is_404(client, admin):
    assert client.get(f"{API}/consultants/999", headers=admin.headers).status_code == 404
    assert (
        client.patch(f"{API}/consultants/999", json={"capacity": 1}, headers=admin.headers).status_code == 404
    )
    assert act(client, admin, 999, "approve").status_code == 404


def test_an_applicant_can_be_deleted_but_anyone_once_approved_is_removed_instead(client, admin):
    applicant = add_consultant(client, admin)
    add_agency(client, admin)
    engagement = {"agency_id": "hackney-csc", "role_title": "Team manager", "kind": "employed"}
    client.post(f"{API}/consultants/{applicant['id']}/engagements", json=engagement, headers=admin.headers)
    assert client.delete(f"{API}/consultants/{applicant['id']}", headers=admin.headers).status_code == 204
    assert client.get(f"{API}/consultants/{applicant['id']}", headers=admin.headers).status_code == 404
    assert (
        history(client, admin, "consultant", applicant["id"])[-1]["before"]["engagements"][0]["kind"]
        == "employed"
    )
    approved = add_consultant(client, admin, email="ben@reviews.example.org")
    act(client, admin, approved["id"], "approve")
    refused = client.delete(f"{API}/consultants/{approved['id']}", headers=admin.headers)
    assert refused.status_code == 409
    assert f"/consultants/{approved['id']}/remove" in refused.json()["detail"]


# Status actions -----------------------------------------------------------------------------------

ALLOWED = {
    "applied": {"approve", "remove"},
    "approved": {"approve", "suspend", "remove"},
    "suspended": {"remove", "reinstate"},
    "removed": {"reinstate"},
}
ROUTE_TO = {
    "applied": [],
    "approved": ["approve"],
    "suspended": ["approve", "suspend"],
    "removed": ["remove"],
}
RESULT = {"approve": "approved", "suspend": "suspended", "remove": "removed", "reinstate": "approved"}


@pytest.mark.parametrize("status", list(ALLOWED))
@pytest.mark.parametrize("action", ["approve", "suspend", "remove", "reinstate"])
def test_every_status_action_is_allowed_or_refused_naming_the_allowed_ones(
    client, session, admin, status, action
):
    consultant = add_consultant(client, admin)
    for step in ROUTE_TO[status]:
        assert act(client, admin, consultant["id"], step).status_code == 200
    before = audit_count(session)
    response = act(client, admin, consultant["id"], action, reason="Decided at the May review group.")
    if action in ALLOWED[status]:
        assert response.status_code == 200, response.text
        assert response.json()["status"] == RESULT[action]
        assert response.json()["status_reason"] == "Decided at the May review group."
        event = history(client, admin, "consultant", consultant["id"])[-1]
        assert event["action"] == f"consultant.{action}"
        assert (event["before"]["status"], event["after"]["status"]) == (status, RESULT[action])
        assert audit_count(session) == before + 1
    else:
        assert response.status_code == 409
        assert set(response.json()["allowed"]) == ALLOWED[status]
        assert f"who is {status}" in response.json()["detail"]
        assert audit_count(session) == before
        assert (
            client.get(f"{API}/consultants/{consultant['id']}", headers=admin.headers).json()["status"]
            == status
        )


def test_approval_sets_the_approval_date_and_re_approval_three_years_on(client, admin):
    consultant = add_consultant(client, admin)
    approved = act(client, admin, consultant["id"], "approve").json()
    assert approved["approved_on"] == TODAY.isoformat()
    assert approved["reapproval_due"] == add_years(TODAY, 3).isoformat()


def test_reinstating_a_suspension_keeps_the_approval_dates_but_after_removal_they_restart(
    client, session, admin
):
    consultant = add_consultant(client, admin)
    cid = consultant["id"]
    change_status(
        session=session,
        consultant_id=cid,
        action="approve",
        reason="Approved 2024.",
        actor="t",
        today=date(2024, 3, 1),
    )
    session.commit()
    act(client, admin, consultant["id"], "suspend")
    reinstated = act(client, admin, consultant["id"], "reinstate").json()
    assert (reinstated["approved_on"], reinstated["reapproval_due"]) == ("2024-03-01", "2027-03-01")
    act(client, admin, consultant["id"], "remove")
    again = act(client, admin, consultant["id"], "reinstate").json()
    assert again["approved_on"] == TODAY.isoformat()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "ok"}])
def test_a_status_action_needs_a_reason(client, admin, body):
    consultant = add_consultant(client, admin)
    response = client.post(f"{API}/consultants/{consultant['id']}/approve", json=body, headers=admin.headers)
    assert problem_fields(response) == {"reason"}


# Listing ------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_specialism_area_language_and_name(client, admin, commissioner):
    ada = add_consultant(client, admin)
    add_consultant(
        client, admin, name="Ben Ink", email="ben@reviews.example.org", specialisms=["criminal_exploitation"],
        languages=["English"], areas=["Camden"],
    )  # fmt: skip
    act(client, admin, ada["id"], "approve")

    def names(**params):
        response = client.get(f"{API}/consultants", params=params, headers=commissioner.headers)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert names() == ["Ada Quill", "Ben Ink"]
    assert names(status="approved") == ["Ada Quill"]
    assert names(specialism="criminal_exploitation") == ["Ben Ink"]
    assert names(area="hackney") == ["Ada Quill"]
    assert names(area="Hack") == []
    assert names(language="TURKISH") == ["Ada Quill"]
    assert names(q="ink") == ["Ben Ink"]
    assert names(q="%") == []
    assert names(status="applied", area="Camden", specialism="criminal_exploitation") == ["Ben Ink"]


def test_an_unknown_filter_value_is_refused(client, admin):
    response = client.get(f"{API}/consultants", params={"specialism": "witchcraft"}, headers=admin.headers)
    assert problem_fields(response) == {"specialism"}
    response = client.get(f"{API}/consultants", params={"limit": 0, "offset": -1}, headers=admin.headers)
    assert problem_fields(response) == {"limit", "offset"}


def test_the_list_pages_and_counts_every_match(client, admin):
    for number in range(7):
        add_consultant(client, admin, name=f"Consultant {number}", email=f"c{number}@reviews.example.org")
    page = client.get(f"{API}/consultants", params={"limit": 3, "offset": 3}, headers=admin.headers).json()
    assert [item["name"] for item in page["items"]] == ["Consultant 3", "Consultant 4", "Consultant 5"]
    assert (page["total"], page["limit"], page["offset"]) == (7, 3, 3)


def _days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.mark.parametrize(
    ("fields", "expiring_in_30", "expiring_in_90"),
    [
        ({}, False, False),
        ({"dbs_check_date": add_years(TODAY, -3).isoformat()}, True, True),  # three years old today
        ({"dbs_check_date": (add_years(TODAY, -3) + timedelta(days=60)).isoformat()}, False, True),
        ({"dbs_check_date": None}, True, True),  # no check recorded
        ({"insurance_expiry": _days(-1)}, True, True),
        ({"insurance_expiry": _days(45)}, False, True),
        ({"insurance_expiry": None}, True, True),
        (
            {"registration_body": "nmc", "registration_number": "12A3456E", "registration_expiry": _days(20)},
            True,
            True,
        ),
    ],
)
def test_expiring_covers_dbs_age_insurance_and_registration(
    client, admin, fields, expiring_in_30, expiring_in_90
):
    add_consultant(client, admin, **fields)

    def expiring(days: int) -> bool:
        params = {"expiring_within_days": days}
        return client.get(f"{API}/consultants", params=params, headers=admin.headers).json()["total"] == 1

    assert (expiring(30), expiring(90)) == (expiring_in_30, expiring_in_90)


def test_expiring_covers_re_approval_due(client, admin):
    consultant = add_consultant(client, admin)
    act(client, admin, consultant["id"], "approve")
    client.patch(
        f"{API}/consultants/{consultant['id']}", json={"reapproval_due": _days(10)}, headers=admin.headers
    )
    params = {"expiring_within_days": 30, "status": "approved"}
    assert client.get(f"{API}/consultants", params=params, headers=admin.headers).json()["total"] == 1


def test_the_dbs_recheck_period_is_configurable(client, admin, monkeypatch):
    from service.settings import get_settings

    add_consultant(client, admin, dbs_check_date=add_years(TODAY, -2).isoformat())
    params = {"expiring_within_days": 0}
    assert client.get(f"{API}/consultants", params=params, headers=admin.headers).json()["total"] == 0
    monkeypatch.setenv("SCR_DBS_RECHECK_YEARS", "2")
    get_settings.cache_clear()
    try:
        assert client.get(f"{API}/consultants", params=params, headers=admin.headers).json()["total"] == 1
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


# Engagements, interests, accreditations, review records -------------------------------------------

# A record of each kind that the tests add to Ada's.
MANAGER = {"agency_id": "hackney-csc", "role_title": "Manager", "kind": "employed"}
SISTER = {
    "text": "My sister is a team manager there.",
    "agency_id": "Hackney Council",
    "declared_on": "2026-01-05",
}
REVIEW = {
    "case_ref": "HK-2025-03",
    "review_type": "lcspr",
    "role": "lead_reviewer",
    "started_on": "2025-02-01",
}


@pytest.fixture
def ada(client, admin):  # type: ignore[no-untyped-def]
    """Ada Quill, an applicant, with the Hackney agency her records name."""
    add_agency(client, admin)
    return add_consultant(client, admin)


def records(consultant, kind: str) -> str:  # type: ignore[no-untyped-def]
    """The URL of the consultant's records of ``kind``: engagements, interests, accreditations, reviews."""
    return f"{API}/consultants/{consultant['id']}/{kind}"


def added(client, admin, url: str, body) -> dict:  # type: ignore[no-untyped-def]
    """The record ``body`` added at ``url`` by the admin, as the service answers it."""
    response = client.post(url, json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_an_engagement_is_recorded_against_an_agency_named_by_alias_then_ended_and_deleted(
    client, admin, commissioner, ada
):
    url = records(ada, "engagements")
    body = {"agency_id": "London Borough of Hackney", "role_title": "Head of Service", "kind": "employed",
            "start_date": "2012-04-01"}  # fmt: skip
    engagement = added(client, admin, url, body)
    assert (engagement["agency_id"], engagement["end_date"], engagement["confirmed"]) == (
        "hackney-csc",
        None,
        True,
    )
    ended = client.patch(f"{url}/{engagement['id']}", json={"end_date": "2019-03-31"}, headers=admin.headers)
    assert ended.json()["end_date"] == "2019-03-31"
    assert client.get(url, headers=commissioner.headers).json() == [ended.json()]
    assert client.delete(f"{url}/{engagement['id']}", headers=admin.headers).status_code == 204
    assert client.get(url, headers=commissioner.headers).json() == []
    actions = [event["action"] for event in history(client, admin, "consultant", ada["id"])]
    assert actions == ["consultant.create", "engagement.add", "engagement.update", "engagement.delete"]


def test_an_engagement_with_an_unknown_agency_or_backwards_dates_is_refused_and_not_audited(
    client, session, admin, ada
):
    url = records(ada, "engagements")
    before = audit_count(session)
    unknown = client.post(
        url,
        json={**MANAGER, "agency_id": "Islington Council"},
        headers=admin.headers,
    )
    assert problem_fields(unknown) == {"agency_id"}
    assert "Islington Council" in unknown.json()["problems"][0]["msg"]
    backwards = client.post(
        url, json={**MANAGER, "start_date": "2020-01-01", "end_date": "2019-01-01"}, headers=admin.headers
    )
    assert backwards.status_code == 422
    assert "end_date" in backwards.json()["problems"][0]["msg"]
    bad_kind = client.post(url, json={**MANAGER, "kind": "friend"}, headers=admin.headers)
    assert problem_fields(bad_kind) == {"kind"}
    assert audit_count(session) == before
    assert client.get(url, headers=admin.headers).json() == []


def test_an_engagement_patch_that_puts_the_end_before_the_start_is_refused(client, admin, ada):
    url = records(ada, "engagements")
    body = {**MANAGER, "start_date": "2015-01-01"}
    engagement = added(client, admin, url, body)
    response = client.patch(
        f"{url}/{engagement['id']}", json={"end_date": "2014-01-01"}, headers=admin.headers
    )
    assert problem_fields(response) == {"end_date"}
    assert client.get(url, headers=admin.headers).json()[0]["end_date"] is None


def test_another_consultant_s_engagement_is_not_found(client, admin, ada):
    ben = add_consultant(client, admin, email="ben@reviews.example.org")
    engagement = added(client, admin, records(ada, "engagements"), MANAGER)
    url = f"{records(ben, 'engagements')}/{engagement['id']}"
    assert client.patch(url, json={"role_title": "Director"}, headers=admin.headers).status_code == 404
    assert client.delete(url, headers=admin.headers).status_code == 404


def test_a_declared_interest_is_recorded_read_and_deleted(client, admin, commissioner, ada):
    url = records(ada, "interests")
    interest = added(client, admin, url, SISTER)
    assert interest["agency_id"] == "hackney-csc"
    assert client.get(url, headers=commissioner.headers).json() == [interest]
    unknown = client.post(url, json={**SISTER, "agency_id": "Nowhere"}, headers=admin.headers)
    assert problem_fields(unknown) == {"agency_id"}
    assert client.delete(f"{url}/{interest['id']}", headers=admin.headers).status_code == 204
    assert client.get(url, headers=commissioner.headers).json() == []


def test_an_accreditation_is_recorded_read_and_deleted(client, admin, commissioner, ada):
    url = records(ada, "accreditations")
    created = added(client, admin, url, {"name": "silp", "awarded_on": "2019-05-01"})
    assert client.get(url, headers=commissioner.headers).json() == [created]
    unknown = client.post(url, json={"name": "knitting", "awarded_on": "2019-05-01"}, headers=admin.headers)
    assert problem_fields(unknown) == {"name"}
    assert client.delete(f"{url}/{created['id']}", headers=admin.headers).status_code == 204
    assert client.delete(f"{url}/{created['id']}", headers=admin.headers).status_code == 404


def test_a_review_record_is_rated_when_complete(client, admin, commissioner, ada):
    url = records(ada, "reviews")
    review = added(client, admin, url, REVIEW)
    rated = client.patch(
        f"{url}/{review['id']}",
        json={"completed_on": "2025-07-20", "rating": 3, "comment": "Clear analysis."},
        headers=admin.headers,
    )
    assert rated.status_code == 200
    assert (rated.json()["rating"], rated.json()["completed_on"]) == (3, "2025-07-20")
    assert client.get(url, headers=commissioner.headers).json() == [rated.json()]
    assert problem_fields(
        client.patch(f"{url}/{review['id']}", json={"rating": 5}, headers=admin.headers)
    ) == {"rating"}
    early = client.patch(f"{url}/{review['id']}", json={"completed_on": "2024-01-01"}, headers=admin.headers)
    assert problem_fields(early) == {"completed_on"}
    assert client.delete(f"{url}/{review['id']}", headers=admin.headers).status_code == 204
    event = history(client, admin, "consultant", ada["id"])[-1]
    assert (event["action"], event["before"]["rating"], event["after"]) == ("review.delete", 3, None)


def test_child_records_of_an_unknown_consultant_are_not_found(client, admin):
    for kind in ("engagements", "interests", "accreditations", "reviews"):
        assert client.get(f"{API}/consultants/999/{kind}", headers=admin.headers).status_code == 404


# The conflict checks' query -----------------------------------------------------------------------


def test_engagements_since_finds_open_and_recent_ties_of_the_kinds_asked(client, session, admin, ada):
    add_agency(client, admin, id="met-central-east", name="Met Central East", kind="police", aliases=[])
    ben = add_consultant(client, admin, email="ben@reviews.example.org")
    ties = [
        (ada, "hackney-csc", "employed", "2010-01-01", "2016-12-31"),  # ended before the date
        (ada, "hackney-csc", "employed", "2017-01-01", "2021-06-30"),  # ended after it
        (ada, "hackney-csc", "reviewed", "2022-01-01", "2022-06-30"),  # another kind
        (ben, "hackney-csc", "board_member", "2023-01-01", None),  # still open
        (ben, "met-central-east", "employed", "1990-01-01", None),  # another agency
    ]
    ids = []
    for consultant, agency, kind, start, end in ties:
        body = {"agency_id": agency, "role_title": "Role", "kind": kind, "start_date": start, "end_date": end}
        ids.append(added(client, admin, records(consultant, "engagements"), body)["id"])

    found = engagements_since(
        session=session,
        agency_ids=["hackney-csc"],
        kinds=[EngagementKind.employed, EngagementKind.board_member],
        since=date(2020, 1, 1),
    )
    assert [e.id for e in found] == [ids[1], ids[3]]
    only_ben = engagements_since(
        session=session, agency_ids=["hackney-csc"], kinds=["board_member"], since=date(2020, 1, 1),
        consultant_ids=[ada["id"]],
    )  # fmt: skip
    assert only_ben == []
    assert engagements_since(session=session, agency_ids=[], kinds=["employed"], since=date(2020, 1, 1)) == []


# Audit --------------------------------------------------------------------------------------------


def test_every_write_leaves_exactly_one_audit_event(client, session, admin):
    add_agency(client, admin)
    consultant = add_consultant(client, admin)
    cid = consultant["id"]
    writes = [
        lambda: client.patch(f"{API}/consultants/{cid}", json={"capacity": 1}, headers=admin.headers),
        lambda: act(client, admin, cid, "approve"),
        lambda: client.post(
            f"{API}/consultants/{cid}/engagements",
            json={"agency_id": "hackney-csc", "role_title": "R", "kind": "reviewed"},
            headers=admin.headers,
        ),
        lambda: client.post(
            f"{API}/consultants/{cid}/accreditations",
            json={"name": "silp", "awarded_on": "2020-01-01"},
            headers=admin.headers,
        ),
        lambda: client.patch(
            f"{API}/agencies/hackney-csc", json={"area": "City and Hackney"}, headers=admin.headers
        ),
    ]
    for write in writes:
        before = audit_count(session)
        assert write().status_code in (200, 201)
        assert audit_count(session) == before + 1
    assert all(event["actor"] == admin.email for event in history(client, admin, "consultant", cid))


# Input that the database cannot hold is refused, not failed on ---------------------------------------


def test_text_with_a_nul_character_is_refused_naming_the_field(client, admin):
    response = client.post(
        f"{API}/consultants", json=consultant_body(name="Ada\u0000Quill"), headers=admin.headers
    )
    assert problem_fields(response) == {"name"}
    assert (
        response.json()["problems"][0]["msg"] == "holds a control character that cannot be stored; remove it"
    )
    listing = client.get(f"{API}/consultants", params={"q": "a\u0000"}, headers=admin.headers)
    assert problem_fields(listing) == {"q"}


def test_ids_and_offsets_beyond_what_the_database_holds_are_refused(client, admin):
    assert problem_fields(client.get(f"{API}/consultants/{2**40}", headers=admin.headers)) == {
        "consultant_id"
    }
    assert problem_fields(
        client.get(f"{API}/consultants", params={"offset": 10**20}, headers=admin.headers)
    ) == {"offset"}
    assert problem_fields(client.get(f"{API}/agencies/Not a slug", headers=admin.headers)) == {"agency_id"}
