"""An admin records, on the case's page, a declaration of independence the consultant signed on paper or by
email: it is stored as the consultant's, recorded by the admin from the signed statement, and nothing is
saved from a form that is incomplete."""

import re
from datetime import timedelta

import pytest
from factories import CASE_FEATURES, TODAY, commission, consultant, hackney, recorded_case
from security.admin_pages_client import assert_refused_beside_fields, signed_in_as
from sqlmodel import select

from commissioning.models import Case, CommissionStatus, Declaration


@pytest.fixture
def ref(session) -> str:  # type: ignore[no-untyped-def]
    """A Hackney case the chair recorded, involving Hackney's children's services and the police."""
    hackney(session)
    return recorded_case(session, **CASE_FEATURES)


@pytest.fixture
def proposed(session, ref):  # type: ignore[no-untyped-def]
    """Ivy Quill commissioned for the case and asked to declare: the path of the page recording it."""
    ivy = consultant(session, "Ivy Quill", email="ivy@reviews.example.org")
    case_id = session.exec(select(Case.id).where(Case.ref == ref)).one()
    made = commission(session, case_id, ivy, status=CommissionStatus.proposed)
    return f"/admin/cases/{ref}/commissions/{made}/declaration"


@pytest.fixture
def signed_in(client, session, admin, ref):  # type: ignore[no-untyped-def]
    return signed_in_as(client, session, admin.email, page=f"/admin/cases/{ref}")


FORM = {
    "signed_on": (TODAY - timedelta(days=1)).isoformat(),
    "reference": "Declaration, Ivy Quill.pdf",
    "covers": "yes",
    "declares": "no_conflict",
}


def test_the_case_page_offers_an_admin_the_form_for_a_commission_awaiting_a_declaration(
    signed_in, ref, proposed
):
    page = signed_in.get(f"/admin/cases/{ref}").text
    assert f'href="{proposed}"' in page
    form = signed_in.get(proposed).text
    assert "<li>Hackney Children&#39;s Social Care</li>" in form
    assert "<li>Metropolitan Police Service</li>" in form


def test_an_admin_records_the_signed_statement_as_the_consultants_declaration(
    signed_in, session, admin, ref, proposed
):
    response = signed_in.post(proposed, data={**FORM, "csrf_token": signed_in.token}, follow_redirects=False)

    assert response.status_code == 303
    (stored,) = session.exec(select(Declaration)).all()
    assert (stored.declared_by, stored.recorded_by, stored.signed_on.isoformat()) == (
        "ivy@reviews.example.org",
        admin.email,
        FORM["signed_on"],
    )
    assert (stored.signed_reference, stored.no_conflict) == ("Declaration, Ivy Quill.pdf", True)
    assert stored.agencies == ["hackney-csc", "met-police"]
    page = signed_in.get(f"/admin/cases/{ref}").text
    assert "Ivy Quill&#39;s declaration was recorded from their statement signed on" in page
    assert f"in a statement signed on {FORM['signed_on']}, recorded by" in page
    assert f'href="{proposed}"' not in page  # nothing is left to record


def test_an_incomplete_form_says_what_is_missing_beside_each_field_and_saves_nothing(
    signed_in, session, proposed
):
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    data = {"signed_on": tomorrow, "reference": " ", "csrf_token": signed_in.token}

    response = signed_in.post(proposed, data=data)

    assert_refused_beside_fields(
        response,
        {
            "signed_on": "cannot be in the future",
            "reference": "Enter the reference to the signed statement",
            "covers": "Confirm that the signed statement covers every agency listed",
            "declares": "Choose whether the statement declares no conflict or a conflict",
        },
    )
    conflict = {**FORM, "declares": "conflict", "csrf_token": signed_in.token}
    undescribed = signed_in.post(proposed, data=conflict)
    assert undescribed.status_code == 422
    assert re.search(r'id="statement-error">.*describe the conflict being declared', undescribed.text, re.S)
    assert session.exec(select(Declaration)).all() == []


def test_a_commission_already_declared_takes_no_second_declaration(signed_in, session, proposed):
    assert signed_in.post(proposed, data={**FORM, "csrf_token": signed_in.token}).status_code == 200
    page = signed_in.get(proposed).text
    assert "Ivy Quill&#39;s commission is declared: a declaration can be recorded only while" in page
    again = signed_in.post(proposed, data={**FORM, "csrf_token": signed_in.token})
    assert again.status_code == 422
    assert len(session.exec(select(Declaration)).all()) == 1


def test_another_cases_commission_is_not_found_here(signed_in, ref, proposed):
    assert signed_in.get(proposed.replace(ref, "HAC-2026-9999")).status_code == 404
    assert signed_in.get(f"/admin/cases/{ref}/commissions/999999/declaration").status_code == 404
