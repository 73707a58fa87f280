"""The partnerships pages over HTTP: list admins add and edit partnerships (errors beside the fields,
nothing saved until right), everyone signed in reads them, and a partnership's commissioners and admins
keep its local notes about consultants."""

import re

import pytest
from factories import consultant, home_partnership
from security.admin_pages_client import assert_refused_beside_fields, signed_in_as
from sqlmodel import select

from commissioning import partnerships
from commissioning.models import ConsultantLocalNote, Partnership
from core.audit import AuditEvent

NEW = {
    "name": "City and Hackney partnership",
    "prefix": "CHS",
    "areas": "City of London, Islington",
    "reminder_channel": "#chs-reminders",
    "admin_channel": "",
}


@pytest.fixture
def list_admin_client(client, session, list_admin):  # type: ignore[no-untyped-def]
    return signed_in_as(client, session, list_admin.email, page="/admin/partnerships/new")


def stored(session, prefix: str) -> Partnership | None:  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(select(Partnership).where(Partnership.prefix == prefix)).first()


def post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.token}, follow_redirects=False)


def test_a_list_admin_adds_a_partnership_with_its_own_settings(list_admin_client, session):
    data = {**NEW, "retention_years": "12", "employment_block_years": "7", "insurance_required": "no"}
    response = post(list_admin_client, "/admin/partnerships/new", data)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/partnerships/CHS"
    added = stored(session, "CHS")
    assert added is not None and added.reminder_channel == "#chs-reminders"
    assert added.policy == {
        "independence_policy": {"employment_block_years": 7, "insurance_required": False},
        "retention_years": 12,
    }
    assert partnerships.view(session, added).areas == ("city-of-london", "islington")
    page = list_admin_client.get("/admin/partnerships/CHS").text
    assert "City and Hackney partnership was added" in page
    assert "City of London, Islington" in page
    assert "city-of-london" not in page
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "partnership.add")).first()


def test_the_form_shows_the_services_value_beside_each_setting(list_admin_client):
    form = list_admin_client.get("/admin/partnerships/new").text
    assert re.search(r'id="retention_years-hint">The service&#39;s value: \d+', form)
    assert re.search(r'id="employment_block_years-hint">The service&#39;s value: 5<', form)
    assert "Use the service&#39;s value" in form


def test_bad_fields_are_refused_beside_them_and_nothing_is_saved(list_admin_client, session):
    data = {**NEW, "prefix": "C1", "retention_years": "0", "reminder_lead_days": "soon", "name": "Ok"}
    response = post(list_admin_client, "/admin/partnerships/new", data)
    assert_refused_beside_fields(
        response,
        {
            "retention_years": "Enter a number from 1 to 100",
            "reminder_lead_days": "Enter a whole number",
        },
    )
    assert 'value="soon"' in response.text
    assert stored(session, "C1") is None
    response = post(
        list_admin_client,
        "/admin/partnerships/new",
        {**data, "retention_years": "", "reminder_lead_days": ""},
    )
    assert_refused_beside_fields(response, {"prefix": "2 to 6 capital letters"})
    assert session.exec(select(Partnership)).all() == []


def test_an_area_another_partnership_covers_is_refused_beside_the_areas(list_admin_client, session):
    home_partnership(session)
    response = post(list_admin_client, "/admin/partnerships/new", {**NEW, "areas": "Hackney\nIslington"})
    assert response.status_code == 409
    assert re.search(
        r'id="areas-error">.*Hackney is covered by Hackney test partnership', response.text, re.S
    )
    assert stored(session, "CHS") is None


def test_editing_keeps_the_prefix_and_replaces_the_areas(list_admin_client, session):
    post(list_admin_client, "/admin/partnerships/new", NEW)
    form = list_admin_client.get("/admin/partnerships/CHS/edit").text
    assert "City of London\nIslington</textarea>" in form
    changed = {
        **NEW,
        "prefix": "XYZ",
        "areas": "City of London",
        "name": "City partnership",
        "reminder_lead_days": "5",
    }
    response = post(list_admin_client, "/admin/partnerships/CHS/edit", changed)
    assert response.status_code == 303
    partnership = stored(session, "CHS")
    assert partnership is not None and partnership.name == "City partnership"
    assert partnership.policy == {"reminder_lead_days": 5}
    assert partnership.reminder_channel == "#chs-reminders"
    assert partnerships.view(session, partnership).areas == ("city-of-london",)
    assert stored(session, "XYZ") is None


def test_the_list_counts_cases_and_people(list_admin_client, session, chair):
    page = list_admin_client.get("/admin/partnerships").text
    row = re.search(r"Hackney test partnership</a></td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row[1], re.S)
    assert cells[0] == "HAC" and cells[-1] == "1"  # the chair
    assert "Add a partnership" in page


def test_a_chair_reads_the_partnerships_but_cannot_add_or_edit_one(client, session, chair):
    signed_in_as(client, session, chair.email, page="/admin/partnerships")
    listing = client.get("/admin/partnerships").text
    assert "Hackney test partnership" in listing and "Add a partnership" not in listing
    assert client.get("/admin/partnerships/new").status_code == 403
    refused = client.get("/admin/partnerships/HAC/edit")
    assert refused.status_code == 403
    assert "This page is for list admins" in refused.text
    assert "chair, Hackney test partnership" in refused.text
    page = client.get("/admin/partnerships/HAC").text
    assert "Local notes" not in page and "<h2>People</h2>" not in page


def test_a_missing_partnership_is_a_not_found_page(list_admin_client):
    response = list_admin_client.get("/admin/partnerships/NOPE")
    assert response.status_code == 404
    assert "There is no such partnership." in response.text


# Local notes --------------------------------------------------------------------------------------------


def test_a_commissioner_notes_and_removes_a_local_reason(client, session, commissioner):
    rhea = consultant(session, "Rhea Reviewer")
    signed_in_as(client, session, commissioner.email, page="/admin/partnerships/HAC")
    page = client.get("/admin/partnerships/HAC").text
    assert "Rhea Reviewer</option>" in page
    response = post(
        client,
        "/admin/partnerships/HAC/notes",
        {"consultant_id": str(rhea), "reason": "A complaint here is open."},
    )
    assert response.status_code == 303
    notes = session.exec(select(ConsultantLocalNote)).all()
    assert [n.reason for n in notes] == ["A complaint here is open."]
    page = client.get("/admin/partnerships/HAC").text
    assert "The note about Rhea Reviewer was saved" in page
    assert "A complaint here is open." in page
    response = post(client, f"/admin/partnerships/HAC/notes/{notes[0].id}/delete", {})
    assert response.status_code == 303
    session.expire_all()
    assert session.exec(select(ConsultantLocalNote)).all() == []


def test_a_note_without_a_reason_or_consultant_is_refused_beside_the_fields(client, session, commissioner):
    signed_in_as(client, session, commissioner.email, page="/admin/partnerships/HAC")
    response = post(client, "/admin/partnerships/HAC/notes", {"consultant_id": "", "reason": "x"})
    assert_refused_beside_fields(response, {"consultant_id": "Choose a consultant"})
    rhea = consultant(session, "Rhea Reviewer")
    response = post(client, "/admin/partnerships/HAC/notes", {"consultant_id": str(rhea), "reason": "x"})
    assert_refused_beside_fields(response, {"reason": "3 to 1000 characters"})
    assert session.exec(select(ConsultantLocalNote)).all() == []


def test_another_partnerships_people_and_its_chairs_keep_no_notes_there(client, session, chair, outsider):
    rhea = consultant(session, "Rhea Reviewer")
    signed_in_as(client, session, outsider.email, page="/admin/partnerships/HAC")
    response = post(
        client, "/admin/partnerships/HAC/notes", {"consultant_id": str(rhea), "reason": "Not ours to say."}
    )
    assert response.status_code == 403
    assert "kept by the commissioners and admins of Hackney test partnership" in response.text
    assert session.exec(select(ConsultantLocalNote)).all() == []
    note = partnerships.add_note(
        session, partnership=home_partnership(session), consultant_id=rhea, reason="Ours.", actor="t"
    )
    session.commit()
    response = post(client, f"/admin/partnerships/HAC/notes/{note.id}/delete", {})
    assert response.status_code == 403
    assert session.get(ConsultantLocalNote, note.id) is not None


# Least privilege ---------------------------------------------------------------------------------------


def test_chairs_and_analysts_are_refused_the_consultants_records(client, session, chair, analyst):
    rhea = consultant(session, "Rhea Reviewer", email="rhea@reviews.example.org")
    for person in (chair, analyst):
        client.cookies.clear()
        signed_in_as(client, session, person.email, page="/admin/partnerships")
        for path in ("/admin/consultants", f"/admin/consultants/{rhea}"):
            refused = client.get(path)
            assert refused.status_code == 403
            assert "This page is for list admins" in refused.text
            assert "rhea@reviews.example.org" not in refused.text


def test_an_analyst_starts_at_the_partnerships_and_sees_no_case(client, session, analyst):
    signed_in_as(client, session, analyst.email, page="/admin/partnerships")
    start = client.get("/admin", follow_redirects=False)
    assert start.headers["location"] == "/admin/partnerships"
    page = client.get("/admin/partnerships").text
    assert 'href="/admin/cases"' not in page and "(Analyst)" in page
    assert client.get("/admin/cases").status_code == 403
