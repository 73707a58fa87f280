"""The admin pages in a real browser: sign in, search, add with errors then fix, suspend, import.

Every page visited is checked with axe-core (no serious or critical violations) and photographed.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from factories import recorded_case
from playwright.sync_api import expect
from sqlmodel import Session, select

from core import clock
from registry.consultants import change_status, create_consultant, get_consultant, list_consultants
from registry.lifecycle import Action
from registry.models import Consultant, ConsultantCreate

pytestmark = pytest.mark.browser


def consultants_in(engine) -> list[str]:  # type: ignore[no-untyped-def]
    with Session(engine) as fresh:
        return [c.email for c in fresh.exec(select(Consultant))]


@pytest.fixture
def demo_registry(session) -> None:  # type: ignore[no-untyped-def]
    """The demo data. It goes into an empty service, so a test names it before the people it adds."""
    from service import demo

    demo.load(session=session)
    session.commit()


def test_an_admin_signs_in_with_the_keyboard_and_searches_the_list(
    demo_registry, page, admin_email, password, session, check_page
):
    page.goto("/admin/consultants")
    expect(page).to_have_url(re.compile(r"/admin/sign-in\?next=%2Fadmin%2Fconsultants$"))
    check_page(page, "sign-in")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    email = page.get_by_label("Email address")
    expect(email).to_be_focused()
    outline = email.evaluate("e => getComputedStyle(e).outlineColor")
    assert outline == "rgb(255, 221, 0)", "the focused field has the visible yellow focus outline"
    page.keyboard.type(admin_email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/admin/consultants$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultants")
    check_page(page, "consultants", full_page=False)

    some = list_consultants(session=session, limit=1).items[0]
    part = some.name.split()[-1][:4]
    expected = list_consultants(session=session, q=part, limit=100)
    page.get_by_label("Name").fill(part)
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_contain_text(f"{expected.total} consultant")
    names = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert names == [c.name for c in expected.items][:25]
    assert all(part.lower() in name.lower() for name in names)
    check_page(page, "consultants-search")


def test_a_wrong_password_shows_a_generic_error_beside_the_field(page, admin_email, check_page):
    page.goto("/admin/sign-in")
    page.get_by_label("Email address").fill(admin_email)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#password-error")).to_contain_text("The email address or password is not right.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_page(page, "sign-in-error")


def test_an_invalid_date_is_shown_beside_its_field_and_nothing_is_saved_until_fixed(
    admin_page, engine, check_page, correct_from_summary
):
    page = admin_page
    page.goto("/admin/consultants/new")
    check_page(page, "consultant-new")
    page.get_by_label("Full name").fill("Alex Example")
    page.get_by_label("Email address").fill("alex.example@reviews.example.org")
    page.get_by_label("Date of enhanced DBS check").fill("2025-02-30")
    page.get_by_label("Neglect").check()
    page.get_by_role("button", name="Add consultant").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Date of enhanced DBS check: Enter a real date")
    expect(page.locator("#dbs_check_date-error")).to_contain_text("Enter a real date as YYYY-MM-DD")
    expect(page.get_by_label("Date of enhanced DBS check")).to_have_value("2025-02-30")
    expect(page.get_by_label("Neglect")).to_be_checked()
    assert consultants_in(engine) == []
    check_page(page, "consultant-new-errors")

    correct_from_summary(page, "Date of enhanced DBS check", "2025-02-28", send="Add consultant")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Example")
    expect(page.get_by_role("status")).to_contain_text("Alex Example was added as an applicant.")
    assert consultants_in(engine) == ["alex.example@reviews.example.org"]
    check_page(page, "consultant-record")


def test_suspending_needs_a_reason_which_then_shows_in_the_history(
    admin_page, admin_email, session, check_page
):
    consultant = create_consultant(
        session=session,
        data=ConsultantCreate(name="Morgan Reviewer", email="morgan@reviews.example.org"),
        actor="test",
    )
    change_status(
        session=session,
        consultant_id=consultant.id,
        action=Action.approve,
        reason="Checks complete",
        actor="test",
    )
    session.commit()
    page = admin_page
    page.goto(f"/admin/consultants/{consultant.id}")
    check_page(page, "consultant-approved")

    page.get_by_label("Suspend").check()
    page.get_by_role("button", name="Record status change").click()
    expect(page.locator("#reason-error")).to_contain_text("Enter the reason")
    session.expire_all()
    assert get_consultant(session=session, consultant_id=consultant.id).status == "approved"

    reason = "Indemnity insurance lapsed; awaiting the renewal certificate"
    page.get_by_label("Suspend").check()
    page.get_by_label("Reason").fill(reason)
    page.get_by_role("button", name="Record status change").click()

    expect(page.get_by_role("status")).to_contain_text("suspend recorded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Suspended")
    latest = page.locator("#history + table tbody tr").first
    expect(latest).to_contain_text("Consultant suspend")
    expect(latest).to_contain_text(admin_email)
    expect(latest).to_contain_text(reason)
    session.expire_all()
    assert get_consultant(session=session, consultant_id=consultant.id).status == "suspended"
    check_page(page, "consultant-suspended")


GOOD_ROWS = [
    "Jo Adebayo,jo.adebayo@reviews.example.org,2025-01-10,neglect;domestic_abuse,Hackney",
    "Sam Okafor,sam.okafor@reviews.example.org,2024-13-01,neglect,Islington",
    "Kim Walsh,kim.walsh@reviews.example.org,2024-06-30,sexual_abuse,Camden",
]
HEADER = "name,email,dbs_check_date,specialisms,areas"


def upload(page, rows: list[str]) -> None:  # type: ignore[no-untyped-def]
    text = "\n".join([HEADER, *rows]) + "\n"
    page.goto("/admin/import")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "approved-list.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_csv_with_one_bad_row_is_previewed_with_its_problem_and_nothing_is_imported(
    admin_page, engine, check_page
):
    page = admin_page
    page.goto("/admin/import")
    check_page(page, "import")
    upload(page, GOOD_ROWS)

    expect(page.get_by_role("heading", level=1)).to_have_text("Problems in the file")
    problems = page.locator("#problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("3")
    expect(problems.first).to_contain_text("dbs_check_date")
    expect(problems.first).to_contain_text("'2024-13-01' is not a date")
    assert consultants_in(engine) == []
    check_page(page, "import-problems")

    upload(page, [row.replace("2024-13-01", "2024-12-01") for row in GOOD_ROWS])
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert consultants_in(engine) == []
    check_page(page, "import-preview")

    page.get_by_role("button", name="Import all 3 rows").click()
    expect(page.get_by_role("status").first).to_contain_text("Import done: 3 added, 0 updated, 0 unchanged.")
    assert sorted(consultants_in(engine)) == sorted(row.split(",")[1] for row in GOOD_ROWS)


def test_the_dashboard_agency_and_record_pages_pass_axe(demo_registry, admin_page, session, check_page):
    page = admin_page
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/admin/dashboard$"))
    expect(page.get_by_role("heading", name="Lapsed, or lapsing within 30 days")).to_be_visible()
    check_page(page, "dashboard")

    busiest = max(
        list_consultants(session=session, limit=100).items,
        key=lambda c: len(get_consultant(session=session, consultant_id=c.id).engagements),
    )
    page.goto(f"/admin/consultants/{busiest.id}")
    expect(page.get_by_role("heading", name="Engagements")).to_be_visible()
    check_page(page, "consultant-with-history")
    page.get_by_role("link", name="Edit details").click()
    expect(page.get_by_label("Email address")).to_have_value(busiest.email)
    check_page(page, "consultant-edit")

    page.goto("/admin/agencies")
    check_page(page, "agencies")
    page.get_by_role("link", name="Add an agency").click()
    page.get_by_role("button", name="Add agency").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter the short ID")
    check_page(page, "agency-new-errors")


def test_a_chair_gets_the_403_page_for_admin_pages(page, new_user, sign_in, check_page):
    sign_in(page, new_user("chair"))
    response = page.goto("/admin/consultants")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Partnerships", "Cases", "Recommendations", "Thematic briefing"]
    )
    check_page(page, "forbidden")


@pytest.fixture
def decided_case(session, demo_registry) -> str:  # type: ignore[no-untyped-def]
    """A Hackney child death recorded, accepted by the board, commissioned, with terms of reference."""
    from commissioning import commissions, terms_store
    from commissioning import store as case_store
    from commissioning.models import CommissionRole
    from service.api.cases import rulesets
    from service.policy import independence_policy
    from service.settings import get_settings

    today = clock.today()
    features = {
        "incident_date": str(today - timedelta(days=3)),
        "notified_date": str(today - timedelta(days=1)),
        "country": "england",
        "area": "hackney",
        "agencies_involved": ["hackney-csc", "met-police"],
        "subject_age_years": 3,
        "outcome": "death",
        "abuse_or_neglect": "suspected",
        "domestic_abuse": True,
    }
    ref = recorded_case(session, today=today, **features)
    case_store.record_board_decision(
        session=session,
        ref=ref,
        accepted=True,
        reason=None,
        outcomes=None,
        actor="chair@board.example.org",
        today=today,
        rulesets=rulesets(),
    )
    reviewer = create_consultant(
        session=session,
        data=ConsultantCreate(
            name="Pat Independent",
            email="pat.independent@reviews.example.org",
            dbs_check_date=today - timedelta(days=100),
            insurance_expiry=today + timedelta(days=300),
        ),
        actor="test",
    )
    change_status(
        session=session, consultant_id=reviewer.id, action=Action.approve, reason="Checks done", actor="test"
    )
    commissions.commission(
        session=session,
        ref=ref,
        consultant_id=reviewer.id,
        role=CommissionRole.lead_reviewer,
        actor="commissioner@board.example.org",
        policy=independence_policy(),
        today=today,
    )
    terms_store.generate(
        session=session,
        ref=ref,
        actor="commissioner@board.example.org",
        today=today,
        rule_settings=get_settings().rule_settings,
    )
    session.commit()
    return ref


def test_a_commissioner_reads_a_case_and_downloads_its_terms_of_reference(
    page, new_user, sign_in, decided_case, session, check_page
):
    from commissioning import store as case_store

    sign_in(page, new_user("commissioner"))
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/admin/cases$"))
    row = page.locator("tbody tr", has_text=decided_case)
    upcoming = sorted(
        o["deadline"]["date"]
        for o in case_store.get_case(session=session, ref=decided_case).recommendation.result["outcomes"]
        if o.get("deadline") and o["deadline"]["date"] and o["deadline"]["date"] >= clock.today().isoformat()
    )
    expect(row.locator("td").nth(4)).to_contain_text(upcoming[0])
    check_page(page, "cases")

    row.get_by_role("link", name=decided_case).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {decided_case}")
    expect(page.get_by_text("The board accepted the recommendation")).to_be_visible()
    expect(page.locator("table", has_text="Pat Independent")).to_contain_text("Lead reviewer")
    check_page(page, "case")

    with page.expect_download() as download:
        page.get_by_role("link", name="MD of version 1").click()
    assert download.value.suggested_filename == f"{decided_case}-terms-v1.md"
    assert decided_case in Path(download.value.path()).read_text()
    pdf = page.request.get(f"/admin/cases/{decided_case}/terms/1.pdf")
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
