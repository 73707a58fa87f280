"""The chronology pages: a commissioner asks the agencies; an agency contact sees only their agency's
requests and sends a file that is checked first (every problem by row and column, nothing kept), accepts
its warnings, and replaces it after seeing what would change; the case page shows the chart with its text
alternative and figures to the review's own people and only where agencies stand to a contributing
partnership; a reviewer given a sign-in reaches their case's documents only while commissioned; outsiders
are told the case does not exist (audited)."""

import re
from datetime import timedelta

import pytest
from factories import CASE_FEATURES, commission, consultant, hackney, other_partnership, recorded_case, saved
from security.admin_pages_client import csrf_from, signed_in_as
from sqlmodel import Session, select

from commissioning import partnerships
from commissioning.models import (
    Case,
    CaseStatus,
    ChronologyVersion,
    Commission,
    CommissionStatus,
    TermsVersion,
)
from core import clock
from core.audit import AuditEvent
from service import chronologies
from service.models import Role, User
from service.users import create_user

TODAY = clock.today()
IN_PERIOD = TODAY - timedelta(days=60)
BAD = "Date,Source of information,Event\n31/02/2026,GP notes,Seen\n{day},,Seen again\n"
GOOD = "Date,Time,Source of information,Event\n{day},09:30,GP notes,Mother brought Child A to the surgery\n"


def _day(offset: int = 0) -> str:
    return (IN_PERIOD + timedelta(days=offset)).strftime("%d/%m/%Y")


FEATURES = {
    **CASE_FEATURES,
    "incident_date": (TODAY - timedelta(days=10)).isoformat(),
    "notified_date": (TODAY - timedelta(days=8)).isoformat(),
    "agencies_involved": ["hackney-csc", "met-police", "homerton"],
}


@pytest.fixture
def bare(session: Session) -> str:
    """A case of the home partnership, recorded as the service records one, without terms yet."""
    hackney(session)
    return recorded_case(session, **FEATURES)


def with_terms(session: Session, ref: str) -> Case:
    found = session.exec(select(Case).where(Case.ref == ref)).one()
    saved(
        session,
        TermsVersion,
        case_id=found.id,
        version=1,
        template_version="1",
        clauses_version="1",
        content_hash="x",
        markdown="# Terms of reference\n\nThe review.",
        created_by="test",
    )
    return found


@pytest.fixture
def ref(session: Session, bare: str) -> str:
    """The case with terms of reference, its three agencies asked."""
    chronologies.issue(session, case=with_terms(session, bare), actor="test", today=TODAY)
    session.commit()
    return bare


def contact(session: Session, agency: str) -> str:
    email = f"contact.{agency}@agency.example.org"
    create_user(session, email=email, role=Role.agency_contact, agency=agency, actor="test")
    session.commit()
    return email


def post(client, path: str, data: dict[str, str], **kwargs):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.token}, follow_redirects=False, **kwargs)


def upload(client, path: str, text: str, name: str = "csc.csv"):  # type: ignore[no-untyped-def]
    return post(client, path, {}, files={"file": (name, text.encode(), "text/csv")})


def confirm_form(html: str) -> dict[str, object]:
    """The confirm form's hidden fields, as the browser posts them back."""
    form = html[html.index('name="confirm"') - 200 :]
    form = form[: form.index("</form>")]
    fields: dict[str, object] = {"confirm": "1"}
    for name in ("filename", "seal"):
        fields[name] = re.search(rf'name="{name}" value="([^"]*)"', form).group(1)  # type: ignore[union-attr]
    fields["held"] = re.findall(r'name="held" value="([^"]*)"', form)
    return fields


def refusals(session: Session) -> int:
    session.expire_all()
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all())


def versions(session: Session) -> list[int]:
    session.expire_all()
    return [v.version for v in session.exec(select(ChronologyVersion)).all()]


def test_an_agency_contact_checks_then_sends_then_replaces_their_chronology(client, session, ref):
    email = contact(session, "hackney-csc")
    signed_in_as(client, session, email, page="/admin/chronologies")
    listed = client.get("/admin/chronologies").text
    assert listed.count("<tr>") == 2 and ref in listed and "Hackney test partnership" in listed
    assert "Requested, due in" in listed
    assert client.get(f"/admin/chronologies/{ref}/hackney-csc/template.xlsx").status_code == 200
    assert client.get(f"/admin/chronologies/{ref}/hackney-csc/letter.pdf").content.startswith(b"%PDF")
    path = f"/admin/chronologies/{ref}/hackney-csc"

    refused = upload(client, path, BAD.format(day=_day()))
    assert refused.status_code == 422
    rows = re.findall(r"<tr><td class=\"numeric\">(\d+)</td><td>([^<]*)</td>", refused.text)
    assert rows == [("2", "Date"), ("3", "Source of information")]
    assert versions(session) == []
    assert "Received with problems" in client.get("/admin/chronologies").text

    warned = upload(client, path, GOOD.format(day="01/01/1990") + f"{_day()},,Case file,Home visit\n")
    assert warned.status_code == 200 and 'id="warnings"' in warned.text
    assert "Accept the warnings and send" in warned.text and versions(session) == []
    tampered = {**confirm_form(warned.text), "seal": "0" * 64}
    assert post(client, path, tampered).status_code == 422 and versions(session) == []  # type: ignore[arg-type]
    sent = post(client, path, confirm_form(warned.text))  # type: ignore[arg-type]
    assert sent.status_code == 303 and sent.headers["location"] == "/admin/chronologies"
    assert versions(session) == [1]
    assert "accepted as version 1: 2 rows, with 1 warning accepted" in client.get("/admin/chronologies").text

    corrected = upload(client, path, GOOD.format(day=_day()) + f"{_day(1)},,Case file,Home visit\n")
    assert "Rows added: 0; removed: 0; changed: 2; unchanged: 0." in corrected.text
    assert "Replace the accepted chronology" in corrected.text and versions(session) == [1]
    assert post(client, path, confirm_form(corrected.text)).status_code == 303  # type: ignore[arg-type]
    assert sorted(versions(session)) == [1, 2]


def test_an_agency_contact_reaches_only_their_own_agency(client, session, ref):
    camden = contact(session, "camden-csc")  # an agency the case did not ask
    signed_in_as(client, session, contact(session, "hackney-csc"), page="/admin/chronologies")
    before = refusals(session)
    for address in (
        f"/admin/chronologies/{ref}/met-police",
        f"/admin/chronologies/{ref}/met-police/template.docx",
    ):
        assert client.get(address).status_code == 404
    assert refusals(session) == before + 2
    assert client.get(f"/admin/cases/{ref}").status_code == 403  # the case pages are partnerships' own
    client.cookies.clear()
    signed_in_as(client, session, camden, page="/admin/chronologies")
    assert ref not in client.get("/admin/chronologies").text
    assert client.get(f"/admin/chronologies/{ref}/camden-csc").status_code == 404
    assert client.get(f"/admin/cases/{ref}/chronology.docx").status_code == 404


def test_a_commissioner_asks_the_agencies_and_sends_on_an_agencys_behalf(client, session, commissioner, bare):
    ref = bare
    signed_in_as(client, session, commissioner.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert "once the case has terms of reference" in page and "Ask the agencies" not in page
    stored = with_terms(session, ref)
    page = client.get(f"/admin/cases/{ref}").text
    proposed = chronologies.proposed_period(stored, TODAY)
    assert f'value="{proposed.start.isoformat()}"' in page and f'value="{proposed.end.isoformat()}"' in page
    refused = post(
        client, f"/admin/cases/{ref}/chronologies/requests", {"period_from": "31/02", "period_to": ""}
    )
    assert refused.status_code == 422 and 'id="period_from-error"' in refused.text
    asked = post(
        client,
        f"/admin/cases/{ref}/chronologies/requests",
        {"period_from": proposed.start.isoformat(), "period_to": proposed.end.isoformat()},
    )
    assert asked.status_code == 303
    page = client.get(f"/admin/cases/{ref}").text
    assert "3 agencies were asked" in page and page.count("Requested, due in") == 3
    sent = upload(client, f"/admin/chronologies/{ref}/met-police", GOOD.format(day=_day()))
    assert "Send the chronology" in sent.text
    assert post(client, f"/admin/chronologies/{ref}/met-police", confirm_form(sent.text)).status_code == 303  # type: ignore[arg-type]
    page = client.get(f"/admin/cases/{ref}").text
    assert "Accepted (version 1, 1 row)" in page and "Send a file for Metropolitan Police Service" in page

    glossary = post(client, f"/admin/cases/{ref}/glossary", {"name": "Jane Doe", "code": ""})
    assert glossary.status_code == 422 and "has no code" in glossary.text
    client.post(
        f"/admin/cases/{ref}/glossary",
        data={"name": ["Jane Doe", ""], "code": ["Mother", ""], "csrf_token": client.token},
        follow_redirects=False,
    )
    assert 'value="Jane Doe"' in client.get(f"/admin/cases/{ref}/glossary").text


def test_the_reviews_own_people_see_the_chart_and_contributors_only_the_standing(
    client, session, chair, outsider, ref
):
    path = f"/admin/chronologies/{ref}/hackney-csc"
    signed_in_as(client, session, contact(session, "hackney-csc"), page=path)
    post(client, path, confirm_form(upload(client, path, GOOD.format(day=_day())).text))  # type: ignore[arg-type]
    client.cookies.clear()
    signed_in_as(client, session, chair.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert f'src="/admin/cases/{ref}/chronology/timeline.png"' in page
    assert re.search(r'id="timeline-summary">Timeline of 1 event from 3 agencies', page)
    assert '<th scope="row">Hackney Children&#39;s Social Care</th>' in page
    assert "Ask the agencies" not in page and "Edit the glossary" not in page  # a chair reads, never asks
    chart = client.get(f"/admin/cases/{ref}/chronology/timeline.png")
    assert chart.headers["content-type"] == "image/png"
    personal = client.get(f"/admin/cases/{ref}/chronology.docx?view=personal")
    assert personal.status_code == 200 and "personal" in personal.headers["content-disposition"]
    session.expire_all()
    opened = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.actor == chair.email))]
    assert opened.count("chronology.open") == 1 and opened.count("chronology.personal_view") == 1

    client.cookies.clear()
    signed_in_as(client, session, outsider.email, page="/admin/cases")
    before = refusals(session)
    for address in (f"/admin/cases/{ref}/chronology.docx", path, f"/admin/cases/{ref}/glossary"):
        assert client.get(address).status_code == 404
    assert refusals(session) == before + 3
    partnerships.add_contributor(
        session, case=session.exec(select(Case)).one(), partnership=other_partnership(session), actor="t"
    )
    session.commit()
    page = client.get(f"/admin/cases/{ref}").text
    assert "Accepted" in page and "timeline.png" not in page and "chronology.docx" not in page
    assert client.get(f"/admin/cases/{ref}/chronology.docx").status_code == 403


@pytest.mark.parametrize("ending", ["withdrawn", "case closed"])
def test_a_reviewer_reaches_their_case_only_while_commissioned(client, session, commissioner, ref, ending):
    rhea = consultant(session, "Rhea Reviewer")
    case_id = session.exec(select(Case.id)).one()
    commission_id = commission(session, case_id, rhea, status=CommissionStatus.proposed)
    signed_in_as(client, session, commissioner.email, page=f"/admin/cases/{ref}")
    assert "Give the reviewer a sign-in" not in client.get(f"/admin/cases/{ref}").text
    session.get_one(Commission, commission_id).status = CommissionStatus.confirmed
    session.commit()
    client.token = csrf_from(client.get(f"/admin/cases/{ref}").text)
    assert post(client, f"/admin/cases/{ref}/commissions/{commission_id}/sign-in", {}).status_code == 303
    assert "Has a sign-in" in client.get(f"/admin/cases/{ref}").text
    session.expire_all()
    reviewer = session.exec(select(User).where(User.consultant_id == rhea)).one()
    assert reviewer.role == Role.reviewer
    client.cookies.clear()
    signed_in_as(client, session, reviewer.email, page="/admin/reviews")
    assert re.search(
        rf'<a href="/admin/reviews/{ref}">{ref}</a></td>\s*<td>Lead reviewer</td>',
        client.get("/admin/reviews").text,
    )
    page = client.get(f"/admin/reviews/{ref}").text
    assert f"/admin/reviews/{ref}/terms/1.md" in page and 'id="timeline-summary"' in page
    assert client.get(f"/admin/reviews/{ref}/terms/1.md").status_code == 200
    assert client.get(f"/admin/cases/{ref}/chronology.xlsx").status_code == 200
    assert client.get(f"/admin/chronologies/{ref}/hackney-csc").status_code == 403  # agencies send their own

    if ending == "withdrawn":
        session.get_one(Commission, commission_id).status = CommissionStatus.withdrawn
    else:
        session.get_one(Case, case_id).status = CaseStatus.closed
    session.commit()
    before = refusals(session)
    for address in (
        f"/admin/reviews/{ref}",
        f"/admin/reviews/{ref}/terms/1.md",
        f"/admin/cases/{ref}/chronology.xlsx",
    ):
        assert client.get(address).status_code == 404
    assert refusals(session) == before + 3
    assert ref not in client.get("/admin/reviews").text


def test_the_users_page_names_the_new_roles_and_adds_an_agency_contact(client, session, admin):
    hackney(session)
    contact(session, "hackney-csc")
    signed_in_as(client, session, admin.email, page="/admin/users/new")
    assert "Agency contact of Hackney Children&#39;s Social Care" in client.get("/admin/users").text
    form = {"display_name": "Pat Police", "email": "pat@police.example.org", "role": "agency_contact"}
    refused = post(client, "/admin/users/new", {**form, "agency": "", "partnership": "", "slack_user_id": ""})
    assert refused.status_code == 422 and 'id="agency-error"' in refused.text
    added = post(
        client, "/admin/users/new", {**form, "agency": "met-police", "partnership": "", "slack_user_id": ""}
    )
    assert added.status_code == 303
    assert (
        "Pat Police was added as an agency contact of Metropolitan Police Service."
        in client.get(added.headers["location"]).text
    )
