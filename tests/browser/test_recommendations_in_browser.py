"""A review's recommendations and an action plan in a real browser: the admin records a recommendation
(its writing checks' warnings shown), adds an action; the agency's contact starts it, adds a link as
evidence and submits it; the admin marks it completed and closes the recommendation; the page of open
recommendations then lists none. Every page visited is checked with axe-core and photographed."""

from datetime import timedelta

import pytest
from factories import CASE_FEATURES, TODAY, add_person, hackney, recorded_case
from playwright.sync_api import expect

from service.models import Role
from service.passwords import set_password

pytestmark = pytest.mark.browser


def test_an_action_plan_runs_its_course_on_the_pages(
    page, admin_email, password, session, sign_in, check_page
):  # type: ignore[no-untyped-def]
    hackney(session)
    ref = recorded_case(session, **CASE_FEATURES)
    contact = "contact.browser@hackney.example.org"
    add_person(session, email=contact, role=Role.agency_contact, actor="test", agency="hackney-csc")
    set_password(session, email=contact, password=password, actor="test")
    session.commit()

    sign_in(page, admin_email)
    page.goto(f"/admin/cases/{ref}")
    page.get_by_role("link", name="Recommendations and action plans").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Recommendations and action plans: case {ref}")
    page.get_by_label("Recommendation").fill("Consider the use of strategy meetings.")
    page.get_by_label("Single-agency or multi-agency").select_option("single_agency")
    page.get_by_label("Agencies asked to act").fill("Hackney CSC")
    page.get_by_role("button", name="Record the recommendation").click()
    expect(page.get_by_role("status")).to_contain_text("Recommendation 1 recorded, with 5 warnings")
    expect(page.locator(".warning").first).to_contain_text("No one owns this recommendation")
    expect(page.get_by_text("'Consider' says what to look at")).to_be_visible()
    due = (TODAY + timedelta(days=60)).isoformat()
    page.get_by_label("Action", exact=True).fill("Audit 20 strategy meetings.")
    page.get_by_label("Owner's email").fill(contact)
    page.get_by_label("Due date", exact=True).last.fill(due)
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_role("status")).to_contain_text("Action added to recommendation 1")
    check_page(page, "recommendations-case")

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, contact)
    page.goto("/admin/recommendations")
    check_page(page, "recommendations-open-agency")
    page.get_by_role("link", name=ref).click()
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("status")).to_contain_text("now in progress")
    page.get_by_label("Evidence link").fill("https://intranet.example.org/audit")
    page.get_by_role("button", name="Add evidence").click()
    page.get_by_role("button", name="Submit evidence").click()
    expect(page.get_by_role("status")).to_contain_text("now evidence submitted")
    expect(page.get_by_role("button", name="Mark completed")).to_have_count(0)  # the partnership judges it

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, admin_email)
    page.goto(f"/admin/cases/{ref}/recommendations")
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_role("status")).to_contain_text("now completed")
    page.get_by_role("button", name="Close recommendation 1").click()
    expect(page.get_by_role("status")).to_contain_text("closed by the partnership")
    expect(page.get_by_role("heading", name="Recommendation 1: closed by the partnership")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Recommendations").click()
    expect(page.locator("#recommendation-count")).to_have_text("0 open recommendations")
    check_page(page, "recommendations-open")
