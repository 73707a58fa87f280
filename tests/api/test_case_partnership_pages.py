"""The case page and partnerships: it names the lead and contributing partnerships; the lead's commissioners
and admins add and remove a contributing one; a partnership's local notes warn its own commissioners on the
commissions; and another partnership's people are told the case does not exist, audited as refused."""

import re

import pytest
from factories import CASE_FEATURES, commission, consultant, hackney, other_partnership, recorded_case
from security.admin_pages_client import signed_in_as
from sqlmodel import select

from commissioning import partnerships
from commissioning.models import Case, CaseContributor, CommissionStatus
from core.audit import AuditEvent


@pytest.fixture
def ref(session) -> str:  # type: ignore[no-untyped-def]
    hackney(session)
    return recorded_case(session, **CASE_FEATURES)


def case_of(session, ref: str) -> Case:  # type: ignore[no-untyped-def]
    return session.exec(select(Case).where(Case.ref == ref)).one()


def contributors(session, ref: str) -> list[int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    case = case_of(session, ref)
    return list(
        session.exec(select(CaseContributor.partnership_id).where(CaseContributor.case_id == case.id))
    )


def post(client, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": client.token}, follow_redirects=False)


def test_a_lead_commissioner_adds_and_removes_a_contributing_partnership(client, session, commissioner, ref):
    sal = other_partnership(session)
    signed_in_as(client, session, commissioner.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert re.search(r"<dt>Lead partnership</dt><dd>Hackney test partnership</dd>", page)
    assert '<option value="SAL">Southwark and Lambeth test partnership</option>' in page
    response = post(client, f"/admin/cases/{ref}/partnerships", {"partnership": "SAL"})
    assert response.status_code == 303
    assert contributors(session, ref) == [sal.id]
    page = client.get(f"/admin/cases/{ref}").text
    assert "Southwark and Lambeth test partnership now contributes" in page
    assert re.search(
        r"<dt>Contributing partnerships</dt><dd>Southwark and Lambeth test partnership</dd>", page
    )
    response = post(client, f"/admin/cases/{ref}/partnerships/SAL/remove", {})
    assert response.status_code == 303
    assert contributors(session, ref) == []
    actions = [e.action for e in session.exec(select(AuditEvent)).all()]
    assert "case.contributor_add" in actions and "case.contributor_remove" in actions


def test_choosing_no_partnership_is_refused_beside_the_field(client, session, commissioner, ref):
    signed_in_as(client, session, commissioner.email, page=f"/admin/cases/{ref}")
    response = post(client, f"/admin/cases/{ref}/partnerships", {"partnership": "HAC"})
    assert response.status_code == 422
    assert re.search(r'id="partnership-error">.*Choose a partnership from the list', response.text, re.S)
    assert contributors(session, ref) == []


def test_a_chair_reads_the_partnerships_but_does_not_change_them(client, session, chair, ref):
    other_partnership(session)
    signed_in_as(client, session, chair.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert "Hackney test partnership" in page and "Add a contributing partnership" not in page
    response = post(client, f"/admin/cases/{ref}/partnerships", {"partnership": "SAL"})
    assert response.status_code == 403
    assert "commissioner or admin role in Hackney test partnership" in response.text
    assert contributors(session, ref) == []


def test_another_partnerships_commissioner_is_told_the_case_does_not_exist(client, session, outsider, ref):
    signed_in_as(client, session, outsider.email, page="/admin/cases")
    before = len(session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all())
    for response in (
        client.get(f"/admin/cases/{ref}"),
        post(client, f"/admin/cases/{ref}/partnerships", {"partnership": "SAL"}),
        post(client, f"/admin/cases/{ref}/partnerships/SAL/remove", {}),
    ):
        assert response.status_code == 404
        assert f"No case {ref}." in response.text
    session.expire_all()
    after = session.exec(select(AuditEvent).where(AuditEvent.action == "access.refused")).all()
    assert len(after) == before + 3
    assert contributors(session, ref) == []


def test_a_contributing_partnerships_people_read_the_case(client, session, outsider, ref):
    sal = other_partnership(session)
    partnerships.add_contributor(session, case=case_of(session, ref), partnership=sal, actor="test")
    session.commit()
    signed_in_as(client, session, outsider.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}")
    assert page.status_code == 200
    assert "Add a contributing partnership" not in page.text


def test_a_local_note_warns_the_partnerships_own_commissioners_on_the_commissions(
    client, session, commissioner, chair, outsider, ref
):
    ivy = consultant(session, "Ivy Quill")
    commission(session, case_of(session, ref).id, ivy, status=CommissionStatus.proposed)
    home = partnerships.by_prefix(session, "HAC")
    partnerships.add_note(
        session, partnership=home, consultant_id=ivy, reason="A complaint here is open.", actor="t"
    )
    sal = other_partnership(session)
    partnerships.add_note(
        session, partnership=sal, consultant_id=ivy, reason="Southwark's own reason.", actor="t"
    )
    partnerships.add_contributor(session, case=case_of(session, ref), partnership=sal, actor="test")
    session.commit()
    signed_in_as(client, session, commissioner.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert "Hackney test partnership noted a local reason not to use them: A complaint here is open." in page
    assert "Southwark's own reason" not in page
    client.cookies.clear()
    signed_in_as(client, session, chair.email, page=f"/admin/cases/{ref}")
    assert "A complaint here is open." not in client.get(f"/admin/cases/{ref}").text
    client.cookies.clear()
    signed_in_as(client, session, outsider.email, page=f"/admin/cases/{ref}")
    page = client.get(f"/admin/cases/{ref}").text
    assert "Southwark&#39;s own reason." in page and "A complaint here is open." not in page
