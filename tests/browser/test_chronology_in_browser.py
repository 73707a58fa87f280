"""A chronology in a real browser: an agency contact sends a CSV with an error, sees the problem's row and
column, corrects it and sends it; the commissioner then sees the timeline chart with its text alternative
and the same figures as a table.

Every page visited is checked with axe-core (no serious or critical violations) and photographed.
"""

import re
from datetime import timedelta

import pytest
from factories import CASE_FEATURES, hackney, recorded_case, with_terms
from playwright.sync_api import expect
from sqlmodel import select

from commissioning.models import Case
from core import clock
from service import chronologies
from service.models import Role
from service.passwords import set_password
from service.users import create_user

pytestmark = pytest.mark.browser

TODAY = clock.today()
DAY = (TODAY - timedelta(days=60)).strftime("%d/%m/%Y")
HEADER = "Date,Time,Source of information,Event\n"


def test_an_agency_contact_corrects_and_sends_a_chronology_the_commissioner_sees_its_chart(
    page, session, new_user, password, sign_in, check_page
):
    hackney(session)
    ref = recorded_case(
        session,
        **{
            **CASE_FEATURES,
            "incident_date": (TODAY - timedelta(days=10)).isoformat(),
            "notified_date": (TODAY - timedelta(days=8)).isoformat(),
        },
    )
    case = session.exec(select(Case).where(Case.ref == ref)).one()
    with_terms(session, case.id)
    chronologies.issue(session, case=case, actor="test", today=TODAY)
    contact = "contact.browser@agency.example.org"
    create_user(session, email=contact, role=Role.agency_contact, agency="hackney-csc", actor="test")
    set_password(session, email=contact, password=password, actor="test")
    session.commit()
    commissioner = new_user("commissioner")

    sign_in(page, contact)
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronology requests")
    check_page(page, "chronology-requests")
    page.get_by_role("link", name=re.compile(rf"^{ref}")).click()
    file = page.get_by_label("Chronology file")
    file.set_input_files(
        files=[
            {
                "name": "csc.csv",
                "mimeType": "text/csv",
                "buffer": (HEADER + f"{DAY},09:30,,Home visit\n").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Problems in the file")
    problem = page.locator("#problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem.locator("td").nth(0)).to_have_text("2")
    expect(problem.locator("td").nth(1)).to_have_text("Source of information")
    check_page(page, "chronology-problems")

    page.get_by_label("Chronology file").set_input_files(
        files=[
            {
                "name": "csc.csv",
                "mimeType": "text/csv",
                "buffer": (HEADER + f"{DAY},09:30,Case file,Home visit: no concerns\n").encode(),
            }
        ]
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#checked")).to_contain_text("The file passed the checks: 1 row.")
    check_page(page, "chronology-checked")
    page.get_by_role("button", name="Send the chronology").click()
    expect(page.locator(".notice")).to_contain_text("was accepted as version 1: 1 row.")
    expect(page.locator("tbody tr").first).to_contain_text("Accepted")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, commissioner)
    page.goto(f"/admin/cases/{ref}")
    chart = page.get_by_role("img", name="Timeline chart of the chronology")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.naturalWidth") > 0, "the chart's PNG loaded"
    expect(page.locator("#timeline-summary")).to_contain_text("Timeline of 1 event from 2 agencies")
    expect(page.locator("#timeline-figures tbody tr").first).to_contain_text("Hackney Children's Social Care")
    check_page(page, "case-chronology")
