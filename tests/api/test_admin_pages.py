"""Admin pages over HTTP (no browser): refusals save nothing, and store errors land beside their fields."""

import re

import pytest
from factories import agency
from security.admin_pages_client import NEW_CONSULTANT as NEW
from security.admin_pages_client import assert_refused_beside_fields, signed_in_as
from sqlmodel import select

from core.audit import AuditEvent
from registry.agencies import get_agency, list_agencies
from registry.consultants import change_status, create_consultant, get_consultant
from registry.models import Consultant, ConsultantCreate
from registry.vocabulary import AgencyKind


@pytest.fixture
def signed_in(client, session, admin):  # type: ignore[no-untyped-def]
    """The client, signed in as an admin; ``client.token`` is the session's form token."""
    return signed_in_as(client, session, admin.email)


def audit_count(session) -> int:  # type: ignore[no-untyped-def]
    """Audit events of changes made: a refusal's own record (``access.refused``) is not one."""
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.action != "access.refused")).all())


def test_a_form_without_its_token_is_refused_and_saves_nothing(signed_in, session):
    before = audit_count(session)
    response = signed_in.post("/admin/consultants/new", data=NEW)
    assert response.status_code == 403
    assert "nothing was saved" in response.text
    assert session.exec(select(Consultant)).all() == []
    assert audit_count(session) == before


def test_a_form_with_another_sessions_token_is_refused(signed_in, session):
    response = signed_in.post("/admin/consultants/new", data={**NEW, "csrf_token": "a-token-from-elsewhere"})
    assert response.status_code == 403
    assert session.exec(select(Consultant)).all() == []


def test_the_add_form_reports_every_bad_field_and_saves_nothing(signed_in, session):
    data = {**NEW, "email": "not-an-email", "insurance_expiry": "31/02/2026", "capacity": "9", "name": ""}
    response = signed_in.post("/admin/consultants/new", data={**data, "csrf_token": signed_in.token})
    assert_refused_beside_fields(
        response,
        {
            "name": "Enter the full name",
            "email": "Enter an email address in the correct format",
            "insurance_expiry": "Enter a real date",
            "capacity": "Enter a number no more than 5",
        },
    )
    assert 'value="31/02/2026"' in response.text
    assert session.exec(select(Consultant)).all() == []


def test_a_taken_email_is_reported_beside_the_email_field(signed_in, session):
    create_consultant(session=session, data=ConsultantCreate(**NEW), actor="test")
    session.commit()
    response = signed_in.post("/admin/consultants/new", data={**NEW, "csrf_token": signed_in.token})
    assert response.status_code == 409
    assert re.search(r'id="email-error">.*already exists', response.text, re.S)
    assert len(session.exec(select(Consultant)).all()) == 1


def test_editing_saves_through_the_store_with_an_audit_event(signed_in, session, admin):
    consultant = create_consultant(session=session, data=ConsultantCreate(**NEW), actor="test")
    session.commit()
    form = signed_in.get(f"/admin/consultants/{consultant.id}/edit").text
    assert 'value="robin@reviews.example.org"' in form
    data = {**NEW, "areas": "Hackney; Camden", "specialisms": ["neglect", "disability"], "day_rate": "550"}
    response = signed_in.post(
        f"/admin/consultants/{consultant.id}/edit",
        data={**data, "csrf_token": signed_in.token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    saved = get_consultant(session=session, consultant_id=consultant.id)
    assert (saved.areas, saved.specialisms, saved.day_rate) == (
        ["Hackney", "Camden"],
        ["neglect", "disability"],
        550,
    )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "consultant.update")).one()
    assert event.actor == admin.email


def test_a_saved_change_is_confirmed_once_on_the_next_page(signed_in, session):
    consultant = create_consultant(session=session, data=ConsultantCreate(**NEW), actor="test")
    session.commit()
    page = f"/admin/consultants/{consultant.id}"
    saved = signed_in.post(f"{page}/edit", data={**NEW, "csrf_token": signed_in.token})
    assert saved.url.path == page
    assert "The changes were saved." in saved.text
    assert "The changes were saved." not in signed_in.get(page).text


def test_a_status_change_that_is_not_allowed_names_the_allowed_ones(signed_in, session):
    consultant = create_consultant(session=session, data=ConsultantCreate(**NEW), actor="test")
    session.commit()
    response = signed_in.post(
        f"/admin/consultants/{consultant.id}/status",
        data={"action": "reinstate", "reason": "Back again", "csrf_token": signed_in.token},
    )
    assert response.status_code == 422
    assert "allowed: approve, remove" in response.text
    assert get_consultant(session=session, consultant_id=consultant.id).status == "applied"


def test_an_unknown_consultant_gets_a_404_page(signed_in):
    response = signed_in.get("/admin/consultants/999")
    assert response.status_code == 404
    assert "There is no consultant with id 999" in response.text


def test_an_alias_held_by_another_agency_is_reported_beside_the_aliases(signed_in, session):
    agency(
        session,
        "hackney-csc",
        "Hackney Children's Services",
        kind=AgencyKind.childrens_social_care,
        area="Hackney",
        aliases=("London Borough of Hackney",),
    )
    data = {
        "id": "hackney-police",
        "name": "Hackney Police",
        "kind": "police",
        "area": "Hackney",
        "aliases": "Met Hackney\nLondon Borough of Hackney",
    }
    response = signed_in.post("/admin/agencies/new", data={**data, "csrf_token": signed_in.token})
    assert response.status_code == 422
    assert re.search(r'id="aliases-error">.*already belong to another agency', response.text, re.S)
    assert [a.id for a in list_agencies(session=session)] == ["hackney-csc"]


def test_agency_aliases_are_edited_one_per_line(signed_in, session):
    agency(
        session,
        "camden-csc",
        "Camden Children's Services",
        kind=AgencyKind.childrens_social_care,
        area="Camden",
    )
    data = {
        "name": "Camden Children's Services",
        "kind": "childrens_social_care",
        "area": "Camden",
        "aliases": "London Borough of Camden\n\nCamden Council\n",
    }
    response = signed_in.post(
        "/admin/agencies/camden-csc/edit",
        data={**data, "csrf_token": signed_in.token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert get_agency(session=session, agency_id="camden-csc").aliases == [
        "camden council",
        "london borough of camden",
    ]


def test_committing_an_import_rechecks_the_rows_and_writes_none_when_one_is_bad(signed_in, session):
    text = (
        "name,email,status\n"
        "Ana Good,ana@reviews.example.org,applied\n"
        "Ben Later,ben@reviews.example.org,applied\n"
    )
    checked = signed_in.post(
        "/admin/import/preview",
        data={"csrf_token": signed_in.token},
        files={"file": ("list.csv", text.encode(), "text/csv")},
    )
    assert checked.status_code == 200
    sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', checked.text)
    assert sha256, "the preview names the kept file"
    # Between the check and the import, someone else adds and approves Ben: his row is now refused.
    ben = create_consultant(
        session=session,
        data=ConsultantCreate(name="Ben Later", email="ben@reviews.example.org"),
        actor="test",
    )
    change_status(
        session=session, consultant_id=ben.id, action="approve", reason="Checks seen.", actor="test"
    )
    session.commit()
    response = signed_in.post(
        "/admin/import/commit", data={"sha256": sha256.group(1), "csrf_token": signed_in.token}
    )
    assert response.status_code == 422
    assert "cannot become applied" in response.text
    assert [c.email for c in session.exec(select(Consultant)).all()] == ["ben@reviews.example.org"]


def test_uploading_no_file_asks_for_one(signed_in):
    response = signed_in.post("/admin/import/preview", data={"csrf_token": signed_in.token})
    assert response.status_code == 422
    assert "Choose a CSV file to upload" in response.text


def test_an_unknown_case_gets_a_404_page(signed_in):
    response = signed_in.get("/admin/cases/HAC-2026-9999")
    assert response.status_code == 404
    assert "No case HAC-2026-9999" in response.text
    download = signed_in.get("/admin/cases/HAC-2026-9999/terms/1.pdf")
    assert download.status_code == 404
    assert "text/html" in download.headers["content-type"]


def test_terms_downloads_need_a_signed_in_user(client):
    response = client.get("/admin/cases/HAC-2026-0001/terms/1.docx", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/admin/sign-in?next=")


def test_nul_characters_are_refused_before_they_reach_the_database(signed_in, session):
    assert signed_in.get("/admin/consultants", params={"q": "ab\x00c"}).status_code == 400
    assert signed_in.get("/admin/agencies", params={"area": "\x00"}).status_code == 400
    assert signed_in.get("/admin/agencies/a%00b/edit").status_code == 400
    assert signed_in.get("/admin/cases/HAC%00").status_code == 400
    response = signed_in.post(
        "/admin/consultants/new", data={**NEW, "name": "Robin\x00", "csrf_token": signed_in.token}
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.text
    upload = signed_in.post(
        "/admin/import/preview",
        data={"csrf_token": signed_in.token},
        files={"file": ("list.csv", b"name,email\nA\x00,a@reviews.example.org\n", "text/csv")},
    )
    assert upload.status_code == 422
    assert "NUL characters" in upload.text
    assert session.exec(select(Consultant)).all() == []


def test_numbers_too_large_for_the_database_name_nothing(signed_in):
    huge = 2**63
    assert signed_in.get(f"/admin/consultants/{huge}").status_code == 404
    assert signed_in.get(f"/admin/consultants/{huge}/edit").status_code == 404
    assert signed_in.get("/admin/consultants", params={"page": huge}).status_code == 200
    assert signed_in.get("/admin/cases", params={"page": huge}).status_code == 200
    assert signed_in.get(f"/admin/cases/HAC-2026-0001/terms/{huge}.md").status_code == 404
